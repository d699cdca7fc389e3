import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AuditEntry,
  AuditExportFormat,
  AuditVerification,
  ChangeType,
  ChangeTypeRisk,
  EntityOperations,
  Incident,
  IncidentPriority,
  IncidentStatus,
  MonthlyServiceReport,
  Problem,
  ProblemStatus,
  RaciConfig,
  Rfc,
  RfcAuditEvent,
  RfcExecution,
  RfcExecutionLogEvent,
  RfcListQuery,
  ServiceRequest,
  ServiceRequestStatus,
  ServiceRequestTopic,
  CalendarFeedTokenInfo,
  ChangeCalendarView,
  FreezeOccurrence,
  FreezeWindow,
  FreezeWindowInput,
  RfcConflicts,
} from '@cloud-ops/plugin-ops-common';

export type { RfcListQuery } from '@cloud-ops/plugin-ops-common';

/** Health of the ops backend. @public */
export type OpsHealth = { status: string; database: string };

/** @public */
export type RfcPage = { items: Rfc[]; nextCursor?: string };

/** A change type as the API serves it, with the form its parameters follow. @public */
export type ChangeTypeWithSchema = ChangeType & {
  parameterSchema: {
    properties?: Record<string, RfcParameterSchema>;
    required?: string[];
  };
};

/** The parts of a JSON schema property the RFC form understands. @public */
export type RfcParameterSchema = {
  title?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
};

/** @public */
export type CreateRfcRequest = {
  changeTypeId: string;
  title: string;
  description: string;
  targetEntityRef: string;
  parameters?: Record<string, unknown>;
  implementationPlan: string;
  testPlan: string;
  rollbackPlan: string;
  peerReviewer?: string;
  risk?: ChangeTypeRisk;
  /** An ISO time, or `now` for an emergency that starts once approved. */
  requestedStartTime?: string;
  requestedEndTime?: string;
  /** Makes it an emergency change, answering an open P1 or P2 incident. */
  emergency?: { incidentId: string; freezeOverrideReason?: string };
  /** Submit for approval in the same step. */
  submit?: boolean;
};

/**
 * Changes to an RFC while it is in Editing; fields left out stay as they are,
 * and `null` clears an optional one.
 *
 * @public
 */
export type UpdateRfcRequest = {
  title?: string;
  description?: string;
  parameters?: Record<string, unknown>;
  implementationPlan?: string;
  testPlan?: string;
  rollbackPlan?: string;
  peerReviewer?: string | null;
  risk?: ChangeTypeRisk;
  requestedStartTime?: string | null;
  requestedEndTime?: string | null;
};

/** The decisions a person takes on an RFC from the portal. @public */
export type RfcDecision =
  | { action: 'submit'; freezeOverrideReason?: string }
  | { action: 'approve'; comment?: string }
  | { action: 'reject'; comment: string }
  | { action: 'cancel'; reason?: string }
  | { action: 'start' }
  | {
      action: 'complete';
      outcome: 'Success' | 'Failure';
      outcomeNotes?: string;
    }
  | { action: 'retry'; reason?: string }
  | {
      action: 'review';
      whatHappened: string;
      rootCause: string;
      followUp: string;
    };

/** A freeze as declared or changed; `version` is required to change one. @public */
export type FreezeRequest = FreezeWindowInput;

/** A new feed token: the secret and its subscription address, shown once. @public */
export type IssuedFeedToken = {
  token: string;
  url: string;
  feedToken: CalendarFeedTokenInfo;
};

/**
 * The ops backend as the frontend sees it.
 *
 * @public
 */
