import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import {
  cronToMaintenanceWindow,
  nextMaintenanceWindow,
  patchingExclusionEndsAt,
  type EntityOpsSettings,
  type MaintenanceWindow,
  type PatchSnapshot,
  type PendingUpdate,
  type SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type { OperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import type { RfcStore } from '../../database/RfcStore';
import type { OpsNotifier } from '../Notifications';
import { EntitySettingsService } from './EntitySettingsService';

const HOUR_MS = 60 * 60 * 1000;
const DEFAULT_NOTIFY_BEFORE_HOURS = 72;
const LISTED_UPDATES = 5;

/** Reads `ops.patching.notifyBeforeHours` (default 72); must be positive. */
export function readNotifyBeforeHours(config: Config): number {
  const hours =
    config.getOptionalNumber('ops.patching.notifyBeforeHours') ??
    DEFAULT_NOTIFY_BEFORE_HOURS;
  if (!(hours > 0)) {
    throw new Error(
      `ops.patching.notifyBeforeHours must be a positive number of hours, not ${hours}`,
    );
  }
  return hours;
}

const WEEK_NAMES: Record<string, string> = {
  '1': 'first',
  '2': 'second',
  '3': 'third',
  '4': 'fourth',
  last: 'last',
};
const DAY_NAMES: Record<string, string> = {
  MON: 'Monday',
  TUE: 'Tuesday',
  WED: 'Wednesday',
  THU: 'Thursday',
  FRI: 'Friday',
  SAT: 'Saturday',
  SUN: 'Sunday',
};

/** e.g. "the second Tuesday of each month, 03:00 UTC, for 1 hour" */
export function describeMaintenanceWindow(window: MaintenanceWindow): string {
  const hours =
    window.durationHours === 1 ? '1 hour' : `${window.durationHours} hours`;
  return `the ${WEEK_NAMES[String(window.week)]} ${
    DAY_NAMES[window.weekday]
  } of each month, ${window.startTime} UTC, for ${hours}`;
}

function operationsLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/operations`;
}

function formatStart(start: Date): string {
  return `${start.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What decides a notice: the window, until when patching is off, and the rejected updates. */
type PatchSchedule = {
  window: MaintenanceWindow | null;
  /** Epoch ms; Infinity for a window disabled with no end. */
  excludedUntil?: number;
  rejectedUpdateIds: string[];
};

function scheduleFromRfcs(settings: EntityOpsSettings): PatchSchedule {
  return {
    window: settings.maintenanceWindow,
    excludedUntil: settings.patchingExclusion
      ? patchingExclusionEndsAt(settings.patchingExclusion.until)
      : undefined,
    rejectedUpdateIds: settings.rejectedUpdates.map(r => r.updateId),
  };
}

function scheduleInForce(inForce: SettingsSnapshot, now: Date): PatchSchedule {
  const window = inForce.maintenanceWindow;
  let excludedUntil: number | undefined;
  if (window && !window.enabled) {
    const end = window.excludedUntil
      ? patchingExclusionEndsAt(window.excludedUntil)
      : NaN;
    // Still disabled after its end date (or without one): it does not run.
    excludedUntil = end > now.getTime() ? end : Infinity;
  } else if (window?.excludedUntil) {
    excludedUntil = patchingExclusionEndsAt(window.excludedUntil);
  }
  return {
    // A window on a schedule the suite does not write cannot be announced.
    window: window
      ? window.window ?? cronToMaintenanceWindow(window.schedule) ?? null
      : null,
    excludedUntil,
    rejectedUpdateIds: inForce.rejectedUpdates.map(r => r.updateId),
  };
}

/**
 * Tells owning teams of an upcoming maintenance window: once per entity and
 * window occurrence, across replicas, for entities with a window whose next
 * start is near and which are not excluded from patching at that time.
 *
 * The window, exclusion and rejected updates are the ones in force in AWS,
 * from the entity's last settings snapshot, when there is one; otherwise the
 * ones its RFCs set. Entities are those with a successful maintenance window
 * RFC, whose owner is told.
 */
export class MaintenanceNotifier {
  private readonly settings: EntitySettingsService;
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: Pick<
        RfcStore,
        'listSuccessfulOperations' | 'listTargetsWithOperation'
      >;
      notifier: OpsNotifier;
      logger: LoggerService;
      /** Where the settings in force and the pending updates come from, when known. */
      snapshots?: Pick<
        OperationsSnapshotStore,
        'getSnapshots' | 'listSnapshots'
      >;
      notifyBeforeHours?: number;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.settings = new EntitySettingsService({
      store: options.store,
      now: this.now,
    });
  }

  /** Sends what is due; returns how many notifications went out now. */
  async run(): Promise<number> {
    const now = this.now();
    const horizon =
      now.getTime() +
      (this.options.notifyBeforeHours ?? DEFAULT_NOTIFY_BEFORE_HOURS) * HOUR_MS;
    const targets = await this.options.store.listTargetsWithOperation(
      'set-maintenance-window',
    );
    const all = await this.settings.getSettingsOf(targets);
    const inForce = await this.settingsInForce([...all.keys()]);
    let sent = 0;
    for (const { entityRef, settings, rfcs } of all.values()) {
      const aws = inForce.get(entityRef);
      const { window, excludedUntil, rejectedUpdateIds } = aws
        ? scheduleInForce(aws, now)
        : scheduleFromRfcs(settings);
      if (!window) continue;
      const start = nextMaintenanceWindow(window, now);
      if (start.getTime() > horizon) continue;
      if (excludedUntil !== undefined && excludedUntil > start.getTime()) {
        continue;
      }
      const latest = rfcs[rfcs.length - 1];
      try {
        const rejected = new Set(rejectedUpdateIds);
        const important = (await this.pendingImportant(entityRef))?.filter(
          u => !rejected.has(u.id),
        );
        const wasSent = await this.options.notifier.notifyOnce(
          `maintenance:${entityRef}:${start.toISOString()}`,
          {
            recipients: [latest.ownerGroup],
            topic: 'maintenance-upcoming',
            title: `Maintenance of ${latest.targetEntityRef} on ${formatStart(
              start,
            )}`,
            description: this.describe(window, start, important),
            link: operationsLink(latest.targetEntityRef),
          },
        );
        if (wasSent) sent += 1;
      } catch (error) {
        // One entity's failure must not hold back the others; the next run retries it.
        this.options.logger.warn(
          `Could not notify the maintenance of ${entityRef}: ${
            (error as Error).message
          }`,
        );
      }
    }
    return sent;
  }

  private describe(
    window: MaintenanceWindow,
    start: Date,
    important: PendingUpdate[] | undefined,
  ): string {
    const parts = [
      `The maintenance window, ${describeMaintenanceWindow(
        window,
      )}, next starts ${formatStart(
        start,
      )}; Important Updates are installed then.`,
    ];
    if (important) {
      if (important.length === 0) {
        parts.push('No Important Updates are pending.');
      } else {
        const ids = important.slice(0, LISTED_UPDATES).map(u => u.id);
        const more =
          important.length > LISTED_UPDATES
            ? ` and ${important.length - LISTED_UPDATES} more`
            : '';
        parts.push(
          `${important.length} Important Update${
            important.length === 1 ? ' is' : 's are'
          } pending: ${ids.join(', ')}${more}.`,
        );
      }
    }
    parts.push(
      'To move the window, exclude the stack or reject an update, raise an RFC from the Operations tab.',
    );
    return parts.join(' ');
  }

  /** The last good settings snapshot of each entity that has one. */
  private async settingsInForce(
    entityRefs: string[],
  ): Promise<Map<string, SettingsSnapshot>> {
    if (!this.options.snapshots || !entityRefs.length) return new Map();
    const rows = await this.options.snapshots.listSnapshots({
      kind: 'settings',
      entityRefs,
    });
    return new Map(
      rows.flatMap(r =>
        r.payload ? [[r.entityRef, r.payload as SettingsSnapshot]] : [],
      ),
    );
  }

  /** Pending Important updates from the last patch read, or undefined when unknown. */
  private async pendingImportant(
    entityRef: string,
  ): Promise<PendingUpdate[] | undefined> {
    if (!this.options.snapshots) return undefined;
    const snapshots = await this.options.snapshots.getSnapshots(entityRef);
    const patch = snapshots.find(s => s.kind === 'patch')?.payload as
      | PatchSnapshot
      | null
      | undefined;
    if (!patch || !patch.instances.some(i => i.pendingUpdates)) {
      return undefined;
    }
    const byId = new Map<string, PendingUpdate>();
    for (const instance of patch.instances) {
      for (const update of instance.pendingUpdates ?? []) {
        if (update.updateClass === 'important') byId.set(update.id, update);
      }
    }
    return [...byId.values()];
  }
}

/**
 * Runs the maintenance notifier every 15 minutes on one replica.
 */
export async function scheduleMaintenanceNotifier(
  scheduler: SchedulerService,
  notifier: MaintenanceNotifier,
  logger: LoggerService,
): Promise<void> {
  await scheduler.scheduleTask({
    id: 'ops-maintenance-notify',
    scope: 'global',
    frequency: { minutes: 15 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      try {
        const sent = await notifier.run();
        if (sent > 0) {
          logger.info(`Sent ${sent} upcoming maintenance notification(s)`);
        }
      } catch (e) {
        logger.error('Maintenance notifications failed', e as Error);
      }
    },
  });
}
