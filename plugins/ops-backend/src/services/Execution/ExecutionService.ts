import { timingSafeEqual } from 'node:crypto';
import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { LogEvent } from '@backstage/plugin-scaffolder-common';
import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_AWS_TAG_SELECTOR,
  EXECUTION_OUTPUTS,
  executionToken,
  type ExecutionTaskStatus,
  type Rfc,
  type RfcExecution,
  type RfcExecutionContext,
  type RfcExecutionLogEvent,
  type RfcExecutionStep,
} from '@cloud-ops/plugin-ops-common';
import type { RfcStore } from '../../database/RfcStore';
import { parseTagSelector } from '../OperationsData/targets';
import type { RfcService } from '../Rfcs/RfcService';
import type { ExecutionScaffolder } from './RfcExecutor';
import { hashExecutionSecret } from './RfcExecutor';

/** What an action shows to prove it runs in an execution. */
export type ExecutionProof = { rfcId: string; secret: string; taskId: string };

/** The service principal whose tokens execution runs carry. */
const SCAFFOLDER_SUBJECT = 'plugin:scaffolder';
/** Longest the RFC page waits for the scaffolder's step list. */
const STEP_READ_TIMEOUT_MS = 3_000;

const STEP_STATUSES: ReadonlySet<string> = new Set([
  'open',
  'processing',
  'completed',
  'failed',
  'cancelled',
  'skipped',
]);

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The execution side of the RFC API: what actions inside an execution run
 * may learn and record, and what people see of an execution on the RFC page.
 */
export class ExecutionService {
  constructor(
    private readonly options: {
      store: RfcStore;
      rfcs: Pick<RfcService, 'get'>;
      scaffolder: ExecutionScaffolder;
      catalog: CatalogService;
      auth: AuthService;
      sandbox: boolean;
      /** Where targets without account or region annotations live. */
      defaultAccount?: string;
      defaultRegion?: string;
    },
  ) {}

  /**
   * The execution context for an action, when its proof matches an RFC in
   * progress whose current attempt runs in the proving task.
   */
  async verify(
    proof: ExecutionProof,
    credentials: BackstageCredentials,
  ): Promise<RfcExecutionContext> {
    const rfc = await this.check(proof, credentials);
    return {
      rfc,
      attempt: rfc.attempt,
      token: executionToken(rfc.id, rfc.attempt),
      binding: rfc.binding ?? { templateRef: '' },
      ...(rfc.operation ? { operation: rfc.operation } : {}),
      target: await this.target(rfc),
      sandbox: this.options.sandbox,
    };
  }

  /** Records a step's outputs on the RFC's current attempt. */
  async reportOutputs(
    proof: ExecutionProof & { stepId: string; outputs: Record<string, string> },
    credentials: BackstageCredentials,
  ): Promise<{ recorded: number }> {
    const rfc = await this.check(proof, credentials);
    await this.options.store.addExecutionOutputs({
      id: rfc.id,
      attempt: rfc.attempt,
      stepId: proof.stepId,
      outputs: proof.outputs,
    });
    return { recorded: Object.keys(proof.outputs).length };
  }

