import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  EXECUTION_OUTPUTS,
  isEntityTagKey,
  RESERVED_AWS_TAGS,
  toAwsTags,
  AWS_TAG_VALUE_MAX_LENGTH,
} from '@cloud-ops/plugin-ops-common';
import {
  stackEntityRefFor,
  type ProvisionRecord,
  type ServiceCatalogGateway,
} from '@cloud-ops/plugin-ops-node';
import type { ExecutionGuard } from '../execution/executionGuard';
import { examples } from './provisionProduct.examples';

const ACTION_ID = 'aws:servicecatalog:provision';

/** @public */
export type ProvisionProductActionOptions = {
  gateway: ServiceCatalogGateway;
  guard: ExecutionGuard;
  /** Longest wait for the record to finish (config `ops.scaffolder.provisionTimeout`). */
  timeoutMs: number;
  /** Time between DescribeRecord calls. */
  pollIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/**
 * `aws:servicecatalog:provision` provisions the Service Catalog product of
 * the RFC it carries out, tagged with its owner, component, RFC, cost center
 * and environment, and waits for the record to finish.
 *
 * It acts only inside the execution run of an approved RFC. What is
 * provisioned comes from the RFC, never from step inputs: the product and
 * artifact are the pinned change-type version's binding, the account and
 * region the target entity's, the owner and component the RFC's. The
 * ProvisionToken is the attempt's token, so a resumed or recovered task gets
 * the record it already started instead of a second stack, and only an
 * explicit retry (a new attempt) provisions again.
 *
 * @public
 */
export function createServiceCatalogProvisionAction(
  options: ProvisionProductActionOptions,
) {
  const { gateway } = options;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));

  return createTemplateAction({
    id: ACTION_ID,
    description:
      "Provisions an AWS Service Catalog product for an RFC and waits for the record to finish, returning the stack's outputs",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        provisionedProductName: z =>
          z
            .string()
            .regex(
              /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/,
              'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)',
            )
            .describe("Name of the stack, from the RFC's parameters"),
        parameters: z =>
          z
            .record(z.union([z.string(), z.number(), z.boolean()]))
            .default({})
            .describe(
              "Provisioning parameters of the product, from the RFC's parameters",
            ),
        costCenter: z => z.string().min(1).describe('Cost center to charge'),
        environment: z =>
          z.string().min(1).describe('Environment, e.g. dev, staging, prod'),
        tags: z =>
          z
            .record(z.string())
            .default({})
            .describe('Further key/value tags for the stack'),
      },
      output: {
        recordId: z => z.string(),
        provisionedProductId: z => z.string(),
        provisionedProductName: z => z.string(),
        stackEntityRef: z =>
          z.string().describe('The Resource entity the stack becomes'),
        outputs: z => z.record(z.string()).describe('Stack outputs by key'),
        sandbox: z =>
          z
            .boolean()
            .describe('True when the sandbox Service Catalog provisioned it'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const parameters = Object.fromEntries(
        Object.entries(input.parameters ?? {}).map(([k, v]) => [k, String(v)]),
      );
      const stackEntityRef = stackEntityRefFor(input.provisionedProductName);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would provision the RFC's product as ${input.provisionedProductName}`,
        );
        ctx.output('recordId', 'rec-dry-run');
        ctx.output('provisionedProductId', 'pp-dry-run');
        ctx.output('provisionedProductName', input.provisionedProductName);
        ctx.output('stackEntityRef', stackEntityRef);
        ctx.output('outputs', {});
        ctx.output('sandbox', gateway.implementation === 'sandbox');
        return;
      }

      const execution = await options.guard.require(ctx, { id: ACTION_ID });
      const { rfc, target } = execution;
      const product = execution.binding.serviceCatalog;
      if (!product) {
        throw new InputError(
          `${rfc.id}: change type ${rfc.changeTypeId} ${rfc.changeTypeVersion} has no Service Catalog product (annotations cloud-ops.io/servicecatalog-product-id and -artifact-id), so nothing was provisioned`,
        );
      }
      const tags = stackTags({
        rfcId: rfc.id,
        owner: target.ownerGroup,
        entityRef: target.entityRef,
        costCenter: input.costCenter,
        environment: input.environment,
        tags: input.tags,
      });
      const provisionToken = execution.token;
      const request = {
        productId: product.productId,
        provisioningArtifactId: product.provisioningArtifactId,
        provisionedProductName: input.provisionedProductName,
        provisionToken,
        parameters,
        tags: toAwsTags(tags),
        account: target.account,
        region: target.region,
      };

      const started = await ctx.checkpoint({
        key: `aws.servicecatalog.provision.${provisionToken}`,
        fn: async () => {
          const record = await gateway.provisionProduct(request);
          return {
            recordId: record.recordId,
            provisionedProductId: record.provisionedProductId,
          };
        },
      });
      await options.guard.report(ctx, execution, {
        [EXECUTION_OUTPUTS.provisionedProductId]: started.provisionedProductId,
        [EXECUTION_OUTPUTS.recordId]: started.recordId,
      });
      ctx.logger.info(
        `Provisioning ${input.provisionedProductName} (${
          started.provisionedProductId
        }) from ${product.productId}/${product.provisioningArtifactId} in ${
          target.account
        }/${target.region}, record ${started.recordId}${
          gateway.implementation === 'sandbox'
            ? ' in the sandbox Service Catalog'
            : ''
        }`,
      );

      const deadline = now() + options.timeoutMs;
      let record: ProvisionRecord;
      let lastStatus = '';
      for (;;) {
        record = await gateway.describeRecord({
          recordId: started.recordId,
          account: target.account,
          region: target.region,
        });
        if (record.status !== lastStatus) {
          ctx.logger.info(`Record ${record.recordId} is ${record.status}`);
          lastStatus = record.status;
        }
        if (record.status === 'SUCCEEDED') break;
        if (record.status === 'FAILED') {
          throw new Error(
            `Provisioning ${input.provisionedProductName} failed: ${
              record.errors.join('; ') || 'AWS gave no reason'
            }`,
          );
        }
        if (now() >= deadline) {
          throw new Error(
            `Provisioning ${input.provisionedProductName} did not finish in time; record ${record.recordId} is still ${record.status}. A retry of the RFC provisions anew as its next attempt.`,
          );
        }
        await sleep(options.pollIntervalMs);
        if (ctx.signal?.aborted) {
          // The record keeps running in AWS; a retry resumes it by token.
          throw new Error(
            `Stopped waiting for ${input.provisionedProductName}: the task was cancelled; record ${record.recordId} was ${record.status}`,
          );
        }
      }

      await options.guard.report(ctx, execution, {
        [EXECUTION_OUTPUTS.stackEntityRef]: stackEntityRef,
      });
      ctx.output('recordId', record.recordId);
      ctx.output('provisionedProductId', started.provisionedProductId);
      ctx.output('provisionedProductName', input.provisionedProductName);
      ctx.output('stackEntityRef', stackEntityRef);
      ctx.output('outputs', record.outputs);
      ctx.output('sandbox', record.sandbox);
    },
  });
}

