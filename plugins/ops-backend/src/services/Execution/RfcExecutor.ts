import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, isError, NotFoundError } from '@backstage/errors';
import type { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import type { JsonValue } from '@backstage/types';
import {
  decideRfcTransition,
  emergencyReviewDueAt,
  EXECUTION_OUTPUTS,
  rfcWindow,
  type FreezeOccurrence,
  type FreezeTarget,
  type RfcHold,
  OPS_EXECUTION_SECRET_KEY,
  type Rfc,
  type RfcAction,
  type RfcBinding,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import type { RfcStore } from '../../database/RfcStore';
import type { ChangeTypeService } from '../ChangeTypes/ChangeTypeService';
import type { OpsNotifier } from '../Notifications';
import { notificationsForTransition } from '../Rfcs/rfcNotifications';

/** The actor of every transition the executor makes. */
export const EXECUTOR_ACTOR = 'system:ops-executor';

/** The scaffolder calls the executor makes. */
export type ExecutionScaffolder = Pick<
  ScaffolderService,
  'scaffold' | 'getTask' | 'getLogs' | 'cancelTask'
>;

/** What one executor run did. */
export type ExecutorRunSummary = {
  started: number;
  relaunched: number;
  succeeded: number;
  failed: number;
  running: number;
  /** Due, but a freeze holds them. */
  held: number;
};

/** What the executor asks of the change schedule. */
export interface ExecutorFreezeChecks {
  holding(
    target: FreezeTarget,
    window: { start: Date; end: Date },
    rfc: Pick<Rfc, 'origin' | 'criticalSecurityUpdate'>,
  ): Promise<FreezeOccurrence[]>;
  targetOf(
    rfc: Pick<Rfc, 'targetEntityRef' | 'ownerGroup'>,
  ): Promise<FreezeTarget>;
  /** Whether the freeze behind a hold still stands as it was. */
  stillHolds(hold: RfcHold): Promise<boolean>;
}

export type RfcExecutorOptions = {
  store: RfcStore;
  scaffolder: ExecutionScaffolder;
  auth: AuthService;
  logger: LoggerService;
  changeTypes: ChangeTypeService;
  centralItGroup: string;
  notifier?: OpsNotifier;
  /** Told about every RFC that ends Success, e.g. to register its stack. */
  onSucceeded?: (rfc: Rfc, outputs: Record<string, string>) => Promise<void>;
  /**
   * Told about every execution that ended, either way, e.g. to read the
   * target's settings from AWS again.
   */
  onEnded?: (rfc: Rfc) => Promise<void>;
  /** How long a replica holds an RFC before another may take it over. */
  leaseMs: number;
  /** Longest an execution task may run before the RFC fails. */
  executionTimeoutMs: number;
  /** RFCs handled per run. */
  batchSize?: number;
  /** Identifies this replica in leases; unique per process by default. */
  owner?: string;
  /** Freezes: without them, nothing is held. */
  freezes?: ExecutorFreezeChecks;
  /** Days an executed emergency has for its review (default 5). */
  emergencyReviewDays?: number;
  now?: () => Date;
};

/** SHA-256 of an execution secret, as stored on the RFC. */
export function hashExecutionSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashExecutionSecret(secret) };
}

const TERMINAL_TASK: ReadonlySet<string> = new Set([
  'completed',
  'failed',
  'cancelled',
  'skipped',
]);

/**
 * Carries out approved RFCs of automated change types.
 *
 * Each run leases the RFCs it has work on (approved and due, or in progress),
 * so two replicas never handle one RFC at once, and then for each:
 * - an approved RFC whose start time has come moves to InProgress as a new
 *   attempt with a fresh one-time secret, and its change type's template is
 *   launched as a scaffolder task (the execution run) with the executor's own
 *   service credentials, the RFC's stored parameters and the secret;
 * - an RFC in progress is followed: when its task has ended, the RFC ends
 *   Success or Failure from the task's outcome; when the replica that started
 *   it died before recording its task, the same attempt is launched again
 *   under a new secret (its AWS writes carry the attempt's tokens, so nothing
 *   is done twice, and the old secret no longer opens anything).
 */
export class RfcExecutor {
  private readonly now: () => Date;
  readonly owner: string;

