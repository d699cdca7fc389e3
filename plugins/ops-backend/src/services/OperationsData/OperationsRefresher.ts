import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPERATIONS_SNAPSHOT_KINDS,
  type AlarmsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type {
  OperationsSnapshotStore,
  OperationsSnapshotWrite,
} from '../../database/OperationsSnapshotStore';
import { normalizeEntityRef, targetFromEntity } from './targets';
import type {
  OperationsReadResult,
  OperationsReader,
  OperationsTarget,
} from './types';

/** Entity kinds that can have AWS resources behind them. */
const MAPPED_KINDS = ['component', 'resource', 'system'];

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
 * Reads AWS through an `OperationsReader` and stores the outcome as
 * snapshots: all mapped entities on a schedule, or one entity on demand.
 */
export class OperationsRefresher {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      reader: OperationsReader;
      store: OperationsSnapshotStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      alarmListener?: AlarmReadListener;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
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
    const firstError = writes.find(w => !w.ok) as { error: string } | undefined;
    const removed: string[] = [];
    for (const ref of await store.listEntityRefs()) {
      if (written.has(ref)) continue;
      if (firstError && known.has(ref)) {
        // Found last time (e.g. by a stack's entity-ref tag) but not this
        // time, in a refresh where AWS failed: it may simply not have been
        // reachable. Keep its data, marked stale, instead of dropping it.
        const at = this.now().toISOString();
        for (const kind of OPERATIONS_SNAPSHOT_KINDS) {
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
        for (const kind of OPERATIONS_SNAPSHOT_KINDS) {
          writes.push({
            entityRef,
            kind,
            source,
            at,
            ok: false,
            error: mapped.error,
          });
        }
      } else {
        targets.push(mapped.target);
      }
    }

    let results: OperationsReadResult[];
    try {
      results = await this.options.reader.read(targets);
    } catch (e) {
      // Readers report AWS failures per entity; this is the unexpected rest.
      // Keep the last good snapshots and show why the refresh failed.
      const error = `Operations data could not be read: ${
        (e as Error).message
      }`;
      this.options.logger.error(error, e as Error);
      results = targets.flatMap(t =>
        OPERATIONS_SNAPSHOT_KINDS.map(kind => ({
          entityRef: t.entityRef,
          kind,
          ok: false as const,
          error,
        })),
      );
    }
    for (const result of results) {
      if (!keep(result.entityRef)) continue;
      writes.push({ ...result, source, at } as OperationsSnapshotWrite);
    }
    return writes;
  }
}
