export { RaciMatrixPage } from './RaciMatrixPage';
