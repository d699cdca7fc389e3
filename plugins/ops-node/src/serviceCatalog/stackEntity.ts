import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_AWS_TAG_SELECTOR,
  ANNOTATION_PROVISIONED_PRODUCT_ID,
  ANNOTATION_RFC,
  ANNOTATION_SANDBOX,
  OPS_ANNOTATION_PREFIX,
  RESERVED_AWS_TAGS,
  fromAwsTags,
  toTagAnnotations,
} from '@cloud-ops/plugin-ops-common';
import { ProvisionedStack } from './types';

/**
 * Set on a stack whose owner tag was missing or not a group reference: says
 * why the fallback owner owns it.
 *
 * @public
 */
export const ANNOTATION_OWNER_FALLBACK = `${OPS_ANNOTATION_PREFIX}/owner-fallback`;

/**
 * Short summary of where a stack's AWS tags drift from the tag policy or
 * from its entity.
 *
 * @public
 */
export const ANNOTATION_TAG_DRIFT = `${OPS_ANNOTATION_PREFIX}/tag-drift`;

/**
 * AWS tag naming the System a stack belongs to, unless configured otherwise.
 *
 * @public
 */
export const DEFAULT_SYSTEM_TAG = `${OPS_ANNOTATION_PREFIX}/system`;

/**
 * AWS tags every resource of a Service Catalog stack with its provisioned
 * product's ARN, which makes a selector that finds exactly that stack.
 */
const PROVISIONED_PRODUCT_ARN_TAG = 'aws:servicecatalog:provisionedProductArn';

/**
 * Which AWS tags carry owner and system, and who owns a stack whose owner
 * tag is missing or unusable.
 *
 * @public
 */
export type StackEntityOptions = {
  /** AWS tag holding the owning group; defaults to `cloud-ops.io/owner`. */
  ownerTag?: string;
  /** AWS tag holding the System; defaults to `cloud-ops.io/system`. */
  systemTag?: string;
  /**
   * Group ref that owns stacks without a valid owner tag. Without it such
   * products are not stacks of the suite and are skipped.
   */
  fallbackOwner?: string;
};

/**
 * The Resource entity a stack becomes in the catalog, shaped like a
 * catalog-model `Entity`.
 *
 * @public
 */
export type StackEntity = {
  apiVersion: 'backstage.io/v1alpha1';
  kind: 'Resource';
  metadata: {
    name: string;
    title: string;
    description: string;
    annotations: Record<string, string>;
    tags: string[];
  };
  spec: {
    type: 'stack';
    owner: string;
    dependencyOf: string[];
    system?: string;
  };
};

/**
 * Turns a provisioned product into its stack entity, or undefined when it
 * failed to come up, or has no usable owner tag and no fallback owner is
 * given. Owner, system, component and RFC come from the tags the
 * provisioning action writes; other representable tags become tag
 * annotations. A fallback owner is explained in `cloud-ops.io/owner-fallback`.
 *
 * @public
 */
export function stackEntityFromProvisionedProduct(
  stack: ProvisionedStack,
  options: StackEntityOptions = {},
): StackEntity | undefined {
  if (stack.status === 'ERROR') {
    return undefined;
  }
  const ownerTag = options.ownerTag ?? RESERVED_AWS_TAGS.owner;
  const systemTag = options.systemTag ?? DEFAULT_SYSTEM_TAG;
  const tagValue = (key: string) => stack.tags.find(t => t.Key === key)?.Value;
  // Owner and system tags map to spec fields, not to tag annotations.
  const { reserved, tags } = fromAwsTags(
    stack.tags.filter(t => t.Key !== ownerTag && t.Key !== systemTag),
  );

  const ownerValue = tagValue(ownerTag);
  let owner = ownerValue !== undefined ? toGroupRef(ownerValue) : undefined;
  let ownerFallback: string | undefined;
  if (!owner) {
    if (!options.fallbackOwner) {
      return undefined;
    }
    owner = options.fallbackOwner;
    ownerFallback =
      ownerValue === undefined
        ? `No AWS tag ${ownerTag}; owned by the fallback owner ${owner}`
        : `AWS tag ${ownerTag} is "${ownerValue}", not a group reference; owned by the fallback owner ${owner}`;
  }
  const system = tagValue(systemTag)?.trim();

  const annotations: Record<string, string> = {
    [ANNOTATION_PROVISIONED_PRODUCT_ID]: stack.provisionedProductId,
    ...(reserved.rfc ? { [ANNOTATION_RFC]: reserved.rfc } : {}),
    ...(stack.account ? { [ANNOTATION_AWS_ACCOUNT]: stack.account } : {}),
    ...(stack.region ? { [ANNOTATION_AWS_REGION]: stack.region } : {}),
    ...(stack.arn
      ? {
          [ANNOTATION_AWS_TAG_SELECTOR]: `${PROVISIONED_PRODUCT_ARN_TAG}=${stack.arn}`,
        }
      : {}),
    ...(stack.sandbox ? { [ANNOTATION_SANDBOX]: 'true' } : {}),
    ...(ownerFallback ? { [ANNOTATION_OWNER_FALLBACK]: ownerFallback } : {}),
    ...toTagAnnotations(
      Object.fromEntries(
        Object.entries(tags).filter(([, v]) => v.length <= 256),
      ),
    ),
  };
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: entityName(stack.name),
      title: stack.sandbox ? `${stack.name} (sandbox)` : stack.name,
      description: `Stack provisioned from Service Catalog product ${
        stack.productId ?? 'unknown'
      }${stack.sandbox ? ' in the sandbox account' : ''}.`,
      annotations,
      tags: ['stack', ...(stack.sandbox ? ['sandbox'] : [])],
    },
    spec: {
      type: 'stack',
      owner,
      dependencyOf: reserved.entityRef ? [reserved.entityRef] : [],
      ...(system ? { system } : {}),
    },
  };
}

const REF_NAME = '[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?';
const GROUP_REF = new RegExp(
  `^(?:group:)?(?:(${REF_NAME})/)?(${REF_NAME})$`,
  'i',
);

/**
 * `group:ns/name`, `ns/name` or `name` as a full group ref; anything else
 * (another kind, spaces, an empty value) is not an owner.
 */
function toGroupRef(value: string): string | undefined {
  const match = GROUP_REF.exec(value.trim());
  if (!match) return undefined;
  return `group:${match[1] ?? 'default'}/${match[2]}`;
}

/**
 * The ref of the Resource entity a provisioned product becomes, from its
 * name, so an execution can link the stack it provisioned before the catalog
 * has read it.
 *
 * @public
 */
export function stackEntityRefFor(provisionedProductName: string): string {
  return `resource:default/${entityName(provisionedProductName)}`;
}

/** Entity names allow 63 characters of letters, digits and `-_.`. */
function entityName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') || 'stack';
}