/** The stack's AWS tags: the suite's reserved keys plus key/value tags. */
function stackTags(input: {
  rfcId: string;
  owner: string;
  entityRef: string;
  costCenter: string;
  environment: string;
  tags?: Record<string, string>;
}): Record<string, string> {
  const extra = input.tags ?? {};
  for (const [key, value] of Object.entries(extra)) {
    if (!isEntityTagKey(key) || key.startsWith('cloud-ops.io')) {
      throw new InputError(
        `Tag key "${key}" is not allowed: use 1-63 letters, digits, "-", "_" or "." and not the reserved cloud-ops.io prefix`,
      );
    }
    if (value.length > AWS_TAG_VALUE_MAX_LENGTH) {
      throw new InputError(
        `Tag "${key}" is longer than ${AWS_TAG_VALUE_MAX_LENGTH} characters`,
      );
    }
  }
  for (const [name, value] of Object.entries({
    costCenter: input.costCenter,
    environment: input.environment,
  })) {
    if (value.length > AWS_TAG_VALUE_MAX_LENGTH) {
      throw new InputError(
        `${name} is longer than ${AWS_TAG_VALUE_MAX_LENGTH} characters`,
      );
    }
  }
  return {
    ...extra,
    'cost-center': input.costCenter,
    environment: input.environment,
    [RESERVED_AWS_TAGS.owner]: input.owner,
    [RESERVED_AWS_TAGS.entityRef]: input.entityRef,
    [RESERVED_AWS_TAGS.rfc]: input.rfcId,
  };
}
