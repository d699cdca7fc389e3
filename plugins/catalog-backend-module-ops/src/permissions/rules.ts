import type { Entity } from '@backstage/catalog-model';
import { catalogEntityPermissionResourceRef } from '@backstage/plugin-catalog-node/alpha';
import {
  createConditionExports,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  CHANGE_TYPE_ANNOTATIONS,
  isChangeTypeAllowedFor,
  parseChangeType,
} from '@cloud-ops/plugin-ops-common';
import { z } from 'zod';

/**
 * Relation from a role-based change type to each group in its
 * `cloud-ops.io/allowed-groups` annotation. The catalog's search table holds
 * relations as one row per target, which a permission query can match; the
 * comma-separated annotation it cannot.
 *
 * @public
 */
export const RELATION_REQUESTABLE_BY = 'requestableBy';

/**
 * The groups that may see and request the entity, or undefined when it is
 * open to everyone. An entity that carries the annotation but is no valid
 * change type names no group, so it stays hidden rather than open.
 */
export function requestableBy(entity: Entity): string[] | undefined {
  if (
    entity.metadata.annotations?.[CHANGE_TYPE_ANNOTATIONS.allowedGroups] ===
    undefined
  ) {
    return undefined;
  }
  const result = parseChangeType(entity);
  return result.ok ? result.changeType.allowedGroups ?? [] : [];
}

/**
 * Catalog permission rule: true for entities without the
 * `cloud-ops.io/allowed-groups` annotation, and for change types that list
 * one of the claims among their allowed groups.
 *
 * @public
 */
export const isChangeTypeAllowedForRule = createPermissionRule({
  name: 'IS_CHANGE_TYPE_ALLOWED_FOR',
  description:
    'Allow entities without the cloud-ops.io/allowed-groups annotation, and change types whose allowed groups include one of the claims',
  resourceRef: catalogEntityPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('User and group refs of the caller (ownershipEntityRefs)'),
  }),
  apply: (entity, { claims }) => {
    const groups = requestableBy(entity);
    return (
      groups === undefined ||
      isChangeTypeAllowedFor({ allowedGroups: groups }, claims)
    );
  },
  toQuery: ({ claims }) => ({
    anyOf: [
      {
        not: {
          key: `metadata.annotations.${CHANGE_TYPE_ANNOTATIONS.allowedGroups}`,
        },
      },
      { key: `relations.${RELATION_REQUESTABLE_BY}`, values: claims },
    ],
  }),
});

/**
 * Catalog permission rule: true unless the entity is a Template that
 * declares itself a change type and the catalog refused it (annotation
 * `cloud-ops.io/change-type-refused`, set by the change-type processor), so
 * an ungoverned copy of a change type is neither listed nor runnable.
 *
 * @public
 */
export const isNotRefusedChangeTypeRule = createPermissionRule({
  name: 'IS_NOT_REFUSED_CHANGE_TYPE',
  description:
    'Allow every entity but change-type templates the catalog refused (cloud-ops.io/change-type-refused)',
  resourceRef: catalogEntityPermissionResourceRef,
  paramsSchema: z.object({}),
  apply: entity =>
    entity.metadata.annotations?.[CHANGE_TYPE_ANNOTATIONS.refused] ===
    undefined,
  toQuery: () => ({
    not: { key: `metadata.annotations.${CHANGE_TYPE_ANNOTATIONS.refused}` },
  }),
});

const conditionExports = createConditionExports({
  resourceRef: catalogEntityPermissionResourceRef,
  rules: {
    isChangeTypeAllowedFor: isChangeTypeAllowedForRule,
    isNotRefusedChangeType: isNotRefusedChangeTypeRule,
  },
});

/**
 * Conditions on catalog entities for permission policies, e.g.
 * `opsCatalogConditions.isChangeTypeAllowedFor({ claims })`.
 *
 * @public
 */
export const opsCatalogConditions = conditionExports.conditions;

/**
 * Builds a conditional decision on a catalog entity permission from
 * {@link opsCatalogConditions}.
 *
 * @public
 */
export const createOpsCatalogConditionalDecision =
  conditionExports.createConditionalDecision;
