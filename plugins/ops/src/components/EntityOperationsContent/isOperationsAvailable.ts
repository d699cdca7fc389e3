import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_AWS_TAG_SELECTOR,
  ANNOTATION_PROVISIONED_PRODUCT_ID,
} from '@cloud-ops/plugin-ops-common';

/**
 * True when the entity points at AWS resources: a tag selector, or a stack
 * provisioned through the portal.
 *
 * @public
 */
export function isOperationsAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[ANNOTATION_AWS_TAG_SELECTOR] ||
      annotations[ANNOTATION_PROVISIONED_PRODUCT_ID],
  );
}

/** The AWS location an entity's annotations name. @public */
export function getAwsMapping(entity: Entity) {
  const annotations = entity.metadata.annotations ?? {};
  return {
    tagSelector: annotations[ANNOTATION_AWS_TAG_SELECTOR],
    account: annotations[ANNOTATION_AWS_ACCOUNT],
    region: annotations[ANNOTATION_AWS_REGION],
  };
}
