import type { Config } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { EntityStatusItem } from '@backstage/catalog-model/alpha';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  compileTagPolicy,
  TagPolicy,
  TagPolicyEvaluator,
  TAG_POLICY_OWNED_KINDS,
  validateTagPolicy,
} from '@cloud-ops/plugin-ops-common';
import {
  CATALOG_PROCESSING_STATUS_TYPE,
  hasStatusItems,
  processingErrorItem,
  replaceStatusItems,
} from './statusItems';

/**
 * Entity status item type of tag policy warnings.
 *
 * @public
 */
export const TAG_POLICY_STATUS_TYPE = 'cloud-ops.io/tag-policy';

/** Error name of tag policy errors, which tells them apart from the catalog's own. */
const TAG_POLICY_ERROR_NAME = 'TagPolicyError';

/**
 * Checks every entity against the `ops.tagPolicy` config: required key/value
 * tags (annotations `tags.cloud-ops.io/<key>`), their allowed values and
 * patterns, and that the owner is a Group. No I/O: it runs on every entity
 * on every processing loop.
 *
 * Violations become entity status items, so the entity is still stored and
 * kept up to date while it is out of policy:
 * - severity `error`: a processing error item (type
 *   `backstage.io/catalog-processing`, level `error`, error name
 *   `TagPolicyError`), which the entity page shows in its processing-error
 *   panel like any other processing error;
 * - severity `warning`: an item of type `cloud-ops.io/tag-policy` with level
 *   `warning`, in the catalog API's `status.items`; the catalog has no
 *   warning result a processor could emit.
 * With `blockOnError`, an error instead fails processing (`inputError`): the
 * catalog keeps the last valid version of the entity, and a new entity does
 * not appear at all, until the violation is fixed.
 *
 * The owner rule checks only what the entity itself says: `spec.owner` must
 * be a Group reference. Whether that Group exists needs a catalog lookup, and
 * processors make no network calls; a missing Group is shown by the catalog's
 * own relation warning on the entity page, and the ops API's tag-compliance
 * listing checks existence.
 *
 * @public
 */
export class TagPolicyProcessor implements CatalogProcessor {
  private readonly evaluate: TagPolicyEvaluator;
  /** Kinds that some rule names, lowercase. */
  private readonly ruleKinds: Set<string>;
  private readonly ownerRule: boolean;
  private readonly blockOnError: boolean;

  /**
   * Reads `ops.tagPolicy`. Without it the processor checks nothing. An invalid
   * policy fails startup with every problem named, rather than letting a typo
   * silently disable a rule.
   */
  static fromConfig(config: Config): TagPolicyProcessor {
    const raw = config.getOptional('ops.tagPolicy');
    if (raw === undefined) {
      return new TagPolicyProcessor({
        policy: { rules: [], owner: { enabled: false } },
      });
    }
    const problems = validateTagPolicy(raw);
    if (problems.length) {
      throw new Error(`Invalid ops.tagPolicy: ${problems.join('; ')}`);
    }
    return new TagPolicyProcessor({
      policy: raw as TagPolicy,
      blockOnError:
        config.getOptionalBoolean('ops.tagPolicy.blockOnError') ?? false,
    });
  }

  constructor(options: { policy: TagPolicy; blockOnError?: boolean }) {
    this.evaluate = compileTagPolicy(options.policy);
    this.ruleKinds = new Set(
      (options.policy.rules ?? []).map(r => r.kind.toLocaleLowerCase('en-US')),
    );
    this.ownerRule = options.policy.owner?.enabled !== false;
    this.blockOnError = options.blockOnError ?? false;
  }

  getProcessorName(): string {
    return 'TagPolicyProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const ownerIsGroup = this.ownerRule ? ownerIsGroupRef(entity) : undefined;
    // An entity of a kind no rule names, with a group owner, cannot violate
    // anything: skip the evaluator, as this runs on every processing loop.
    if (
      ownerIsGroup !== false &&
      !this.ruleKinds.has(entity.kind.toLocaleLowerCase('en-US')) &&
      !hasStatusItems(entity, isTagPolicyItem)
    ) {
      return entity;
    }
    const violations = this.evaluate(entity, { ownerIsGroup });

    const items: EntityStatusItem[] = [];
    for (const violation of violations) {
      const message = `Tag policy: ${violation.message}`;
      if (violation.severity === 'warning') {
        items.push({ type: TAG_POLICY_STATUS_TYPE, level: 'warning', message });
      } else if (this.blockOnError) {
        emit(processingResult.inputError(location, message));
      } else {
        items.push(processingErrorItem(TAG_POLICY_ERROR_NAME, message));
      }
    }
    return replaceStatusItems(entity, items, isTagPolicyItem);
  }
}

/**
 * True when `spec.owner` refers to a Group, undefined for kinds without an
 * owner. A bare name means a Group, as the catalog reads it. Follows
 * parseEntityRef's `[<kind>:][<namespace>/]<name>` rules without allocating,
 * because it runs for every entity.
 */
function ownerIsGroupRef(entity: Entity): boolean | undefined {
  if (!TAG_POLICY_OWNED_KINDS.has(entity.kind.toLocaleLowerCase('en-US'))) {
    return undefined;
  }
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) {
    return false;
  }
  let colon = owner.indexOf(':');
  const slash = owner.indexOf('/');
  if (slash !== -1 && slash < colon) {
    colon = -1;
  }
  const emptyKind = colon === 0;
  const emptyNamespace = slash !== -1 && slash === colon + 1;
  const emptyName = Math.max(colon, slash) + 1 >= owner.length;
  if (emptyKind || emptyNamespace || emptyName) {
    return false;
  }
  return (
    colon === -1 ||
    (colon === 5 && owner.slice(0, 5).toLocaleLowerCase('en-US') === 'group')
  );
}

function isTagPolicyItem(item: EntityStatusItem): boolean {
  return (
    item.type === TAG_POLICY_STATUS_TYPE ||
    (item.type === CATALOG_PROCESSING_STATUS_TYPE &&
      item.error?.name === TAG_POLICY_ERROR_NAME)
  );
}
