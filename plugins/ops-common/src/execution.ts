import type { OpsOperation } from './patching';
import type { Rfc } from './rfc/types';

/**
 * The execution of approved RFCs.
 *
 * An approved RFC is carried out by the ops backend's executor: at the RFC's
 * requested start time it moves the RFC to InProgress and launches its change
 * type's template as a scaffolder task (the execution run), with the RFC's
 * stored parameters and a one-time execution secret. Actions that change AWS
 * act only inside such a run: they show the secret and their task id to the
 * ops backend, which answers with the {@link RfcExecutionContext}.
 */

/**
 * Key of the scaffolder task secret that carries the execution, as JSON
 * `{ "rfcId": "RFC-000123", "secret": "..." }`.
 *
 * @public
 */
export const OPS_EXECUTION_SECRET_KEY = 'opsExecution';

/**
 * The idempotency token of every AWS write an execution attempt makes: the
 * same RFC and attempt always give the same token, so a resumed or recovered
 * task repeats no write, while an explicit retry (a new attempt) does.
 *
 * AWS accepts 1-64 characters for ClientToken, IdempotencyToken and
 * CreatorRequestId, and 1-128 for ProvisionToken; this stays well within
 * both, and `suffix` tells apart several writes of one attempt.
 *
 * @public
 */
export function executionToken(
  rfcId: string,
  attempt: number,
  suffix?: string,
): string {
  const base = `ops-${rfcId}-a${attempt}`;
  const raw = suffix ? `${base}-${suffix}` : base;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * The change type binding an RFC was created with: the template that carries
 * it out and the Service Catalog product it provisions. Pinned on the RFC, so
 * publishing a new version of the change type does not change it.
 *
 * @public
 */
export type RfcBinding = {
  /** The Template entity of the pinned change-type version. */
  templateRef: string;
  serviceCatalog?: {
    productId: string;
    provisioningArtifactId: string;
  };
};

/**
 * Where the RFC's target lives in AWS, and how its resources are found: the
 * target entity's annotations, else the configured defaults.
 *
 * @public
 */
export type ExecutionTarget = {
  /** Full entity ref of the RFC's target. */
  entityRef: string;
  ownerGroup: string;
  account: string;
  region: string;
  /**
   * Tag pairs every AWS resource of the target carries: the entity's tag
   * selector. Empty when the entity names none (e.g. a component that gets its
   * first stack).
   */
  selector: Record<string, string>;
};

/**
 * What an action inside an execution run is told about it: the RFC as stored
 * (its validated parameters), the attempt, the pinned binding and the target.
 *
 * @public
 */
export type RfcExecutionContext = {
  rfc: Rfc;
  attempt: number;
  /** Prefix of the attempt's idempotency tokens, see {@link executionToken}. */
  token: string;
  binding: RfcBinding;
  operation?: OpsOperation;
  target: ExecutionTarget;
  /** True when the ops backend serves the sandbox rather than AWS. */
  sandbox: boolean;
};

/**
 * A named result an execution step reports, e.g. the provisioned product id
 * or the maintenance window id. Shown on the RFC page as it arrives.
 *
 * @public
 */
export type RfcExecutionOutput = {
  attempt: number;
  stepId: string;
  name: string;
  value: string;
  at: string;
};

/**
 * Status of the scaffolder task behind an execution attempt, as the
 * scaffolder names it.
 *
 * @public
 */
export type ExecutionTaskStatus =
  | 'open'
  | 'processing'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** One step of the execution run as the scaffolder reports it. @public */
export type RfcExecutionStep = {
  id: string;
  name: string;
  action: string;
  status:
    | 'open'
    | 'processing'
    | 'completed'
    | 'failed'
    | 'cancelled'
    | 'skipped';
  startedAt?: string;
  endedAt?: string;
};

/**
 * The execution of an RFC as the RFC page shows it.
 *
 * @public
 */
export type RfcExecution = {
  rfcId: string;
  attempt: number;
  /** The scaffolder task of the current attempt, once launched. */
  taskId?: string;
  taskStatus?: ExecutionTaskStatus;
  steps: RfcExecutionStep[];
  /** Outputs of every attempt, oldest first. */
  outputs: RfcExecutionOutput[];
  /** Why the attempt failed, when it did. */
  error?: string;
  /** The stack entity the execution registered, when it provisioned one. */
  stackEntityRef?: string;
};

/**
 * One log line of an execution run.
 *
 * @public
 */
export type RfcExecutionLogEvent = {
  /** Increasing id; ask for the lines after the last one seen. */
  id: number;
  at: string;
  stepId?: string;
  message: string;
  /** `log` for a line, `completion` for the end of the run. */
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
};

/**
 * Names of outputs the suite's actions report, so the RFC page and the
 * executor read them the same way.
 *
 * @public
 */
export const EXECUTION_OUTPUTS = {
  provisionedProductId: 'provisionedProductId',
  recordId: 'recordId',
  stackEntityRef: 'stackEntityRef',
  maintenanceWindowId: 'maintenanceWindowId',
  patchBaselineId: 'patchBaselineId',
  commandId: 'commandId',
  backupPlanId: 'backupPlanId',
  backupSelectionId: 'backupSelectionId',
  backupJobId: 'backupJobId',
  snapshotId: 'snapshotId',
  restoreJobId: 'restoreJobId',
} as const;

/**
 * Topic of the event the executor publishes (Backstage events service) when
 * an execution provisioned a stack, so the catalog reads its stacks at once
 * instead of at its next scheduled read. Payload: `provisionedProductId`,
 * `stackEntityRef`, `rfcId`.
 *
 * @public
 */
export const STACK_PROVISIONED_TOPIC = 'cloud-ops.stack.provisioned';
