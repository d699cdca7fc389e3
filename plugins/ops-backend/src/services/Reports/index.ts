export { ReportService } from './ReportService';
export type { ReportIncidentSource } from './ReportService';
export type { ChangeTypeAutomationLookup } from './rfcMetrics';
export { toCsv } from './csv';