  constructor(private readonly options: RfcExecutorOptions) {
    this.now = options.now ?? (() => new Date());
    this.owner =
      options.owner ??
      `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  async runOnce(): Promise<ExecutorRunSummary> {
    const summary: ExecutorRunSummary = {
      started: 0,
      relaunched: 0,
      succeeded: 0,
      failed: 0,
      running: 0,
      held: 0,
    };
    const claimed = await this.options.store.claimForExecution({
      now: this.now(),
      owner: this.owner,
      leaseUntil: this.leaseUntil(),
      limit: this.options.batchSize ?? 25,
    });
    for (const rfc of claimed) {
      try {
        const outcome =
          rfc.status === 'Scheduled'
            ? await this.start(rfc)
            : await this.follow(rfc);
        summary[outcome] += 1;
      } catch (error) {
        // Lost a race (someone canceled it meanwhile) or a passing fault: the
        // lease lapses and the next run looks again.
        if (!(error instanceof ConflictError)) {
          this.options.logger.warn(
            `Executor could not handle ${rfc.id}: ${describe(error)}`,
          );
        }
      }
    }
    return summary;
  }

  private leaseUntil() {
    return new Date(this.now().getTime() + this.options.leaseMs);
  }

  /** Starts a new attempt of an approved RFC and launches its task. */
  private async start(claimed: Rfc): Promise<'started' | 'failed' | 'held'> {
    const decision = decideRfcTransition('start', {
      rfc: claimed,
      actor: { kind: 'system' },
      centralItGroup: this.options.centralItGroup,
      now: this.now(),
    });
    if (!decision.allowed) {
      await this.options.store.releaseLease(claimed.id, this.owner);
      return 'started';
    }
    const free = await this.checkFreezes(claimed);
    if (free === 'held') {
      await this.options.store.releaseLease(claimed.id, this.owner);
      return 'held';
    }
    const rfc = free;
    const attempt = rfc.attempt + 1;
    const { secret, hash } = newSecret();
    const binding = await this.resolveBinding(rfc);
    const started = await this.transition(rfc, 'start', decision.to, {
      comment: `attempt ${attempt}`,
      execution: { attempt, secretHash: hash, leaseOwner: this.owner },
      changes: { taskId: undefined, statusReason: undefined },
    });
    if ('problem' in binding) {
      await this.fail(started, binding.problem);
      return 'failed';
    }
    const launched = await this.launch(started, binding.binding, secret);
    if ('problem' in launched) {
      await this.fail(started, launched.problem);
      return 'failed';
    }
    await this.options.store.recordExecutionTask({
      id: rfc.id,
      attempt,
      owner: this.owner,
      taskId: launched.taskId,
    });
    this.options.logger.info(
      `Executing ${rfc.id} attempt ${attempt} as scaffolder task ${launched.taskId}`,
    );
    return 'started';
  }

  /** Follows an RFC in progress, ending it when its task has ended. */
  private async follow(
    rfc: Rfc,
  ): Promise<'relaunched' | 'succeeded' | 'failed' | 'running'> {
    if (!rfc.taskId) {
      return this.relaunch(rfc);
    }
    const credentials = await this.options.auth.getOwnServiceCredentials();
    let status: string;
    try {
      const task = await this.options.scaffolder.getTask(
        { taskId: rfc.taskId },
        { credentials },
      );
      status = task.status;
    } catch (error) {
      if (isNotFound(error)) {
        await this.fail(
          rfc,
          `the execution task ${rfc.taskId} no longer exists in the scaffolder`,
        );
        return 'failed';
      }
      throw error;
    }

    if (!TERMINAL_TASK.has(status)) {
      const started = Date.parse(rfc.updatedAt);
      if (this.now().getTime() - started > this.options.executionTimeoutMs) {
        await this.options.scaffolder
          .cancelTask({ taskId: rfc.taskId }, { credentials })
          .catch(() => undefined);
        await this.fail(
          rfc,
          `the execution task ${rfc.taskId} did not finish within ${Math.round(
            this.options.executionTimeoutMs / 60_000,
          )} minutes and was cancelled`,
        );
        return 'failed';
      }
      await this.options.store.renewLease(
        rfc.id,
        this.owner,
        this.leaseUntil(),
      );
      return 'running';
    }

    const outputs = await this.outputsOf(rfc);
    if (status === 'completed') {
      const done = await this.transition(rfc, 'succeed', 'Success', {
        comment: summarizeOutputs(outputs) ?? 'the execution task completed',
        changes: {
          outcomeNotes:
            summarizeOutputs(outputs) ?? 'Carried out by the executor.',
        },
        execution: {
          releaseLease: true,
          secretHash: null,
          leaseOwner: this.owner,
        },
      });
      await this.options
        .onSucceeded?.(done, outputs)
        .catch(error =>
          this.options.logger.warn(
            `After ${rfc.id} succeeded: ${describe(error)}`,
          ),
        );
      await this.ended(done);
      return 'succeeded';
    }
    const reason = await this.failureOf(rfc.taskId, status);
    await this.fail(rfc, reason);
    return 'failed';
  }

  /**
   * The replica that started this attempt stopped before recording its task.
   * A task it may have launched can no longer open the RFC once the secret is
   * replaced; the new task repeats the attempt with the same tokens.
   */
  private async relaunch(rfc: Rfc): Promise<'relaunched' | 'failed'> {
    const binding = await this.resolveBinding(rfc);
    if ('problem' in binding) {
      await this.fail(rfc, binding.problem);
      return 'failed';
    }
    const { secret, hash } = newSecret();
    const rotated = await this.options.store.rotateExecutionSecret({
      id: rfc.id,
      attempt: rfc.attempt,
      owner: this.owner,
      secretHash: hash,
    });
    if (!rotated) {
      throw new ConflictError(`${rfc.id} changed while relaunching`);
    }
    const launched = await this.launch(rfc, binding.binding, secret);
    if ('problem' in launched) {
      await this.fail(rfc, launched.problem);
      return 'failed';
    }
    await this.options.store.recordExecutionTask({
      id: rfc.id,
      attempt: rfc.attempt,
      owner: this.owner,
      taskId: launched.taskId,
    });
    this.options.logger.info(
      `Relaunched ${rfc.id} attempt ${rfc.attempt} as scaffolder task ${launched.taskId}`,
    );
    return 'relaunched';
  }

  private async launch(
    rfc: Rfc,
    binding: RfcBinding,
    secret: string,
  ): Promise<{ taskId: string } | { problem: string }> {
    try {
      const { taskId } = await this.options.scaffolder.scaffold(
        {
          templateRef: binding.templateRef,
          values: rfc.parameters as Record<string, JsonValue>,
          secrets: {
            [OPS_EXECUTION_SECRET_KEY]: JSON.stringify({
              rfcId: rfc.id,
              secret,
            }),
          },
        },
        // The executor acts for the change management process, not for a
        // person: its own service credentials start the execution run.
        { credentials: await this.options.auth.getOwnServiceCredentials() },
      );
      return { taskId };
    } catch (error) {
      return {
        problem: `the scaffolder did not start the execution of ${
          binding.templateRef
        }: ${describe(error)}`,
      };
    }
  }

  /**
   * The pinned binding, checked against the catalog: the template must still
   * be the change type and version the RFC was created with.
   */
  private async resolveBinding(
    rfc: Rfc,
  ): Promise<{ binding: RfcBinding } | { problem: string }> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const current = await this.options.changeTypes.get(
      rfc.changeTypeId,
      rfc.changeTypeVersion,
      credentials,
      { includeDeprecated: true },
    );
    if (!current) {
      return {
        problem: `change type ${rfc.changeTypeId} ${rfc.changeTypeVersion} is no longer a valid change type in the catalog, so nothing was run`,
      };
    }
    const pinned = rfc.binding ?? {
      templateRef: current.templateRef,
      ...(current.serviceCatalog
        ? {
            serviceCatalog: {
              productId: current.serviceCatalog.productId,
              provisioningArtifactId:
                current.serviceCatalog.provisioningArtifactId,
            },
          }
        : {}),
    };
    if (current.templateRef !== pinned.templateRef) {
      return {
        problem: `change type ${rfc.changeTypeId} ${rfc.changeTypeVersion} is now defined by ${current.templateRef}, not ${pinned.templateRef} as when the RFC was created, so nothing was run`,
      };
    }
    if (current.automation !== 'automated') {
      return {
        problem: `change type ${rfc.changeTypeId} ${rfc.changeTypeVersion} is no longer automated, so nothing was run; a person carries it out`,
      };
    }
    return { binding: pinned };
  }

  private async outputsOf(rfc: Rfc): Promise<Record<string, string>> {
    const outputs: Record<string, string> = {};
    for (const o of await this.options.store.listExecutionOutputs(rfc.id)) {
      if (o.attempt === rfc.attempt) outputs[o.name] = o.value;
    }
    return outputs;
  }

  /** The task's own error, or the last failed step's last line. */
  private async failureOf(taskId: string, status: string): Promise<string> {
    try {
      const events = await this.options.scaffolder.getLogs(
        { taskId },
        { credentials: await this.options.auth.getOwnServiceCredentials() },
      );
      const completion = [...events]
        .reverse()
        .find(e => e.type === 'completion' || e.type === 'cancelled');
      const body = completion?.body as
        | { message?: string; error?: { message?: string } }
        | undefined;
      if (body?.error?.message) return body.error.message;
      const lastLog = [...events].reverse().find(e => e.type === 'log');
      if (lastLog?.body.message) {
        return `the execution task ${status}: ${lastLog.body.message}`;
      }
    } catch (error) {
      return `the execution task ${taskId} ${status}; its log could not be read: ${describe(
        error,
      )}`;
    }
    return `the execution task ${taskId} ${status}`;
  }

  /**
   * Whether a freeze holds the RFC now: for the window from now for as long
   * as the change takes. A held RFC records the freeze and waits, and is
   * rejected once its requested end has passed; one no longer held is
   * released. Emergencies override freezes (recorded when submitted).
   * Returns the RFC to start, or `held`.
   */
  private async checkFreezes(rfc: Rfc): Promise<Rfc | 'held'> {
    const freezes = this.options.freezes;
    if (!freezes || rfc.changeClass === 'emergency') return rfc;
    const now = this.now();
    if (
      rfc.hold &&
      Date.parse(rfc.hold.until) > now.getTime() &&
      (await freezes.stillHolds(rfc.hold))
    ) {
      await this.expireIfPastEnd(rfc);
      return 'held';
    }
    const requested = rfcWindow(rfc, now);
    const window = {
      start: now,
      end: new Date(
        now.getTime() + requested.end.getTime() - requested.start.getTime(),
      ),
    };
    const holding = await freezes.holding(
      await freezes.targetOf(rfc),
      window,
      rfc,
    );
    if (holding.length === 0) {
      if (!rfc.hold) return rfc;
      return this.transition(rfc, 'release', 'Scheduled', {
        comment: `the freeze "${rfc.hold.freezeName}" no longer holds it`,
        changes: { hold: undefined },
      });
    }
    // It waits for the freeze that ends last.
    const last = holding.reduce((a, b) => (b.end > a.end ? b : a));
    if (await this.expireIfPastEnd(rfc)) return 'held';
    // Written each time the freezes were looked at in full: first, after the
    // awaited occurrence ended, or after its freeze changed.
    const hold: RfcHold = {
      freezeId: last.freezeId,
      freezeName: last.name,
      reason: last.reason,
      until: last.end,
      since: rfc.hold?.since ?? now.toISOString(),
      checkedAt: now.toISOString(),
    };
    const held = await this.transition(rfc, 'hold', 'Scheduled', {
      comment: `held by the freeze "${last.name}" (${last.freezeId}) until ${last.end}: ${last.reason}`,
      changes: { hold },
    });
    await this.options.notifier?.notifyOnce(
      `rfc-held:${rfc.id}:${last.freezeId}:${last.start}`,
      {
        recipients: [rfc.requester],
        topic: 'rfc-held',
        title: `${rfc.id} waits for the freeze "${last.name}"`,
        description: `${last.reason}. ${
          rfc.title
        } starts when the freeze ends at ${last.end}${
          rfc.requestedEndTime
            ? `, unless that is after its requested end ${rfc.requestedEndTime}; then it is rejected`
            : ''
        }.`,
        link: `/ops/rfcs/${encodeURIComponent(rfc.id)}`,
        severity: 'high',
      },
    );
    this.options.logger.info(
      `${held.id} is held by freeze ${last.freezeId} until ${last.end}`,
    );
    return 'held';
  }

  /** Rejects a held RFC whose requested end has passed; true when it did. */
  private async expireIfPastEnd(rfc: Rfc): Promise<boolean> {
    if (
      !rfc.hold ||
      !rfc.requestedEndTime ||
      Date.parse(rfc.requestedEndTime) > this.now().getTime()
    ) {
      return false;
    }
    const reason = `the freeze "${rfc.hold.freezeName}" (${rfc.hold.freezeId}) held it past its requested end ${rfc.requestedEndTime}`;
    await this.transition(rfc, 'expire', 'Rejected', {
      comment: reason,
      changes: { statusReason: reason },
      execution: { releaseLease: true, leaseOwner: this.owner },
    });
    // An approved change that will not run: its requester hears why.
    await this.options.notifier?.notify({
      recipients: [rfc.requester],
      topic: 'rfc-decided',
      title: `${rfc.id} was rejected`,
      description: `${rfc.title}: ${reason}.`,
      link: `/ops/rfcs/${encodeURIComponent(rfc.id)}`,
      severity: 'high',
    });
    return true;
  }

  private async fail(rfc: Rfc, reason: string): Promise<Rfc> {
    const failed = await this.transition(rfc, 'fail', 'Failure', {
      comment: reason,
      changes: { statusReason: reason, outcomeNotes: reason },
      execution: {
        releaseLease: true,
        secretHash: null,
        leaseOwner: this.owner,
      },
    });
    await this.ended(failed);
    return failed;
  }

  /** Its hook's failure never undoes the ended RFC. */
  private async ended(rfc: Rfc) {
    await this.options
      .onEnded?.(rfc)
      .catch(error =>
        this.options.logger.warn(`After ${rfc.id} ended: ${describe(error)}`),
      );
  }

  private async transition(
    rfc: Rfc,
    action: RfcAction,
    to: RfcStatus,
    options: {
      comment?: string;
      changes?: Parameters<RfcStore['transition']>[0]['changes'];
      execution?: Parameters<RfcStore['transition']>[0]['execution'];
    },
  ): Promise<Rfc> {
    const decision = decideRfcTransition(action, {
      rfc,
      actor: { kind: 'system' },
      centralItGroup: this.options.centralItGroup,
      now: this.now(),
    });
    if (!decision.allowed || decision.to !== to) {
      throw new ConflictError(
        `${rfc.id}: the executor may not ${action} it now${
          decision.allowed ? '' : `: ${decision.reason}`
        }`,
      );
    }
    // An executed emergency owes its review from the moment it ends.
    const ended = to === 'Success' || to === 'Failure';
    const changes =
      ended && rfc.changeClass === 'emergency'
        ? {
            ...options.changes,
            reviewDueAt: emergencyReviewDueAt(
              this.now(),
              this.options.emergencyReviewDays,
            ),
          }
        : options.changes;
    const after = await this.options.store.transition({
      id: rfc.id,
      expectedStatus: rfc.status,
      expectedVersion: rfc.version,
      toStatus: to,
      changes,
      execution: options.execution,
      event: {
        actor: EXECUTOR_ACTOR,
        action,
        ...(options.comment ? { comment: options.comment } : {}),
      },
    });
    const notifier = this.options.notifier;
    if (notifier) {
      for (const note of notificationsForTransition(
        rfc,
        after,
        EXECUTOR_ACTOR,
      )) {
        await notifier.notify(note);
      }
    }
    return after;
  }
}

function summarizeOutputs(outputs: Record<string, string>): string | undefined {
  const parts: string[] = [];
  const o = EXECUTION_OUTPUTS;
  if (outputs[o.provisionedProductId]) {
    parts.push(
      `Provisioned ${outputs[o.provisionedProductId]}${
        outputs[o.recordId] ? ` (record ${outputs[o.recordId]})` : ''
      }`,
    );
  }
  if (outputs[o.stackEntityRef])
    parts.push(`stack ${outputs[o.stackEntityRef]}`);
  for (const [key, label] of [
    [o.maintenanceWindowId, 'maintenance window'],
    [o.patchBaselineId, 'patch baseline'],
    [o.commandId, 'patch run'],
    [o.backupPlanId, 'backup plan'],
    [o.backupJobId, 'backup job'],
    [o.snapshotId, 'snapshot'],
    [o.restoreJobId, 'restore job'],
  ] as const) {
    if (outputs[key]) parts.push(`${label} ${outputs[key]}`);
  }
  return parts.length ? `${parts.join('; ')}.` : undefined;
}

function isNotFound(error: unknown): boolean {
  if (error instanceof NotFoundError) return true;
  const e = error as { name?: string; response?: { status?: number } };
  return e?.name === 'NotFoundError' || e?.response?.status === 404;
}

function describe(error: unknown): string {
  return isError(error) ? error.message : String(error);
}
