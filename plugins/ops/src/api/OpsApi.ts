import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  ChangeType,
  ChangeTypeRisk,
  EntityOperations,
  Rfc,
  RfcAuditEvent,
  RfcListQuery,
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
  requestedStartTime?: string;
  requestedEndTime?: string;
  /** Submit for approval in the same step. */
  submit?: boolean;
};

/** The decisions a person takes on an RFC from the portal. @public */
export type RfcDecision =
  | { action: 'submit' }
  | { action: 'approve'; comment?: string }
  | { action: 'reject'; comment: string }
  | { action: 'cancel'; reason?: string }
  | { action: 'start' }
  | {
      action: 'complete';
      outcome: 'Success' | 'Failure';
      outcomeNotes?: string;
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
  listRfcs(query?: RfcListQuery): Promise<RfcPage>;
  getRfc(id: string): Promise<Rfc>;
  listRfcEvents(id: string): Promise<RfcAuditEvent[]>;
  createRfc(request: CreateRfcRequest): Promise<Rfc>;
  /** Takes a decision, naming the version the person saw so a lost race fails with 409. */
  decideRfc(id: string, version: number, decision: RfcDecision): Promise<Rfc>;
  /** Change history of one entity, newest first. */
  listEntityRfcs(entity: CompoundEntityRef): Promise<Rfc[]>;
  getCalendar(range: { from: string; to: string }): Promise<Rfc[]>;
  listChangeTypes(): Promise<ChangeTypeWithSchema[]>;
}

/** @public */
export const opsApiRef = createApiRef<OpsApi>({ id: 'plugin.ops.api' });
