import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_PROVISIONED_PRODUCT_ID,
  ANNOTATION_RFC,
  ANNOTATION_SANDBOX,
  fromAwsTags,
  toTagAnnotations,
} from '@cloud-ops/plugin-ops-common';
import { ProvisionedStack } from './types';

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
  };
};

/**
 * Turns a provisioned product into its stack entity, or undefined when the
 * product was not provisioned through the suite (no owner tag) or has not
 * come up. Owner, component and RFC come from the reserved tags the
 * provisioning action writes; other representable tags become tag
 * annotations.
 *
 * @public
 */
export function stackEntityFromProvisionedProduct(
  stack: ProvisionedStack,
): StackEntity | undefined {
  const { reserved, tags } = fromAwsTags(stack.tags);
  if (!reserved.owner || stack.status === 'ERROR') {
    return undefined;
  }
  const annotations: Record<string, string> = {
    [ANNOTATION_PROVISIONED_PRODUCT_ID]: stack.provisionedProductId,
    ...(reserved.rfc ? { [ANNOTATION_RFC]: reserved.rfc } : {}),
    ...(stack.account ? { [ANNOTATION_AWS_ACCOUNT]: stack.account } : {}),
    ...(stack.region ? { [ANNOTATION_AWS_REGION]: stack.region } : {}),
    ...(stack.sandbox ? { [ANNOTATION_SANDBOX]: 'true' } : {}),
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
      owner: reserved.owner,
      dependencyOf: reserved.entityRef ? [reserved.entityRef] : [],
    },
  };
}

/** Entity names allow 63 characters of letters, digits and `-_.`. */
function entityName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') || 'stack';
}
