import type {
  AuthService,
  BackstageCredentials,
  CacheService,
} from '@backstage/backend-plugin-api';
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
  BackupsSnapshot,
  EntityOperations,
  EntityOpsSettings,
  Incident,
  OperationsSection,
  OperationsSnapshotKind,
  OperationsSnapshotPayloads,
  RaciConfig,
  RaciOverrides,
  RecentRfcSummary,
  TagPolicyEvaluator,
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

/**
 * Incidents on the tab: the open ones first, then the latest resolved; the
 * incident list (`/ops/incidents?entity=`) has them all.
 */
const ENTITY_INCIDENT_LIMIT = 5;

/**
 * Recovery points per resource on the tab, newest first. The snapshot keeps
 * up to 30 (a restore RFC is checked against those); the tab's answer stays
 * small with the latest few.
 */
const RECOVERY_POINTS_IN_VIEW = 8;

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

/** What the tab's answer reads of an entity: its ref, owner, type and tags. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
  'spec.owner',
  'spec.type',
];

/** How long the answer to "is the owner a Group" is kept. */
const GROUP_EXISTS_TTL_MS = 60_000;

/** Builds the Operations tab's data from stored snapshots; never calls AWS. */
export class OperationsService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      /** For the owner-group check, which is not the caller's to make. */
      auth: AuthService;
      /** Where the owner-group answers are kept for a minute; memory when absent. */
      cache?: CacheService;
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
    const entity = await this.readEntityFields(ref, credentials);
    return this.describe(entity, credentials);
  }

  /**
   * The RACI matrix as config sets it, the same for every entity: the tab
   * resolves it per entity with `resolveEntityRaci`, so it is served once
   * and cached instead of in every Operations answer.
   */
  raciConfig(): RaciConfig {
    return {
      centralItGroup: this.options.centralItGroup,
      overrides: this.options.raciOverrides ?? null,
    };
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

  /**
   * The fields of the entity the tab's answer needs, read once as the
   * caller: a 404 hides entities they cannot read.
   */
  private async readEntityFields(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const {
      items: [entity],
    } = await this.options.catalog.getEntitiesByRefs(
      { entityRefs: [stringifyEntityRef(ref)], fields: ENTITY_FIELDS },
      { credentials },
    );
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)} found`);
    }
    return entity;
  }

  /** The whole entity as the caller may see it: a 404 hides entities they cannot read. */
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
        this.ownerIsGroup(ownerRef),
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
      backups: latestRecoveryPoints(section(snapshots, 'backups')),
      settingsInForce: section(snapshots, 'settings'),
      tagCompliance: {
        compliant: !violations.some(v => v.severity === 'error'),
        violations,
      },
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

  /**
   * Whether the owner is a Group in the catalog. The tag policy's verdict is
   * about the entity, not about what the caller may see, so the catalog is
   * asked as this backend; the answer, the same for every caller, is kept
   * for a minute per group, since thousands of entities share a few owners.
   */
  private async ownerIsGroup(
    ownerRef: CompoundEntityRef | undefined,
  ): Promise<boolean> {
    if (!ownerRef || ownerRef.kind.toLocaleLowerCase('en-US') !== 'group') {
      return false;
    }
    const ref = stringifyEntityRef(ownerRef).toLocaleLowerCase('en-US');
    const key = `group-exists:${ref}`;
    const cache = this.options.cache;
    const cached = cache
      ? await cache.get<boolean>(key)
      : this.groupExists.get(ref);
    if (typeof cached === 'boolean') return cached;
    let pending = this.groupLookups.get(ref);
    if (!pending) {
      pending = this.lookUpGroup(ref)
        .then(async exists => {
          if (cache) {
            await cache.set(key, exists, { ttl: GROUP_EXISTS_TTL_MS });
          } else {
            this.rememberGroup(ref, exists);
          }
          return exists;
        })
        .finally(() => this.groupLookups.delete(ref));
      this.groupLookups.set(ref, pending);
    }
    return pending;
  }

  private async lookUpGroup(ref: string): Promise<boolean> {
    const { items } = await this.options.catalog.getEntitiesByRefs(
      { entityRefs: [ref], fields: ['kind'] },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return Boolean(items[0]);
  }

  // Without a cache service: answers kept in memory for the same minute.
  private readonly groupExists = new Map<string, boolean>();
  private readonly groupLookups = new Map<string, Promise<boolean>>();

  private rememberGroup(ref: string, exists: boolean) {
    this.groupExists.set(ref, exists);
    setTimeout(() => this.groupExists.delete(ref), GROUP_EXISTS_TTL_MS).unref();
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

function latestRecoveryPoints(
  backups: OperationsSection<BackupsSnapshot>,
): OperationsSection<BackupsSnapshot> {
  if (!backups.data) return backups;
  return {
    ...backups,
    data: {
      ...backups.data,
      resources: backups.data.resources.map(resource =>
        resource.recoveryPoints &&
        resource.recoveryPoints.length > RECOVERY_POINTS_IN_VIEW
          ? {
              ...resource,
              recoveryPoints: resource.recoveryPoints.slice(
                0,
                RECOVERY_POINTS_IN_VIEW,
              ),
            }
          : resource,
      ),
    },
  };
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
