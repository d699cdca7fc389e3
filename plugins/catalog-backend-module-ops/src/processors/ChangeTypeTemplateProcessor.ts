import type { Entity } from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  isChangeTypeTemplate,
  parseChangeType,
} from '@cloud-ops/plugin-ops-common';

/**
 * Validates the change-type metadata of Template entities that declare
 * themselves change types (annotation `cloud-ops.io/change-type-id`).
 *
 * Each problem becomes its own processing error on the entity, naming the
 * annotation to fix, so the platform team sees all of them at once. An entity
 * with errors is not updated in the catalog, and the ops backend lists only
 * change types that parse, so an invalid one never reaches the approved
 * catalog. No network calls: the check is pure.
 *
 * @public
 */
export class ChangeTypeTemplateProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ChangeTypeTemplateProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isChangeTypeTemplate(entity)) {
      return entity;
    }
    const result = parseChangeType(entity);
    if (!result.ok) {
      const name = `${entity.metadata.namespace ?? 'default'}/${
        entity.metadata.name
      }`;
      for (const error of result.errors) {
        emit(
          processingResult.inputError(
            location,
            `Change type template:${name} is invalid: ${error}`,
          ),
        );
      }
    }
    return entity;
  }
}
