export { RfcDetailPage } from './RfcDetailPage';
