import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPERATIONS_SNAPSHOT_KINDS,
  type AlarmsSnapshot,
  type EntityOpsSettings,
  type OperationsSnapshotKind,
  type SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type { SettingsReader, StackTarget } from '@cloud-ops/plugin-ops-node';
import type {
  OperationsSnapshotStore,
  OperationsSnapshotWrite,
} from '../../database/OperationsSnapshotStore';
import type { EntitySettingsSource } from './OperationsService';
import { compareSettings } from './settingsDrift';
import { normalizeEntityRef, targetFromEntity } from './targets';
import type {
  OperationsReadResult,
  OperationsReader,
  OperationsTarget,
} from './types';

/** Entity kinds that can have AWS resources behind them. */
const MAPPED_KINDS = ['component', 'resource', 'system'];

/** The kinds the operations reader reads; `settings` has a reader of its own. */
const READER_KINDS = OPERATIONS_SNAPSHOT_KINDS.filter(k => k !== 'settings');

const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
];

/**
 * Told about every successful alarms read after it is stored, e.g. to open
 * and resolve incidents. `entityRef` is lower-cased.
 *
 * @public
 */
export interface AlarmReadListener {
  onAlarmsRead(
    reads: { entityRef: string; alarms: AlarmsSnapshot['alarms'] }[],
  ): Promise<void>;
}

/** @public */
export type RefreshSummary = {
  entities: number;
  snapshots: number;
  failures: number;
  removed: number;
};

/**
 * Reads AWS through an `OperationsReader`, and the settings in force through
 * a `SettingsReader` when one is given, and stores the outcome as snapshots:
 * all mapped entities on a schedule, or one entity on demand.
 */
export class OperationsRefresher {
  private readonly now: () => Date;
  /** The kinds every mapped entity gets a snapshot of. */
  private readonly kinds: readonly OperationsSnapshotKind[];

  constructor(
    private readonly options: {
      reader: OperationsReader;
      store: OperationsSnapshotStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      alarmListener?: AlarmReadListener;
      /**
       * Reads the patch and backup settings in force, once per refresh for
       * every target; without it the `settings` kind is not read.
       */
      settingsReader?: SettingsReader;
      /** What the entities' successful RFCs set, to compare the settings in force with. */
      rfcSettings?: Pick<EntitySettingsSource, 'getSettingsOf'>;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    if (options.settingsReader && !options.rfcSettings) {
      // Without the RFCs' settings every drift list would claim "no drift".
      throw new TypeError(
        'OperationsRefresher: a settingsReader needs rfcSettings to compare with',
      );
    }
    this.kinds = options.settingsReader
      ? OPERATIONS_SNAPSHOT_KINDS
      : READER_KINDS;
  }

  /** Hands successful alarm reads to the listener; its failures never fail a refresh. */
  private async notifyAlarms(writes: OperationsSnapshotWrite[]) {
    const listener = this.options.alarmListener;
    if (!listener) return;
    const reads = writes.flatMap(w =>
      w.ok && w.kind === 'alarms'
        ? [
            {
              entityRef: w.entityRef,
              alarms: (w.payload as AlarmsSnapshot).alarms,
            },
          ]
        : [],
    );
    if (!reads.length) return;
    try {
      await listener.onAlarmsRead(reads);
    } catch (e) {
      this.options.logger.error('Handling alarm states failed', e as Error);
    }
  }

  get source() {
    return this.options.reader.source;
  }

  /** Refreshes every mapped entity. Never throws for an AWS failure: that is stored on the snapshots. */
  async refreshAll(): Promise<RefreshSummary> {
    const { catalog, auth, store } = this.options;
    // Scheduled work acts for no user: it reads the whole catalog with the
    // plugin's own credentials. Users only ever see snapshots of entities the
    // catalog lets them read, checked per request.
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      { filter: { kind: MAPPED_KINDS }, fields: ENTITY_FIELDS },
      { credentials },
    );
    const known = new Set(
      items.map(e => normalizeEntityRef(stringifyEntityRef(e))),
    );
    const writes = await this.readAndCollect(items, ref => known.has(ref));

    const written = new Set(writes.map(w => w.entityRef));
    // Settings are read for annotated targets only, never found through
    // stacks, so their failures say nothing about entities left unread.
    const firstError = writes.find(w => !w.ok && w.kind !== 'settings') as
      | { error: string }
      | undefined;
    const removed: string[] = [];
    for (const ref of await store.listEntityRefs()) {
      if (written.has(ref)) continue;
      if (firstError && known.has(ref)) {
        // Found last time (e.g. by a stack's entity-ref tag) but not this
        // time, in a refresh where AWS failed: it may simply not have been
        // reachable. Keep its data, marked stale, instead of dropping it.
        const at = this.now().toISOString();
        for (const kind of READER_KINDS) {
          writes.push({
            entityRef: ref,
            kind,
            source: this.source,
            at,
            ok: false,
            error: `Not refreshed because part of the read failed: ${firstError.error}`,
          });
        }
      } else {
        removed.push(ref);
      }
    }
    await store.saveReads(writes);
    if (removed.length) await store.deleteEntities(removed);
    await this.notifyAlarms(writes);

    const summary = {
      entities: written.size,
      snapshots: writes.length,
      failures: writes.filter(w => !w.ok).length,
      removed: removed.length,
    };
    this.options.logger.info(
      `Operations refresh (${this.source}): ${summary.entities} entities, ${summary.failures} failed reads, ${summary.removed} removed`,
    );
    return summary;
  }

