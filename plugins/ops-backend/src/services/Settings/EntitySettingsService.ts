import {
  deriveEntitySettings,
  type EntityOpsSettings,
  type OpsOperation,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import type { RfcStore } from '../../database/RfcStore';
import type { EntitySettingsSource } from '../OperationsData';

/** Operations that change a setting; restores and snapshots are one-off. */
export const SETTINGS_OPERATIONS: readonly OpsOperation[] = [
  'set-maintenance-window',
  'exclude-from-patching',
  'include-in-patching',
  'reject-update',
  'apply-update',
  'set-backup-schedule',
];

/** An entity's settings and the RFCs they came from, oldest first. */
export type EntitySettingsWithSources = {
  entityRef: string;
  settings: EntityOpsSettings;
  rfcs: Rfc[];
};

const CHUNK = 200;

/**
 * The patch and continuity settings in force for entities, derived from
 * their successful RFCs each time they are read: the RFC history is the
 * only record of them.
 */
export class EntitySettingsService implements EntitySettingsSource {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: Pick<RfcStore, 'listSuccessfulOperations'>;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async getSettings(entityRef: string): Promise<EntityOpsSettings> {
    const rfcs = await this.options.store.listSuccessfulOperations({
      targetEntityRefs: [entityRef],
      operations: [...SETTINGS_OPERATIONS],
    });
    return deriveEntitySettings(rfcs, this.now());
  }

  /** Settings of many entities, keyed by lower-cased entity ref. */
  async getSettingsOf(
    entityRefs: string[],
  ): Promise<Map<string, EntitySettingsWithSources>> {
    const now = this.now();
    const refs = [...new Set(entityRefs.map(lower))];
    const result = new Map<string, EntitySettingsWithSources>();
    for (let i = 0; i < refs.length; i += CHUNK) {
      const rfcs = await this.options.store.listSuccessfulOperations({
        targetEntityRefs: refs.slice(i, i + CHUNK),
        operations: [...SETTINGS_OPERATIONS],
      });
      const byEntity = new Map<string, Rfc[]>();
      for (const rfc of rfcs) {
        const key = lower(rfc.targetEntityRef);
        byEntity.set(key, [...(byEntity.get(key) ?? []), rfc]);
      }
      for (const [entityRef, list] of byEntity) {
        result.set(entityRef, {
          entityRef,
          settings: deriveEntitySettings(list, now),
          rfcs: list,
        });
      }
    }
    return result;
  }
}

function lower(ref: string) {
  return ref.toLocaleLowerCase('en-US');
}
