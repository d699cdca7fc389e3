import type { Entity } from '@backstage/catalog-model';
import type { EntityStatusItem } from '@backstage/catalog-model/alpha';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CHANGE_TYPE_ANNOTATIONS,
  changeTypeGovernanceProblems,
  isChangeTypeTemplate,
  parseChangeType,
  type ChangeTypeGovernance,
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

/** How long a template stays known as the holder of its id and version. */
const SEEN_FOR_MS = 15 * 60_000;

/**
 * Validates Templates that declare themselves change types (annotation
 * `cloud-ops.io/change-type-id`): their annotations and steps, and the
 * governance of the approved catalog: owned by Central IT, from a trusted
 * location, and no other template with the same id and version.
 *
 * Each problem becomes its own processing error on the entity, naming what
 * to fix, so the platform team sees all of them at once on the template's
 * page. The template stays in the catalog so that page exists; the ops
 * backend applies the same rules itself and lists only change types that
 * pass, so a refused one is never offered. No network calls: the check is
 * pure, except that the processor remembers which template it last saw with
 * each id and version to tell duplicates (in this process; the ops backend
 * refuses duplicates across the whole catalog).
 *
 * @public
 */
export class ChangeTypeTemplateProcessor implements CatalogProcessor {
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly now: () => number;

  constructor(
    private readonly options: {
      governance: ChangeTypeGovernance;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

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
    const ref = stringifyEntityRef(entity);
    const governance = changeTypeGovernanceProblems(
      entity,
      this.options.governance,
    );
    const problems = [...(result.ok ? [] : result.errors), ...governance];
    // Only governed templates hold an id and version: an ungoverned copy is
    // refused on its own and cannot knock the approved one out.
    if (result.ok && governance.length === 0) {
      const others = this.holders(
        `${result.changeType.id}@${result.changeType.version}`,
        ref,
      );
      if (others.length) {
        problems.push(
          `change type ${result.changeType.id} version ${
            result.changeType.version
          } is also defined by ${others.join(
            ', ',
          )}; an id and version must be unique, so none of them is offered`,
        );
      }
    }
    const items = problems.map(error =>
      processingErrorItem(
        CHANGE_TYPE_ERROR_NAME,
        `Change type ${ref} is refused: ${error}`,
      ),
    );
    return replaceStatusItems(
      markRefused(entity, problems.length > 0),
      items,
      isChangeTypeItem,
    );
  }

  /** Records `ref` as holding the key and returns the other recent holders. */
  private holders(key: string, ref: string): string[] {
    const now = this.now();
    const holders = this.seen.get(key) ?? new Map<string, number>();
    for (const [other, at] of holders) {
      if (now - at > SEEN_FOR_MS) holders.delete(other);
    }
    holders.set(ref, now);
    this.seen.set(key, holders);
    return [...holders.keys()].filter(other => other !== ref);
  }
}

/**
 * Marks a refused change type with an annotation the permission policy
 * queries, so it is hidden from the Create page; a valid one loses it.
 */
function markRefused(entity: Entity, refused: boolean): Entity {
  const key = CHANGE_TYPE_ANNOTATIONS.refused;
  const annotations = entity.metadata.annotations ?? {};
  if (refused === key in annotations) return entity;
  const { [key]: _dropped, ...rest } = annotations;
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: refused ? { ...rest, [key]: 'true' } : rest,
    },
  };
}