  /** The execution as the RFC page shows it, read as the caller. */
  async getExecution(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<RfcExecution> {
    const rfc = await this.options.rfcs.get(id, credentials);
    const outputs = await this.options.store.listExecutionOutputs(rfc.id);
    const current = outputs.filter(o => o.attempt === rfc.attempt);
    const stackEntityRef = [...current]
      .reverse()
      .find(o => o.name === EXECUTION_OUTPUTS.stackEntityRef)?.value;
    const execution: RfcExecution = {
      rfcId: rfc.id,
      attempt: rfc.attempt,
      steps: [],
      outputs,
      ...(stackEntityRef ? { stackEntityRef } : {}),
      ...(rfc.status === 'Failure' && rfc.statusReason
        ? { error: rfc.statusReason }
        : {}),
    };
    if (!rfc.taskId) return execution;
    execution.taskId = rfc.taskId;
    const own = await this.options.auth.getOwnServiceCredentials();
    try {
      const task = await this.options.scaffolder.getTask(
        { taskId: rfc.taskId },
        { credentials: own },
      );
      execution.taskStatus = task.status as ExecutionTaskStatus;
      const events = await withTimeout(
        this.options.scaffolder.getLogs(
          { taskId: rfc.taskId },
          { credentials: own },
        ),
        STEP_READ_TIMEOUT_MS,
      );
      execution.steps = stepsOf(task.spec.steps ?? [], events ?? []);
    } catch (error) {
      execution.error =
        execution.error ??
        `the execution task ${rfc.taskId} could not be read: ${
          (error as Error).message
        }`;
    }
    return execution;
  }

  /** Log lines of the current attempt's task after `after`, read as the caller. */
  async getLogs(
    id: string,
    after: number | undefined,
    credentials: BackstageCredentials,
  ): Promise<RfcExecutionLogEvent[]> {
    const rfc = await this.options.rfcs.get(id, credentials);
    if (!rfc.taskId) return [];
    const events = await this.options.scaffolder.getLogs(
      { taskId: rfc.taskId, ...(after !== undefined ? { after } : {}) },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return events.map(toLogEvent);
  }

  private async check(
    proof: ExecutionProof,
    credentials: BackstageCredentials,
  ): Promise<Rfc> {
    if (
      !this.options.auth.isPrincipal(credentials, 'service') ||
      credentials.principal.subject !== SCAFFOLDER_SUBJECT
    ) {
      throw new NotAllowedError(
        'only actions of an execution run, with the scaffolder’s token, may use the execution API',
      );
    }
    const refused = new NotAllowedError(
      `not an execution of ${proof.rfcId}: the secret and task do not match an attempt in progress, so nothing may change`,
    );
    const state = await this.options.store.getExecutionState(proof.rfcId);
    if (!state || state.status !== 'InProgress' || !state.secretHash) {
      throw refused;
    }
    if (!sameHash(hashExecutionSecret(proof.secret), state.secretHash)) {
      throw refused;
    }
    if (!state.taskId) {
      throw new ConflictError(
        `${proof.rfcId}: the executor is still recording the execution task; ask again in a moment`,
      );
    }
    if (state.taskId !== proof.taskId) {
      throw refused;
    }
    const rfc = await this.options.store.get(proof.rfcId);
    if (!rfc) throw refused;
    return rfc;
  }

  /** Where the target lives: its annotations, else the configured defaults. */
  private async target(rfc: Rfc): Promise<RfcExecutionContext['target']> {
    const entity = await this.options.catalog.getEntityByRef(
      rfc.targetEntityRef,
      // The execution acts for the change process, not for a person.
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    if (!entity) {
      throw new InputError(
        `${rfc.id}: its target ${rfc.targetEntityRef} is no longer in the catalog, so nothing may change`,
      );
    }
    const a = entity.metadata.annotations ?? {};
    const account = a[ANNOTATION_AWS_ACCOUNT] ?? this.options.defaultAccount;
    const region = a[ANNOTATION_AWS_REGION] ?? this.options.defaultRegion;
    if (!account || !region) {
      throw new InputError(
        `${rfc.id}: its target ${rfc.targetEntityRef} names no AWS account and region (annotations ${ANNOTATION_AWS_ACCOUNT} and ${ANNOTATION_AWS_REGION}) and ops.aws.accountId / ops.aws.region are not set`,
      );
    }
    let selector: Record<string, string> = {};
    if (a[ANNOTATION_AWS_TAG_SELECTOR]) {
      try {
        selector = parseTagSelector(a[ANNOTATION_AWS_TAG_SELECTOR]);
      } catch (error) {
        throw new InputError(
          `${rfc.id}: annotation ${ANNOTATION_AWS_TAG_SELECTOR} of ${
            rfc.targetEntityRef
          }: ${(error as Error).message}`,
        );
      }
    }
    return {
      entityRef: stringifyEntityRef(parseEntityRef(rfc.targetEntityRef)),
      ownerGroup: rfc.ownerGroup,
      account,
      region,
      selector,
    };
  }
}

/** The scaffolder's task logger colours its level names for terminals. */
// eslint-disable-next-line no-control-regex
const TERMINAL_COLOURS = /\u001b\[[0-9;]*m/g;

function toLogEvent(e: LogEvent): RfcExecutionLogEvent {
  return {
    id: Number(e.id),
    at: e.createdAt,
    ...(e.body?.stepId ? { stepId: e.body.stepId } : {}),
    message: (e.body?.message ?? '').replace(TERMINAL_COLOURS, ''),
    type: e.type,
  };
}

/** The template's steps with the status their last event gave them. */
function stepsOf(
  specSteps: Array<{ id: string; name?: string; action: string }>,
  events: LogEvent[],
): RfcExecutionStep[] {
  return specSteps.map(step => {
    const own = events.filter(e => e.body?.stepId === step.id);
    const withStatus = own.filter(
      e => e.body?.status && STEP_STATUSES.has(e.body.status),
    );
    const last = withStatus[withStatus.length - 1];
    const status = (last?.body.status ?? 'open') as RfcExecutionStep['status'];
    return {
      id: step.id,
      name: step.name ?? step.action,
      action: step.action,
      status,
      ...(own[0] ? { startedAt: own[0].createdAt } : {}),
      ...(last && status !== 'processing' && status !== 'open'
        ? { endedAt: last.createdAt }
        : {}),
    };
  });
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(resolve => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
