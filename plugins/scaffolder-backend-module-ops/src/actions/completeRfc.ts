import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { isConflict, OpsRfcClient } from '../rfc/OpsRfcClient';
import { examples } from './completeRfc.examples';
import { rfcIdInput } from './rfcIdInput';

const ATTEMPTS = 3;

/**
 * `ops:rfc:complete` closes an RFC with its outcome.
 *
 * @public
 */
export function createRfcCompleteAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  fetch?: typeof fetch;
}) {
  const client = new OpsRfcClient(options);
  return createTemplateAction({
    id: 'ops:rfc:complete',
    description: 'Closes an RFC in progress as Success or Failure',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        rfcId: rfcIdInput('The RFC to close'),
        outcome: z =>
          z.enum(['Success', 'Failure']).default('Success').describe('Outcome'),
        outcomeNotes: z =>
          z
            .string()
            .max(4000)
            .optional()
            .describe('What was done, e.g. the stack that was provisioned'),
      },
      output: {
        status: z => z.string().describe('Status of the RFC after closing'),
      },
    },
    async handler(ctx) {
      const { rfcId } = ctx.input;
      const outcome = ctx.input.outcome ?? 'Success';
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would close ${rfcId} as ${outcome}`);
        ctx.output('status', outcome);
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const status = await ctx.checkpoint({
        key: `ops.rfc.complete.${rfcId}`,
        fn: async () => {
          for (let attempt = 1; ; attempt++) {
            const rfc = await client.getRfc(rfcId, credentials);
            if (rfc.status === outcome) {
              return rfc.status;
            }
            if (rfc.status !== 'InProgress') {
              throw new Error(
                `${rfcId} cannot be closed as ${outcome}: it is ${rfc.status}, not InProgress`,
              );
            }
            try {
              const done = await client.completeRfc(
                rfcId,
                {
                  version: rfc.version,
                  outcome,
                  outcomeNotes: ctx.input.outcomeNotes || undefined,
                },
                credentials,
              );
              return done.status;
            } catch (error) {
              // Another writer won the race (a comment, the reconciler): re-read.
              if (isConflict(error) && attempt < ATTEMPTS) continue;
              throw error;
            }
          }
        },
      });
      ctx.logger.info(`${rfcId} closed as ${status}`);
      ctx.output('status', status);
    },
  });
}
