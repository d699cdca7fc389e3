import type { Config } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type {
  AlphaEntity,
  EntityStatusItem,
} from '@backstage/catalog-model/alpha';
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
  validateTagPolicy,
} from '@cloud-ops/plugin-ops-common';

/**
 * Entity status item type under which tag policy warnings are published.
 *
 * @public
 */
export const TAG_POLICY_STATUS_TYPE = 'cloud-ops.io/tag-policy';

/**
 * Kinds whose schema requires `spec.owner`; the owner rule applies to these.
 * Groups, users and locations have no owner, and a template's owner is
 * optional, so checking them would only produce noise.
 */
const OWNED_KINDS = new Set([
  'component',
  'api',
  'resource',
  'system',
  'domain',
]);

/**
 * Checks every entity against the `ops.tagPolicy` config: required key/value
 * tags (annotations `tags.cloud-ops.io/<key>`), their allowed values and
 * patterns, and that the owner is a Group.
 *
 * - Severity `error` becomes a processing error (`inputError`). The catalog
 *   shows it in the entity page's processing-error panel and keeps the last
 *   valid version of the entity until the violation is fixed; an entity that
 *   never passed does not appear until it does.
 * - Severity `warning` must not block the entity, and the catalog has no
 *   warning result, so it becomes an entity status item of type
 *   `cloud-ops.io/tag-policy` with level `warning`. It is visible in the
 *   catalog API (`status.items`) and the entity is still updated.
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
    return new TagPolicyProcessor({ policy: raw as TagPolicy });
  }

  constructor(options: { policy: TagPolicy }) {
    this.evaluate = compileTagPolicy(options.policy);
    this.ruleKinds = new Set(
      (options.policy.rules ?? []).map(r => r.kind.toLocaleLowerCase('en-US')),
    );
    this.ownerRule = options.policy.owner?.enabled !== false;
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
      !hasTagPolicyStatus(entity as AlphaEntity)
    ) {
      return entity;
    }
    const violations = this.evaluate(entity, { ownerIsGroup });

    const warnings: EntityStatusItem[] = [];
    for (const violation of violations) {
      if (violation.severity === 'error') {
        emit(
          processingResult.inputError(
            location,
            `Tag policy: ${violation.message}`,
          ),
        );
      } else {
        warnings.push({
          type: TAG_POLICY_STATUS_TYPE,
          level: 'warning',
          message: `Tag policy: ${violation.message}`,
        });
      }
    }
    return withTagPolicyStatus(entity as AlphaEntity, warnings);
  }
}

/**
 * True when `spec.owner` refers to a Group, undefined for kinds without an
 * owner. A bare name means a Group, as the catalog reads it. Follows
 * parseEntityRef's `[<kind>:][<namespace>/]<name>` rules without allocating,
 * because it runs for every entity.
 */
function ownerIsGroupRef(entity: Entity): boolean | undefined {
  if (!OWNED_KINDS.has(entity.kind.toLocaleLowerCase('en-US'))) {
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

function hasTagPolicyStatus(entity: AlphaEntity): boolean {
  return (
    entity.status?.items?.some(i => i.type === TAG_POLICY_STATUS_TYPE) ?? false
  );
}

/**
 * Replaces this processor's status items with the current warnings. Items
 * from other sources are kept; an entity without warnings is returned as is
 * so that the common case allocates nothing.
 */
function withTagPolicyStatus(
  entity: AlphaEntity,
  warnings: EntityStatusItem[],
): Entity {
  if (!warnings.length && !hasTagPolicyStatus(entity)) {
    return entity;
  }
  const others = (entity.status?.items ?? []).filter(
    i => i.type !== TAG_POLICY_STATUS_TYPE,
  );
  const next = [...others, ...warnings];
  const { status, ...rest } = entity;
  if (!next.length) {
    const remaining = { ...status };
    delete remaining.items;
    return Object.keys(remaining).length
      ? ({ ...rest, status: remaining } as AlphaEntity)
      : rest;
  }
  return { ...rest, status: { ...status, items: next } } as AlphaEntity;
}
