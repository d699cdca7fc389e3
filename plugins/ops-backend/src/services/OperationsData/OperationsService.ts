import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CustomErrorBase,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_RACI_OVERRIDES,
  EntityOperations,
  EntityOpsSettings,
  Incident,
  OperationsSection,
  OperationsSnapshotKind,
  OperationsSnapshotPayloads,
  RaciOverrides,
  RecentRfcSummary,
  resolveRaci,
  TagPolicyEvaluator,
  validateRaciOverrides,
} from '@cloud-ops/plugin-ops-common';
import type {
  OperationsSnapshotStore,
  StoredOperationsSnapshot,
} from '../../database/OperationsSnapshotStore';
import type { OperationsRefresher } from './OperationsRefresher';
import { normalizeEntityRef } from './targets';

/**
 * Recent RFCs against an entity, read as the caller. Implemented by the RFC
 * service; optional so that operations data works without it.
 *
 * @public
 */
export interface RecentRfcsSource {
  listRecentRfcs(
    entityRef: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<RecentRfcSummary[]>;
}

/**
 * The patch and backup settings an entity's successful RFCs set.
 *
 * @public
 */
export interface EntitySettingsSource {
  /** `entityRef` is lower-cased. */
  getSettings(entityRef: string): Promise<EntityOpsSettings>;
  /**
   * The settings of many entities at once, keyed by lower-cased entity ref;
   * entities without settings RFCs are left out.
   */
  getSettingsOf(
    entityRefs: string[],
  ): Promise<Map<string, { settings: EntityOpsSettings }>>;
}

/**
 * An entity's incidents, open ones first.
 *
 * @public
 */
export interface EntityIncidentsSource {
  /** `entityRef` is lower-cased; only those the caller may read. */
  listEntityIncidents(
    entityRef: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<Incident[]>;
}

/** Settings of an entity that has none. */
export const NO_SETTINGS: EntityOpsSettings = {
  maintenanceWindow: null,
  nextMaintenanceAt: null,
  patchingExclusion: null,
  rejectedUpdates: [],
  backupSchedule: null,
};

const ENTITY_INCIDENT_LIMIT = 20;

/** An on-demand refresh came too soon after the last one. */
export class RefreshRateLimitedError extends CustomErrorBase {
  name = 'RefreshRateLimitedError' as const;
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Operations data for this entity was refreshed moments ago; try again in ${retryAfterSeconds} s`,
    );
  }
}

const RECENT_RFC_LIMIT = 5;

/** Builds the Operations tab's data from stored snapshots; never calls AWS. */
export class OperationsService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      store: OperationsSnapshotStore;
      refresher: OperationsRefresher;
      centralItGroup: string;
      raciOverrides?: RaciOverrides;
      tagPolicy: TagPolicyEvaluator;
      recentRfcs?: RecentRfcsSource;
      settings?: EntitySettingsSource;
      incidents?: EntityIncidentsSource;
      refreshIntervalMs: number;
      now?: () => Date;
    },
  ) {}

  async getEntityOperations(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityOperations> {
    const entity = await this.readEntity(ref, credentials);
    return this.describe(entity, credentials);
  }

  /** Reads AWS for one entity now, at most once per interval across replicas. */
  async refresh(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityOperations> {
    const entity = await this.readEntity(ref, credentials);
    const entityRef = normalizeEntityRef(stringifyEntityRef(entity));
    const claim = await this.options.store.claimRefresh(
      entityRef,
      this.options.now?.() ?? new Date(),
      this.options.refreshIntervalMs,
    );
    if (!claim.claimed) {
      throw new RefreshRateLimitedError(Math.ceil(claim.retryAfterMs / 1000));
    }
    await this.options.refresher.refreshEntity(entity);
    return this.describe(entity, credentials);
  }

  /** The entity as the caller may see it: a 404 hides entities they cannot read. */
  private async readEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)} found`);
    }
    return entity;
  }

  private async describe(
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<EntityOperations> {
    const entityRef = stringifyEntityRef(entity);
    const ownerRef = this.ownerRefOf(entity);

    const normalized = normalizeEntityRef(entityRef);
    const [snapshots, ownerIsGroup, recentRfcs, settings, incidents] =
      await Promise.all([
        this.options.store.getSnapshots(normalized),
        this.ownerIsGroup(ownerRef, credentials),
        this.recentRfcs(entityRef, credentials),
        this.options.settings?.getSettings(normalized) ?? NO_SETTINGS,
        this.options.incidents
          ? this.options.incidents
              .listEntityIncidents(
                normalized,
                ENTITY_INCIDENT_LIMIT,
                credentials,
              )
              .then(items => ({ available: true, items }))
          : { available: false, items: [] },
      ]);

    const violations = this.options.tagPolicy(entity, { ownerIsGroup });
    return {
      entityRef,
      alarms: section(snapshots, 'alarms'),
      patch: section(snapshots, 'patch'),
      backups: section(snapshots, 'backups'),
      settingsInForce: section(snapshots, 'settings'),
      tagCompliance: {
        compliant: !violations.some(v => v.severity === 'error'),
        violations,
      },
      raci: this.raci(entity, ownerRef).value,
      recentRfcs,
      settings,
      incidents,
    };
  }

  private ownerRefOf(entity: Entity): CompoundEntityRef | undefined {
    const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
    return typeof owner === 'string' && owner
      ? safeRef(owner, entity.metadata.namespace ?? 'default')
      : undefined;
  }

  private async ownerIsGroup(
    ownerRef: CompoundEntityRef | undefined,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    if (!ownerRef || ownerRef.kind.toLocaleLowerCase('en-US') !== 'group') {
      return false;
    }
    // As the caller: a group they cannot see is reported as not found.
    const group = await this.options.catalog.getEntityByRef(ownerRef, {
      credentials,
    });
    return Boolean(group);
  }

  // Resolved RACI per owner and override annotation: the same few dozen
  // owners repeat across thousands of entities, and resolving is the costly
  // part of a request.
  private readonly raciCache = new Map<
    string,
    { value: EntityOperations['raci']; json: string }
  >();

  private raci(entity: Entity, ownerRef: CompoundEntityRef | undefined) {
    const annotationValue =
      entity.metadata.annotations?.[ANNOTATION_RACI_OVERRIDES];
    const key = JSON.stringify([
      ownerRef ? stringifyEntityRef(ownerRef) : null,
      annotationValue ?? null,
    ]);
    let cached = this.raciCache.get(key);
    if (!cached) {
      const value = this.resolveRaciFor(entity, ownerRef);
      cached = { value, json: JSON.stringify(value) };
      if (this.raciCache.size >= 1000) {
        this.raciCache.delete(this.raciCache.keys().next().value!);
      }
      this.raciCache.set(key, cached);
    }
    return cached;
  }

  /**
   * The same as `getEntityOperations`, serialized. The RACI part is most of
   * the body and the same for every entity of an owner, so its cached JSON is
   * spliced in rather than serialized on every request.
   */
  async getEntityOperationsJson(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const entity = await this.readEntity(ref, credentials);
    const { raci: _raci, ...rest } = await this.describe(entity, credentials);
    const json = JSON.stringify(rest);
    return `${json.slice(0, -1)},"raci":${
      this.raci(entity, this.ownerRefOf(entity)).json
    }}`;
  }

  private resolveRaciFor(
    entity: Entity,
    ownerRef: CompoundEntityRef | undefined,
  ) {
    const warnings: string[] = [];
    const layers: RaciOverrides[] = [];
    if (this.options.raciOverrides) layers.push(this.options.raciOverrides);
    const annotation = entity.metadata.annotations?.[ANNOTATION_RACI_OVERRIDES];
    if (annotation !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(annotation);
      } catch {
        parsed = undefined;
        warnings.push(
          `Annotation ${ANNOTATION_RACI_OVERRIDES} is not valid JSON and was ignored`,
        );
      }
      if (parsed !== undefined) {
        const problems = validateRaciOverrides(parsed);
        if (problems.length) {
          warnings.push(
            `Annotation ${ANNOTATION_RACI_OVERRIDES} was ignored: ${problems.join(
              '; ',
            )}`,
          );
        } else {
          layers.push(parsed as RaciOverrides);
        }
      }
    }
    return {
      activities: resolveRaci({
        ownerRef: ownerRef ? stringifyEntityRef(ownerRef) : 'unknown owner',
        centralItRef: this.options.centralItGroup,
        overrides: layers,
      }),
      warnings,
    };
  }

  private async recentRfcs(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityOperations['recentRfcs']> {
    if (!this.options.recentRfcs) return { available: false, items: [] };
    try {
      return {
        available: true,
        items: await this.options.recentRfcs.listRecentRfcs(
          entityRef,
          RECENT_RFC_LIMIT,
          credentials,
        ),
      };
    } catch (e) {
      // A caller who may not read RFCs still gets the rest of the tab.
      if (e instanceof NotAllowedError) return { available: false, items: [] };
      throw e;
    }
  }
}

function safeRef(
  ref: string,
  namespace: string,
): CompoundEntityRef | undefined {
  try {
    return parseEntityRef(ref, {
      defaultKind: 'group',
      defaultNamespace: namespace,
    });
  } catch {
    return undefined;
  }
}

function section<K extends OperationsSnapshotKind>(
  snapshots: StoredOperationsSnapshot[],
  kind: K,
): OperationsSection<OperationsSnapshotPayloads[K]> {
  const row = snapshots.find(s => s.kind === kind);
  if (!row) {
    return { data: null, refreshedAt: null, stale: false, source: null };
  }
  return {
    data: row.payload as OperationsSnapshotPayloads[K] | null,
    refreshedAt: row.refreshedAt,
    stale: row.stale,
    ...(row.error ? { error: row.error } : {}),
    source: row.source,
  };
}
