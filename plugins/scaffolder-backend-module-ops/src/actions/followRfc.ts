import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import { readExecutionSecret } from '../execution/executionGuard';
import { OpsRfcClient } from '../rfc/OpsRfcClient';
import { examples } from './followRfc.examples';
import { rfcIdInput } from './rfcIdInput';

/** @public */
export type FollowRfcOptions = {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Longest the person's run follows an execution (config `ops.scaffolder.followTimeout`). */
  maxFollowMs: number;
  /** Pause between reads when the log has nothing new. */
  pollIntervalMs: number;
  appBaseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/**
 * `ops:rfc:follow` lets the person's run of a pre-approved change type watch
 * its execution for a bounded time: it copies the execution's log lines into
 * this task's log and ends when the RFC does, or when the time is up (the
 * execution goes on). An RFC still waiting for approval, or approved for a
 * later start, is not waited for: the step says so and ends at once, so no
 * worker is held while people decide.
 *
 * @public
 */
export function createRfcFollowAction(options: FollowRfcOptions) {
  const client = new OpsRfcClient(options);
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));
  const rfcUrl = (id: string) =>
    `${options.appBaseUrl ?? ''}/ops/rfcs/${encodeURIComponent(id)}`;

  return createTemplateAction({
    id: 'ops:rfc:follow',
    description:
      "Follows an approved RFC's execution for a bounded time and copies its log; ends at once while the RFC awaits approval or a later start",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        rfcId: rfcIdInput('The RFC to follow, the output of ops:rfc:create'),
        timeoutMinutes: z =>
          z
            .number()
            .int()
            .min(1)
            .max(120)
            .optional()
            .describe(
              'How long to follow; at most the configured ops.scaffolder.followTimeout',
            ),
      },
      output: {
        status: z =>
          z.string().describe('Status of the RFC when following ended'),
        stackEntityRef: z =>
          z.string().describe('The stack the execution provisioned, if it did'),
      },
    },
    async handler(ctx) {
      const { rfcId } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would follow the execution of ${rfcId}`);
        ctx.output('status', 'Scheduled');
        ctx.output('stackEntityRef', '');
        return;
      }
      if (readExecutionSecret(ctx)) {
        // Templates skip this step in the execution run; following oneself is moot.
        ctx.logger.info('Not following: this task is the execution itself');
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const limit = Math.min(
        (ctx.input.timeoutMinutes ?? Infinity) * 60_000,
        options.maxFollowMs,
      );
      const deadline = now() + limit;
      let after: number | undefined;
      let taskId: string | undefined;

      for (;;) {
        const rfc = await client.getRfc(rfcId, credentials);
        const waiting = notYetRunning(rfc, now());
        if (waiting) {
          ctx.logger.info(`${rfcId} ${waiting} Follow it at ${rfcUrl(rfcId)}`);
          ctx.output('status', rfc.status);
          ctx.output('stackEntityRef', '');
          return;
        }
        if (rfc.taskId !== taskId) {
          taskId = rfc.taskId;
          after = undefined;
        }
        if (taskId) {
          const lines = await client.getExecutionLogs(
            rfcId,
            after,
            credentials,
          );
          for (const line of lines) {
            after = line.id;
            if (line.type === 'log' && line.message) {
              ctx.logger.info(
                `[execution${line.stepId ? ` ${line.stepId}` : ''}] ${
                  line.message
                }`,
              );
            }
          }
        }
        if (rfc.status === 'Success' || rfc.status === 'Failure') {
          const execution = await client.getExecution(rfcId, credentials);
          if (rfc.status === 'Failure') {
            throw new Error(
              `${rfcId} failed: ${
                rfc.statusReason ?? execution.error ?? 'no reason was given'
              }. See ${rfcUrl(rfcId)}`,
            );
          }
          ctx.logger.info(
            `${rfcId} succeeded${
              execution.stackEntityRef
                ? `; the stack is ${execution.stackEntityRef}`
                : ''
            }`,
          );
          ctx.output('status', rfc.status);
          ctx.output('stackEntityRef', execution.stackEntityRef ?? '');
          return;
        }
        if (rfc.status === 'Rejected' || rfc.status === 'Canceled') {
          throw new Error(
            `${rfcId} was ${rfc.status.toLocaleLowerCase('en-US')}${
              rfc.statusReason ? `: ${rfc.statusReason}` : ''
            }`,
          );
        }
        if (now() >= deadline) {
          ctx.logger.info(
            `${rfcId} is still ${
              rfc.status
            }; it goes on without this task. Follow it at ${rfcUrl(rfcId)}`,
          );
          ctx.output('status', rfc.status);
          ctx.output('stackEntityRef', '');
          return;
        }
        if (ctx.signal?.aborted) {
          throw new Error(`Stopped following ${rfcId}: the task was cancelled`);
        }
        await sleep(options.pollIntervalMs);
      }
    },
  });
}

/** Why the RFC is not being carried out yet, or undefined once it is (or is done). */
function notYetRunning(rfc: Rfc, now: number): string | undefined {
  switch (rfc.status) {
    case 'Editing':
      return 'is a draft: submit it to ask for approval.';
    case 'PendingApproval':
      return `waits for approval by ${
        rfc.approverGroup ?? 'its approvers'
      }; it is carried out once approved.`;
    case 'Scheduled':
      if (rfc.requestedStartTime && Date.parse(rfc.requestedStartTime) > now) {
        return `is approved and is carried out at ${rfc.requestedStartTime}.`;
      }
      return undefined;
    default:
      return undefined;
  }
}
