import type { Entity } from '@backstage/catalog-model';
import type { EntityStatusItem } from '@backstage/catalog-model/alpha';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import {
  isChangeTypeTemplate,
  parseChangeType,
} from '@cloud-ops/plugin-ops-common';
import {
  CATALOG_PROCESSING_STATUS_TYPE,
  processingErrorItem,
  replaceStatusItems,
} from './statusItems';

/** Error name of change-type problems on an entity's processing status. */
export const CHANGE_TYPE_ERROR_NAME = 'ChangeTypeError';

const isChangeTypeItem = (item: EntityStatusItem) =>
  item.type === CATALOG_PROCESSING_STATUS_TYPE &&
  item.error?.name === CHANGE_TYPE_ERROR_NAME;

/**
 * Validates the change-type metadata of Template entities that declare
 * themselves change types (annotation `cloud-ops.io/change-type-id`).
 *
 * Each problem becomes its own processing error on the entity, naming the
 * annotation to fix, so the platform team sees all of them at once on the
 * template's page. The template stays in the catalog so that page exists;
 * the ops backend lists only change types that parse, so an invalid one never
 * reaches the approved catalog. No network calls: the check is pure.
 *
 * @public
 */
export class ChangeTypeTemplateProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ChangeTypeTemplateProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    _emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isChangeTypeTemplate(entity)) {
      return entity;
    }
    const result = parseChangeType(entity);
    const name = `${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }`;
    const items = result.ok
      ? []
      : result.errors.map(error =>
          processingErrorItem(
            CHANGE_TYPE_ERROR_NAME,
            `Change type template:${name} is invalid: ${error}`,
          ),
        );
    return replaceStatusItems(entity, items, isChangeTypeItem);
  }
}