export interface OpsApi {
  getHealth(): Promise<OpsHealth>;
  /** Everything the Operations tab shows, in one request. */
  getEntityOperations(entity: CompoundEntityRef): Promise<EntityOperations>;
  /** Reads AWS for the entity now; the backend limits how often. */
  refreshEntityOperations(entity: CompoundEntityRef): Promise<EntityOperations>;
  /**
   * The RACI matrix config, the same for every entity: resolve it for one
   * with `resolveEntityRaci`. Asked once per session.
   */
  getRaciConfig(): Promise<RaciConfig>;
  listRfcs(query?: RfcListQuery): Promise<RfcPage>;
  getRfc(id: string): Promise<Rfc>;
  listRfcEvents(id: string): Promise<RfcAuditEvent[]>;
  createRfc(request: CreateRfcRequest): Promise<Rfc>;
  /** Edits an RFC in Editing, naming the version the person saw so a lost race fails with 409. */
  updateRfc(
    id: string,
    version: number,
    changes: UpdateRfcRequest,
  ): Promise<Rfc>;
  /** Takes a decision, naming the version the person saw so a lost race fails with 409. */
  decideRfc(id: string, version: number, decision: RfcDecision): Promise<Rfc>;
  /** The RFC's execution: its steps, outputs and error. */
  getRfcExecution(id: string): Promise<RfcExecution>;
  /**
   * Log lines of the execution after line `after`; the server waits a while
   * for a new line while the execution runs.
   */
  getRfcExecutionLogs(
    id: string,
    after?: number,
  ): Promise<RfcExecutionLogEvent[]>;
  /** Change history of one entity, newest first. */
  listEntityRfcs(entity: CompoundEntityRef): Promise<Rfc[]>;
  /** RFCs, freezes and maintenance windows of a period, optionally of one team. */
  getSchedule(query: {
    from: string;
    to: string;
    owner?: string;
  }): Promise<ChangeCalendarView>;
  /** What an approver should know about an RFC's window. */
  getRfcConflicts(id: string): Promise<RfcConflicts>;
  listFreezes(query?: {
    from?: string;
    to?: string;
    includeLifted?: boolean;
  }): Promise<{ items: FreezeWindow[]; occurrences: FreezeOccurrence[] }>;
  declareFreeze(freeze: FreezeRequest): Promise<FreezeWindow>;
  updateFreeze(
    id: string,
    version: number,
    freeze: FreezeRequest,
  ): Promise<FreezeWindow>;
  liftFreeze(id: string, version: number): Promise<FreezeWindow>;
  listFeedTokens(): Promise<CalendarFeedTokenInfo[]>;
  issueFeedToken(request: {
    label: string;
    owner?: string;
  }): Promise<IssuedFeedToken>;
  revokeFeedToken(id: number): Promise<void>;
  listChangeTypes(): Promise<ChangeTypeWithSchema[]>;
  listIncidents(query?: IncidentListQuery): Promise<CountedPage<Incident>>;
  getIncident(id: string): Promise<Incident>;
  /** Resolves an open incident by hand; the server allows Central IT only. */
  resolveIncident(id: string, notes: string): Promise<Incident>;
  listProblems(query?: ProblemListQuery): Promise<Problem[]>;
  getProblem(id: string): Promise<Problem>;
  /** Records root cause, remediation or status; a stale version fails with 409. */
  updateProblem(id: string, update: ProblemUpdate): Promise<Problem>;
  createServiceRequest(request: CreateServiceRequest): Promise<ServiceRequest>;
  listServiceRequests(
    query?: ServiceRequestListQuery,
  ): Promise<CountedPage<ServiceRequest>>;
  /** One request with its message thread. */
  getServiceRequest(id: string): Promise<ServiceRequest>;
  replyToServiceRequest(
    id: string,
    version: number,
    body: string,
  ): Promise<ServiceRequest>;
  closeServiceRequest(
    id: string,
    version: number,
    reason?: string,
  ): Promise<ServiceRequest>;
  /** Group refs of the teams whose reports the caller may read. */
  listReportTeams(): Promise<string[]>;
  /** The monthly service report of a team; `month` is `YYYY-MM`. */
  getMonthlyReport(team: string, month: string): Promise<MonthlyServiceReport>;
  /** The same report as CSV text. */
  getMonthlyReportCsv(team: string, month: string): Promise<string>;
  /** Checks every link of the audit log; needs `ops.audit.read`. */
  verifyAudit(): Promise<AuditVerification>;
  /** One subject's audit chain, e.g. `rfc:RFC-000123`, checked on its own. */
  getAuditChain(subject: string): Promise<AuditChain>;
  /** The audit entries appended in a period, as a file to save. */
  exportAudit(request: AuditExportRequest): Promise<AuditExportFile>;
}

/** One subject's audit entries, oldest first. @public */
export type AuditChain = {
  subject: string;
  items: AuditEntry[];
  verification: AuditVerification;
};

/**
 * A period of the audit log to export: entries appended at or after `from`
 * and before `to` (ISO 8601 instants, at most 366 days apart).
 *
 * @public
 */
export type AuditExportRequest = {
  from: string;
  to: string;
  format: AuditExportFormat;
};

/** @public */
export type AuditExportFile = { blob: Blob; fileName: string };

/** Filters and paging of `GET /incidents`; every field narrows the result. @public */
export type IncidentListQuery = {
  entityRef?: string;
  /** Owner group ref. */
  team?: string;
  status?: IncidentStatus;
  priority?: IncidentPriority;
  limit?: number;
  offset?: number;
};

/** One page of a list read with limit and offset. @public */
export type CountedPage<T> = { items: T[]; totalCount: number };

/** Filters of `GET /problems`. @public */
export type ProblemListQuery = {
  status?: ProblemStatus;
  team?: string;
  entityRef?: string;
};

/** A change to a problem, naming the version it was made against. @public */
export type ProblemUpdate = {
  version: number;
  status?: ProblemStatus;
  rootCause?: string;
  remediation?: string;
};

/** @public */
export type CreateServiceRequest = {
  title: string;
  topic: ServiceRequestTopic;
  /** The question. */
  body: string;
  /** Group ref; needed when the requester belongs to several teams. */
  team?: string;
  entityRef?: string;
};

/** Filters and paging of `GET /service-requests`. @public */
export type ServiceRequestListQuery = {
  status?: ServiceRequestStatus;
  team?: string;
  limit?: number;
  offset?: number;
};

/** @public */
export const opsApiRef = createApiRef<OpsApi>({ id: 'plugin.ops.api' });
