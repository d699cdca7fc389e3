export { CreateRfcPage } from './CreateRfcPage';
