import type { Entity } from '@backstage/catalog-model';
import type {
  AlphaEntity,
  EntityStatusItem,
} from '@backstage/catalog-model/alpha';

/**
 * The status item type the catalog uses for processing errors (the value of
 * `ENTITY_STATUS_CATALOG_PROCESSING_TYPE` in `@backstage/catalog-client`);
 * the entity page's processing-error panel shows items of this type.
 *
 * Processors here report problems this way rather than with
 * `processingResult.inputError`: an input error keeps the entity out of the
 * catalog (a new entity never appears), so there would be no page to show
 * the problem on.
 */
export const CATALOG_PROCESSING_STATUS_TYPE = 'backstage.io/catalog-processing';

/** A processing-error status item carrying an error of the given name. */
export function processingErrorItem(
  errorName: string,
  message: string,
): EntityStatusItem {
  return {
    type: CATALOG_PROCESSING_STATUS_TYPE,
    level: 'error',
    message: `${errorName}: ${message}`,
    error: { name: errorName, message },
  };
}

/**
 * True when the entity carries a status item that `owns` claims.
 */
export function hasStatusItems(
  entity: Entity,
  owns: (item: EntityStatusItem) => boolean,
): boolean {
  return (entity as AlphaEntity).status?.items?.some(owns) ?? false;
}

/**
 * Replaces the status items a processor owns (those `owns` claims) with the
 * current ones, keeping everyone else's. An entity with none before or after
 * is returned as is, so the common case allocates nothing.
 */
export function replaceStatusItems(
  entity: Entity,
  items: EntityStatusItem[],
  owns: (item: EntityStatusItem) => boolean,
): Entity {
  if (!items.length && !hasStatusItems(entity, owns)) {
    return entity;
  }
  const { status, ...rest } = entity as AlphaEntity;
  const next = [...(status?.items ?? []).filter(i => !owns(i)), ...items];
  if (!next.length) {
    const remaining = { ...status };
    delete remaining.items;
    return Object.keys(remaining).length
      ? ({ ...rest, status: remaining } as AlphaEntity)
      : rest;
  }
  return { ...rest, status: { ...status, items: next } } as AlphaEntity;
}
