import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  isEntityTagKey,
  RESERVED_AWS_TAGS,
  toAwsTags,
  AWS_TAG_VALUE_MAX_LENGTH,
} from '@cloud-ops/plugin-ops-common';
import type {
  ProvisionRecord,
  ServiceCatalogGateway,
} from '@cloud-ops/plugin-ops-node';
import { examples } from './provisionProduct.examples';
import { rfcIdInput } from './rfcIdInput';

/** @public */
export type ProvisionProductActionOptions = {
  gateway: ServiceCatalogGateway;
  /** Longest wait for the record to finish (config `ops.scaffolder.provisionTimeout`). */
  timeoutMs: number;
  /** Time between DescribeRecord calls. */
  pollIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const ENTITY_REF = /^[a-z]+:[^/]+\/.+$/i;

/**
 * The ProvisionToken for an RFC. AWS treats a repeated ProvisionProduct with
 * the same token as the same request, so a retried or resumed task gets the
 * record it already started instead of a second stack.
 *
 * @public
 */
export function provisionTokenFor(rfcId: string, stepId?: string): string {
  const raw = stepId ? `ops-${rfcId}-${stepId}` : `ops-${rfcId}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
}

/**
 * `aws:servicecatalog:provision` provisions a change type's Service Catalog
 * product, tagged with its owner, component, RFC, cost center and environment.
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
    id: 'aws:servicecatalog:provision',
    description:
      "Provisions an AWS Service Catalog product for an RFC and waits for the record to finish, returning the stack's outputs",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        rfcId: rfcIdInput('The RFC this provisioning carries out'),
        productId: z =>
          z
            .string()
            .regex(
              /^prod-[a-z0-9]{4,}$/,
              'must be a product id such as prod-abcd1234',
            )
            .describe('Service Catalog product id'),
        provisioningArtifactId: z =>
          z
            .string()
            .regex(
              /^pa-[a-z0-9]{4,}$/,
              'must be an artifact id such as pa-abcd1234',
            )
            .describe('Service Catalog provisioning artifact (version) id'),
        provisionedProductName: z =>
          z
            .string()
            .regex(
              /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/,
              'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)',
            )
            .describe('Name of the stack'),
        parameters: z =>
          z
            .record(z.union([z.string(), z.number(), z.boolean()]))
            .default({})
            .describe('Provisioning parameters of the product'),
        owner: z =>
          z
            .string()
            .regex(
              ENTITY_REF,
              'must be an entity ref such as group:default/web',
            )
            .describe('Owning group of the stack'),
        entityRef: z =>
          z
            .string()
            .regex(
              ENTITY_REF,
              'must be an entity ref such as component:default/storefront',
            )
            .describe('The component the stack belongs to'),
        costCenter: z => z.string().min(1).describe('Cost center to charge'),
        environment: z =>
          z.string().min(1).describe('Environment, e.g. dev, staging, prod'),
        tags: z =>
          z
            .record(z.string())
            .default({})
            .describe('Further key/value tags for the stack'),
        account: z =>
          z
            .string()
            .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
            .optional()
            .describe('AWS account; defaults to config ops.aws.accountId'),
        region: z =>
          z
            .string()
            .regex(
              /^[a-z]{2}(?:-[a-z]+)+-\d$/,
              'must be an AWS region such as eu-west-1',
            )
            .optional()
            .describe('AWS region; defaults to config ops.aws.region'),
      },
      output: {
        recordId: z => z.string(),
        provisionedProductId: z => z.string(),
        provisionedProductName: z => z.string(),
        outputs: z => z.record(z.string()).describe('Stack outputs by key'),
        sandbox: z =>
          z
            .boolean()
            .describe('True when the sandbox Service Catalog provisioned it'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const tags = stackTags(input);
      const parameters = Object.fromEntries(
        Object.entries(input.parameters ?? {}).map(([k, v]) => [k, String(v)]),
      );
      const provisionToken = provisionTokenFor(input.rfcId, ctx.step?.id);
      const request = {
        productId: input.productId,
        provisioningArtifactId: input.provisioningArtifactId,
        provisionedProductName: input.provisionedProductName,
        provisionToken,
        parameters,
        tags: toAwsTags(tags),
        account: input.account,
        region: input.region,
      };

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would provision ${input.productId}/${input.provisioningArtifactId} as ${input.provisionedProductName} with token ${provisionToken}`,
        );
        ctx.output('recordId', 'rec-dry-run');
        ctx.output('provisionedProductId', 'pp-dry-run');
        ctx.output('provisionedProductName', input.provisionedProductName);
        ctx.output('outputs', {});
        ctx.output('sandbox', gateway.implementation === 'sandbox');
        return;
      }

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
      ctx.logger.info(
        `Provisioning ${input.provisionedProductName} (${
          started.provisionedProductId
        }), record ${started.recordId}${
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
          account: input.account,
          region: input.region,
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
            `Provisioning ${input.provisionedProductName} did not finish in time; record ${record.recordId} is still ${record.status}. Retrying the task resumes the same record.`,
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

      ctx.output('recordId', record.recordId);
      ctx.output('provisionedProductId', started.provisionedProductId);
      ctx.output('provisionedProductName', input.provisionedProductName);
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