  /** Refreshes one entity the caller has already been allowed to read. */
  async refreshEntity(entity: Entity): Promise<void> {
    const ref = normalizeEntityRef(stringifyEntityRef(entity));
    const writes = await this.readAndCollect([entity], r => r === ref);
    await this.options.store.saveReads(writes);
    await this.notifyAlarms(writes);
  }

  private async readAndCollect(
    entities: Entity[],
    keep: (entityRef: string) => boolean,
  ): Promise<OperationsSnapshotWrite[]> {
    const at = this.now().toISOString();
    const source = this.source;
    const targets: OperationsTarget[] = [];
    const writes: OperationsSnapshotWrite[] = [];
    for (const entity of entities) {
      const mapped = targetFromEntity(entity);
      if (!mapped) continue;
      if ('error' in mapped) {
        const entityRef = normalizeEntityRef(stringifyEntityRef(entity));
        for (const kind of this.kinds) {
          writes.push({
            entityRef,
            kind,
            source: this.sourceOf(kind),
            at,
            ok: false,
            error: mapped.error,
          });
        }
      } else {
        targets.push(mapped.target);
      }
    }

    const [results, settings] = await Promise.all([
      this.readOperations(targets),
      this.readSettings(targets, at),
    ]);
    for (const result of results) {
      if (!keep(result.entityRef)) continue;
      writes.push({ ...result, source, at } as OperationsSnapshotWrite);
    }
    writes.push(...settings);
    return writes;
  }

  private sourceOf(kind: OperationsSnapshotKind) {
    return kind === 'settings' && this.options.settingsReader
      ? this.options.settingsReader.implementation
      : this.source;
  }

  private async readOperations(
    targets: OperationsTarget[],
  ): Promise<OperationsReadResult[]> {
    try {
      return await this.options.reader.read(targets);
    } catch (e) {
      // Readers report AWS failures per entity; this is the unexpected rest.
      // Keep the last good snapshots and show why the refresh failed.
      const error = `Operations data could not be read: ${
        (e as Error).message
      }`;
      this.options.logger.error(error, e as Error);
      return targets.flatMap(t =>
        READER_KINDS.map(
          kind =>
            ({
              entityRef: t.entityRef,
              kind,
              ok: false,
              error,
            } as OperationsReadResult),
        ),
      );
    }
  }

  /**
   * The settings in force of every target, from one call to the settings
   * reader, with their drift from what the targets' RFCs set. A failed read
   * keeps each target's last good settings, marked stale.
   */
  private async readSettings(
    targets: OperationsTarget[],
    at: string,
  ): Promise<OperationsSnapshotWrite[]> {
    const { settingsReader, rfcSettings, logger } = this.options;
    if (!settingsReader || !rfcSettings || targets.length === 0) return [];
    const source = settingsReader.implementation;
    const stacks: StackTarget[] = targets.map(t => ({
      account: t.accountId,
      region: t.region,
      entityRef: t.entityRef,
      selector: t.selector,
    }));
    const [inForce, expected] = await Promise.allSettled([
      settingsReader.readSettings(stacks),
      rfcSettings.getSettingsOf(targets.map(t => t.entityRef)),
    ]);
    const failAll = (error: string, cause: unknown) => {
      logger.error(error, cause as Error);
      return targets.map(
        (t): OperationsSnapshotWrite => ({
          entityRef: t.entityRef,
          kind: 'settings',
          source,
          at,
          ok: false,
          error,
        }),
      );
    };
    if (inForce.status === 'rejected') {
      return failAll(
        `Settings in force could not be read: ${
          (inForce.reason as Error)?.message ?? inForce.reason
        }`,
        inForce.reason,
      );
    }
    if (expected.status === 'rejected') {
      // Without them there is nothing to compare with; showing no drift
      // would say AWS matches the RFCs.
      return failAll(
        `The settings the RFCs set could not be read to compare with: ${
          (expected.reason as Error)?.message ?? expected.reason
        }`,
        expected.reason,
      );
    }
    return targets.map((t): OperationsSnapshotWrite => {
      const read = inForce.value.get(t.entityRef);
      if (!read || !read.ok) {
        return {
          entityRef: t.entityRef,
          kind: 'settings',
          source,
          at,
          ok: false,
          error:
            read?.error ??
            'The settings reader returned nothing for this entity',
        };
      }
      // Only the fields of the snapshot type: the reader may return more.
      const { maintenanceWindow, rejectedUpdates, backupPlan } = read.settings;
      const rfcs: EntityOpsSettings | undefined = expected.value.get(
        t.entityRef,
      )?.settings;
      const settingsInForce = {
        maintenanceWindow,
        rejectedUpdates,
        backupPlan,
      };
      const payload: SettingsSnapshot = {
        ...settingsInForce,
        drift: compareSettings({
          expected: rfcs,
          inForce: settingsInForce,
          source,
          now: new Date(at),
        }),
      };
      return {
        entityRef: t.entityRef,
        kind: 'settings',
        source,
        at,
        ok: true,
        payload,
      };
    });
  }
}
