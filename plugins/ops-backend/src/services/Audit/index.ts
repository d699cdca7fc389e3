export type {
  AuditEntryInput,
  AuditExportQuery,
  AuditLog,
  AuditSubjectChain,
  GovernanceDecision,
} from './AuditLog';
export { DatabaseAuditLog } from './DatabaseAuditLog';
export { verifyAuditChain } from './verifyAuditChain';
export { canonicalJson, hashAuditEntry } from './canonicalJson';
