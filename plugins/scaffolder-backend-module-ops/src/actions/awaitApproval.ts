import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import { isConflict, OpsRfcClient } from '../rfc/OpsRfcClient';
import { examples } from './awaitApproval.examples';
import { rfcIdInput } from './rfcIdInput';

const PROGRESS_LOG_INTERVAL_MS = 60_000;

/** @public */
export type AwaitApprovalOptions = {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Longest wait before the step gives up (config `ops.scaffolder.approvalTimeout`). */
  timeoutMs: number;
  /** Time between reads of the RFC (config `ops.scaffolder.approvalPollInterval`). */
  pollIntervalMs: number;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * `ops:rfc:await-approval` waits until the RFC is approved and its start
 * time has come, then starts it under this task's id.
 *
 * The wait's deadline is a checkpoint, so a resumed task keeps the original
 * deadline instead of waiting afresh, and the start is a checkpoint, so it is
 * not taken twice. The wait is bounded because a waiting task holds a
 * scaffolder worker slot; see docs/change-types.md.
 *
 * @public
 */
export function createRfcAwaitApprovalAction(options: AwaitApprovalOptions) {
  const client = new OpsRfcClient(options);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;

  return createTemplateAction({
    id: 'ops:rfc:await-approval',
    description:
      'Waits until an RFC is approved and its start time has come, then marks it in progress; fails with the reason when it is rejected',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        rfcId: rfcIdInput('The RFC to wait for, usually the output of ops:rfc:create'),
      },
      output: {
        status: z =>
          z.string().describe('Status of the RFC when the wait ended'),
        approvedBy: z =>
          z
            .array(z.string())
            .describe('Who approved it; empty for pre-approved change types'),
      },
    },
    async handler(ctx) {
      const { rfcId } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would wait for ${rfcId} to be approved`);
        ctx.output('status', 'InProgress');
        ctx.output('approvedBy', []);
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const deadline = await ctx.checkpoint({
        key: `ops.rfc.await-approval.deadline.${rfcId}`,
        fn: async () => now() + options.timeoutMs,
      });

      let lastLogged = '';
      let lastProgressAt = -Infinity;
      for (;;) {
        const rfc = await client.getRfc(rfcId, credentials);
        const waitingFor = await settle(rfc);
        if (!waitingFor) {
          const approvedBy = rfc.approvals
            .filter(a => a.decision === 'approved')
            .map(a => a.approver);
          ctx.logger.info(`${rfcId} is approved and in progress`);
          ctx.output('status', 'InProgress');
          ctx.output('approvedBy', approvedBy);
          return;
        }
        if (waitingFor !== lastLogged) {
          ctx.logger.info(`${rfcId}: ${waitingFor}`);
          lastLogged = waitingFor;
        }
        const left = deadline - now();
        if (left <= 0) {
          throw new Error(
            `${rfcId} is still ${
              rfc.status
            } after the approval wait of ${formatMs(
              options.timeoutMs,
            )}. The RFC stays open: once it is approved, retry this task to continue.`,
          );
        }
        // A line per poll would bury the log; one a minute shows it is alive.
        if (now() - lastProgressAt >= PROGRESS_LOG_INTERVAL_MS) {
          ctx.logger.info(
            `${rfcId} is ${rfc.status}; checking every ${formatMs(
              options.pollIntervalMs,
            )}, ${formatMs(left)} left`,
          );
          lastProgressAt = now();
        }
        await sleep(Math.min(options.pollIntervalMs, left), ctx.signal);
        if (ctx.signal?.aborted) {
          throw new Error(
            `Stopped waiting for ${rfcId}: the task was cancelled`,
          );
        }
      }

      /**
       * Moves the RFC along when it can, and says what is still awaited, or
       * returns undefined once the RFC is in progress under this task.
       */
      async function settle(rfc: Rfc): Promise<string | undefined> {
        switch (rfc.status) {
          case 'Editing':
            return 'waiting for the RFC to be submitted';
          case 'PendingApproval':
            return `waiting for approval${
              rfc.approverGroup ? ` by ${rfc.approverGroup}` : ''
            }`;
          case 'Scheduled': {
            const start = rfc.requestedStartTime
              ? Date.parse(rfc.requestedStartTime)
              : 0;
            if (start > now()) {
              return `approved; waiting for the start time ${rfc.requestedStartTime}`;
            }
            try {
              await ctx.checkpoint({
                key: `ops.rfc.start.${rfc.id}`,
                fn: async () => {
                  await client.startRfc(
                    rfc.id,
                    { version: rfc.version, taskId: ctx.task.id },
                    credentials,
                  );
                },
              });
            } catch (error) {
              // Someone changed the RFC between our read and the start: read again.
              if (isConflict(error)) return 'the RFC changed; reading it again';
              throw error;
            }
            return undefined;
          }
          case 'InProgress':
            if (rfc.taskId && rfc.taskId !== ctx.task.id) {
              throw new Error(
                `${rfc.id} is already being carried out by task ${rfc.taskId}`,
              );
            }
            return undefined;
          case 'Rejected':
            throw new Error(
              `${rfc.id} was rejected: ${await rejectionReason(rfc)}`,
            );
          case 'Canceled':
            throw new Error(
              `${rfc.id} was canceled${
                rfc.statusReason ? `: ${rfc.statusReason}` : ''
              }`,
            );
          default:
            throw new Error(`${rfc.id} is already closed as ${rfc.status}`);
        }
      }

      async function rejectionReason(rfc: Rfc): Promise<string> {
        if (rfc.statusReason) return rfc.statusReason;
        const rejection = [...rfc.approvals]
          .reverse()
          .find(a => a.decision === 'rejected' && a.comment);
        if (rejection?.comment) return rejection.comment;
        const events = await client.listEvents(rfc.id, credentials);
        const event = [...events]
          .reverse()
          .find(e => e.toStatus === 'Rejected' && e.comment);
        return event?.comment ?? 'no reason was given';
      }
    },
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.round(m / 60)}h`;
}
