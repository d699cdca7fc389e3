import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  EntityFilterQuery,
} from '@backstage/catalog-client';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  compileTagPolicy,
  TagPolicy,
  TagPolicyEvaluator,
  TAG_POLICY_OWNED_KINDS,
  TagPolicyViolation,
  validateTagPolicy,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import Router from 'express-promise-router';

/** One entity's standing against the tag policy. */
export type TagComplianceItem = {
  entityRef: string;
  /** The owner as a full entity ref, or null when the entity has none. */
  owner: string | null;
  violations: TagPolicyViolation[];
};

// Only what the evaluator reads, to keep catalog responses small.
const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
  'spec.type',
  'spec.owner',
];
const PAGE_SIZE = 500;

/**
 * Lists tag policy violations from the catalog, read with the caller's
 * credentials so that nobody learns about entities they cannot see. Owners
 * are looked up in the catalog too, which is what the catalog processor
 * cannot do: here "owner is not an existing Group" is checked in full.
 */
export class TagComplianceService {
  private readonly evaluate: TagPolicyEvaluator;

  static fromConfig(
    config: Config,
    catalog: CatalogService,
  ): TagComplianceService {
    const raw = config.getOptional('ops.tagPolicy');
    if (raw === undefined) {
      // As in the catalog: no policy, nothing checked.
      return new TagComplianceService(catalog, {
        rules: [],
        owner: { enabled: false },
      });
    }
    const problems = validateTagPolicy(raw);
    if (problems.length) {
      throw new Error(`Invalid ops.tagPolicy: ${problems.join('; ')}`);
    }
    return new TagComplianceService(catalog, raw as TagPolicy);
  }

  constructor(private readonly catalog: CatalogService, policy: TagPolicy) {
    this.evaluate = compileTagPolicy(policy);
  }

  async forEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<TagComplianceItem[]> {
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)} found`);
    }
    return this.evaluateAll([entity], credentials);
  }

  /** Entities owned by a group, or every owned entity when no owner is given. */
  async forOwner(
    owner: CompoundEntityRef | undefined,
    credentials: BackstageCredentials,
  ): Promise<TagComplianceItem[]> {
    const filter: EntityFilterQuery = owner
      ? { 'relations.ownedBy': stringifyEntityRef(owner) }
      : { 'spec.owner': CATALOG_FILTER_EXISTS };
    const entities: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE, fields: FIELDS }
          : { filter, limit: PAGE_SIZE, fields: FIELDS },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return this.evaluateAll(entities, credentials);
  }

  private async evaluateAll(
    entities: Entity[],
    credentials: BackstageCredentials,
  ): Promise<TagComplianceItem[]> {
    const owners = new Map(entities.map(e => [e, ownerRef(e)]));
    const existingGroups = await this.existingGroups(
      [...owners.values()].filter(
        (r): r is string => !!r && r.startsWith('group:'),
      ),
      credentials,
    );
    return entities
      .map(entity => {
        const owner = owners.get(entity) ?? null;
        const ownerIsGroup = TAG_POLICY_OWNED_KINDS.has(
          entity.kind.toLocaleLowerCase('en-US'),
        )
          ? !!owner && existingGroups.has(owner)
          : undefined;
        return {
          entityRef: stringifyEntityRef(entity),
          owner,
          violations: this.evaluate(entity, { ownerIsGroup }),
        };
      })
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  /** Which of the group refs exist for the caller; one catalog call per page of refs. */
  private async existingGroups(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const unique = [...new Set(refs)];
    const found = new Set<string>();
    for (let i = 0; i < unique.length; i += PAGE_SIZE) {
      const entityRefs = unique.slice(i, i + PAGE_SIZE);
      const { items } = await this.catalog.getEntitiesByRefs(
        {
          entityRefs,
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      items.forEach((item, index) => {
        if (item) found.add(entityRefs[index]);
      });
    }
    return found;
  }
}

/** Full lowercase ref of the owner; bare names are Groups, as the catalog reads them. */
function ownerRef(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

function singleParam(query: express.Request['query'], name: string) {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value) {
    throw new InputError(`Give ${name} once, as a non-empty entity ref`);
  }
  return value;
}

function parseOwnerParam(value: string): CompoundEntityRef {
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(
      `owner "${value}" is not an entity ref; use a group ref such as group:default/payments`,
    );
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new InputError(
      `owner "${value}" is a ${ref.kind}; owners are groups, e.g. group:default/payments`,
    );
  }
  return ref;
}

function parseEntityRefParam(value: string): CompoundEntityRef {
  try {
    return parseEntityRef(value, { defaultNamespace: 'default' });
  } catch {
    throw new InputError(
      `entityRef "${value}" is not an entity ref; use kind:namespace/name, e.g. component:default/payments-api`,
    );
  }
}

/**
 * `GET /tag-compliance?owner=group:default/payments` - tag policy violations
 * of the entities a team owns; `?entityRef=component:default/payments-api`
 * for one entity; neither for every owned entity the caller can see.
 * Answers `{ items: [{ entityRef, owner, violations }] }`.
 */
export async function createTagComplianceRouter(options: {
  httpAuth: HttpAuthService;
  tagCompliance: TagComplianceService;
}): Promise<express.Router> {
  const { httpAuth, tagCompliance } = options;
  const router = Router();

  router.get('/tag-compliance', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const owner = singleParam(req.query, 'owner');
    const entityRef = singleParam(req.query, 'entityRef');
    if (owner !== undefined && entityRef !== undefined) {
      throw new InputError('Give either owner or entityRef, not both');
    }
    const items =
      entityRef !== undefined
        ? await tagCompliance.forEntity(
            parseEntityRefParam(entityRef),
            credentials,
          )
        : await tagCompliance.forOwner(
            owner !== undefined ? parseOwnerParam(owner) : undefined,
            credentials,
          );
    res.json({ items });
  });

  return router;
}
