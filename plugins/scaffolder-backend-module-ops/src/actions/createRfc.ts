import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import {
  ExecutionGuard,
  readExecutionSecret,
} from '../execution/executionGuard';
import { OpsRfcClient } from '../rfc/OpsRfcClient';
import { examples } from './createRfc.examples';

const ACTION_ID = 'ops:rfc:create';

/**
 * `ops:rfc:create` is the intake step of a change type's template.
 *
 * In the person's run it records the RFC from the form, as that person, and
 * by default submits it; the run ends there, holding no worker while people
 * decide. In the execution run the executor launches once the RFC is
 * approved, it records nothing: it proves the run is that execution and
 * outputs `execution: true`, the condition every automation step of the
 * template carries (`if: ${{ steps.rfc.output.execution }}`).
 *
 * @public
 */
export function createRfcCreateAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  guard: ExecutionGuard;
  /** The portal's frontend, for links to the RFC page (config `app.baseUrl`). */
  appBaseUrl?: string;
  fetch?: typeof fetch;
}) {
  const client = new OpsRfcClient(options);
  const rfcUrl = (id: string) =>
    `${options.appBaseUrl ?? ''}/ops/rfcs/${encodeURIComponent(id)}`;
  // Applied here as well as in the schema: the scaffolder does not fill in
  // schema defaults before calling the handler.
  const defaults = {
    implementationPlan:
      'Carried out by the change type template through the portal.',
    testPlan: 'The change type template is tested by the platform team.',
    rollbackPlan: 'Terminate the provisioned product.',
  };
  return createTemplateAction({
    id: ACTION_ID,
    description:
      'Records a Request for Change for a change type and submits it for approval; in the execution run of an approved RFC, proves the run and outputs execution: true',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        changeTypeId: z =>
          z
            .string()
            .min(1)
            .describe('Id of the change type, e.g. ec2-linux-stack'),
        changeTypeVersion: z =>
          z
            .string()
            .optional()
            .describe(
              'Version of the change type; defaults to the approved one',
            ),
        title: z =>
          z.string().min(1).max(200).describe('Short title of the RFC'),
        description: z =>
          z
            .string()
            .optional()
            .describe('What is changing and why; defaults to the title'),
        targetEntityRef: z =>
          z
            .string()
            .regex(
              /^[a-z]+:[^/]+\/.+$/i,
              'must be an entity ref such as component:default/storefront',
            )
            .describe('The component or stack the change applies to'),
        parameters: z =>
          z
            .record(z.unknown())
            .default({})
            .describe("The change type's parameters from the form"),
        implementationPlan: z =>
          z
            .string()
            .min(1)
            .default(defaults.implementationPlan)
            .describe('How the change is carried out'),
        testPlan: z =>
          z
            .string()
            .min(1)
            .default(defaults.testPlan)
            .describe('How the change was or will be tested'),
        rollbackPlan: z =>
          z
            .string()
            .min(1)
            .default(defaults.rollbackPlan)
            .describe('How to back the change out'),
        peerReviewer: z =>
          z.string().optional().describe('User entity ref of a peer reviewer'),
        risk: z =>
          z
            .enum(['low', 'medium', 'high'])
            .optional()
            .describe("Risk; defaults to the change type's"),
        // Empty when the form field was left blank.
        requestedStartTime: z =>
          z
            .union([
              z.string().datetime({ offset: true }),
              z.literal(''),
              z.literal('now'),
            ])
            .optional()
            .describe(
              'ISO 8601 time the change may start; empty means as soon as approved; "now" (emergencies only) starts it the moment it is approved',
            ),
        requestedEndTime: z =>
          z
            .union([z.string().datetime({ offset: true }), z.literal('')])
            .optional()
            .describe('ISO 8601 time the change must be done by'),
        emergencyIncidentId: z =>
          z
            .union([
              z
                .string()
                .regex(
                  /^INC-\d{1,9}$/,
                  'must be an incident id such as INC-000012',
                ),
              z.literal(''),
            ])
            .optional()
            .describe(
              'Makes the RFC an emergency change: the open P1 or P2 incident of the target team it answers',
            ),
        freezeOverrideReason: z =>
          z
            .string()
            .max(2000)
            .optional()
            .describe(
              'Emergencies only: why the change must go ahead inside a freeze window; recorded on the RFC',
            ),
        submit: z =>
          z
            .boolean()
            .default(true)
            .describe(
              'Submit for approval at once (pre-approved types come back approved)',
            ),
      },
      output: {
        rfcId: z => z.string().describe('Id of the RFC, e.g. RFC-000123'),
        status: z => z.string().describe('Status of the RFC after creation'),
        execution: z =>
          z
            .boolean()
            .describe(
              'True only in the execution run of the approved RFC; automation steps run on it',
            ),
        approverGroup: z =>
          z
            .string()
            .describe('Group that must approve; empty when none needs to'),
        rfcUrl: z => z.string().describe('The RFC page, to follow it'),
        summary: z =>
          z.string().describe('Where the RFC stands, in a sentence'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      if (readExecutionSecret(ctx) && !ctx.isDryRun) {
        const execution = await options.guard.require(ctx, { id: ACTION_ID });
        const { rfc } = execution;
        ctx.logger.info(
          `Carrying out ${rfc.id} (attempt ${execution.attempt}) on ${
            execution.target.entityRef
          }${execution.sandbox ? ' in the sandbox account' : ''}`,
        );
        ctx.output('rfcId', rfc.id);
        ctx.output('status', rfc.status);
        ctx.output('execution', true);
        ctx.output('approverGroup', rfc.approverGroup ?? '');
        ctx.output('rfcUrl', rfcUrl(rfc.id));
        ctx.output('summary', `${rfc.id} is being carried out.`);
        return;
      }
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would record an RFC for change type ${input.changeTypeId} on ${input.targetEntityRef}`,
        );
        // A well-formed id, so the dry run of the later steps accepts it.
        ctx.output('rfcId', 'RFC-000000');
        ctx.output(
          'status',
          input.submit === false ? 'Editing' : 'PendingApproval',
        );
        ctx.output('execution', false);
        ctx.output('approverGroup', '');
        ctx.output('rfcUrl', rfcUrl('RFC-000000'));
        ctx.output('summary', 'Dry run: no RFC was recorded.');
        return;
      }
      if (input.freezeOverrideReason?.trim() && !input.emergencyIncidentId) {
        throw new InputError(
          'freezeOverrideReason is for emergency changes only: give emergencyIncidentId, the open P1 or P2 incident the change answers',
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      // Checkpointed: a resumed or retried task reuses the RFC it already made.
      const rfc = await ctx.checkpoint({
        key: `ops.rfc.create.${ctx.step?.id ?? 'rfc'}`,
        fn: async () => {
          const created = await client.createRfc(
            {
              changeTypeId: input.changeTypeId,
              changeTypeVersion: input.changeTypeVersion,
              title: input.title,
              // The ops backend requires a description; the title is the least surprising one.
              description: input.description || input.title,
              targetEntityRef: input.targetEntityRef,
              parameters: input.parameters ?? {},
              implementationPlan:
                input.implementationPlan ?? defaults.implementationPlan,
              testPlan: input.testPlan ?? defaults.testPlan,
              rollbackPlan: input.rollbackPlan ?? defaults.rollbackPlan,
              peerReviewer: input.peerReviewer || undefined,
              risk: input.risk,
              requestedStartTime: input.requestedStartTime || undefined,
              requestedEndTime: input.requestedEndTime || undefined,
              ...(input.emergencyIncidentId
                ? {
                    emergency: {
                      incidentId: input.emergencyIncidentId,
                      ...(input.freezeOverrideReason?.trim()
                        ? {
                            freezeOverrideReason:
                              input.freezeOverrideReason.trim(),
                          }
                        : {}),
                    },
                  }
                : {}),
              submit: input.submit ?? true,
            },
            credentials,
          );
          return {
            id: created.id,
            status: created.status,
            approverGroup: created.approverGroup ?? '',
            requestedStartTime: created.requestedStartTime ?? '',
          };
        },
      });
      const summary = describeIntake(rfc);
      ctx.logger.info(`Recorded ${rfc.id}: ${summary}`);
      ctx.logger.info(`Follow it at ${rfcUrl(rfc.id)}`);
      ctx.output('rfcId', rfc.id);
      ctx.output('status', rfc.status);
      ctx.output('execution', false);
      ctx.output('approverGroup', rfc.approverGroup ?? '');
      ctx.output('rfcUrl', rfcUrl(rfc.id));
      ctx.output('summary', summary);
    },
  });
}

/** Where a just-recorded RFC stands, for the person who asked. */
function describeIntake(rfc: {
  id: string;
  status: Rfc['status'] | string;
  approverGroup?: string;
  requestedStartTime?: string;
}): string {
  switch (rfc.status) {
    case 'Editing':
      return `${rfc.id} is a draft; submit it on its page to ask for approval.`;
    case 'PendingApproval':
      return `${rfc.id} waits for approval by ${
        rfc.approverGroup
      }; once approved it is carried out ${
        rfc.requestedStartTime
          ? `at ${rfc.requestedStartTime}`
          : 'as soon as possible'
      }.`;
    case 'Scheduled':
      return `${rfc.id} is pre-approved and is carried out ${
        rfc.requestedStartTime ? `at ${rfc.requestedStartTime}` : 'now'
      }.`;
    default:
      return `${rfc.id} is ${rfc.status}.`;
  }
}
