import {
  getCompoundEntityRef,
  parseEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  processingResult,
  type CatalogProcessor,
  type CatalogProcessorEmit,
  type LocationSpec,
} from '@backstage/plugin-catalog-node';
import { RELATION_REQUESTABLE_BY, requestableBy } from './rules';

/**
 * Emits a `requestableBy` relation from a role-based change type to each of
 * its allowed groups, so that the `IS_CHANGE_TYPE_ALLOWED_FOR` permission rule
 * can filter catalog queries by them. Pure: no network calls.
 *
 * @public
 */
export class ChangeTypeAllowedGroupsProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ChangeTypeAllowedGroupsProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const source = getCompoundEntityRef(entity);
    for (const group of requestableBy(entity) ?? []) {
      emit(
        processingResult.relation({
          source,
          type: RELATION_REQUESTABLE_BY,
          target: parseEntityRef(group),
        }),
      );
    }
    return entity;
  }
}
