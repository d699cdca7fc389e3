export { ReportsPage } from './ReportsPage';
export { PrintableReportPage } from './PrintableReportPage';
