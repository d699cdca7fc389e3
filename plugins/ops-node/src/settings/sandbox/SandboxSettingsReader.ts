import {
  cronToBackupSchedule,
  cronToMaintenanceWindow,
  RESERVED_AWS_TAGS,
} from '@cloud-ops/plugin-ops-common';
import type {
  SettingsReader,
  StackSettingsInForce,
  StackTarget,
} from '../types';
import { normalizeEntityRef } from './checks';
import {
  nextExecutionAt,
  SandboxStateStore,
  StoredBackupPlan,
  StoredMaintenanceWindow,
} from './state';

/**
 * Reads the settings in force from the sandbox account's state, back
 * through the same cron parsers and RFC tags as the aws reader reads AWS.
 * Unlike the aws reader, which can only give the RFC that last wrote a
 * baseline, each rejected update names the RFC that rejected it.
 */
export class SandboxSettingsReader implements SettingsReader {
  readonly implementation = 'sandbox' as const;

  constructor(private readonly store: SandboxStateStore) {}

  async readSettings(
    stacks: StackTarget[],
  ): Promise<
    Map<
      string,
      | { ok: true; settings: StackSettingsInForce }
      | { ok: false; error: string }
    >
  > {
    const state = this.store.current();
    const now = this.store.now();
    const results = new Map<
      string,
      { ok: true; settings: StackSettingsInForce }
    >();
    for (const stack of stacks) {
      const ref = normalizeEntityRef(stack.entityRef);
      const window = state.maintenanceWindows[ref];
      const baseline = state.patchBaselines[ref];
      const plan = state.backupPlans[ref];
      const settings: StackSettingsInForce = {
        maintenanceWindow: window ? toWindow(window, now) : null,
        rejectedUpdates: (baseline?.rejectedPatches ?? []).map(p => ({
          updateId: p.updateId,
          baselineId: baseline.id,
          rfcId: p.rfcId,
        })),
        backupPlan: plan ? toPlan(plan) : null,
      };
      results.set(ref, { ok: true, settings });
    }
    return results;
  }
}

function toWindow(
  window: StoredMaintenanceWindow,
  now: Date,
): StackSettingsInForce['maintenanceWindow'] {
  const parsed = cronToMaintenanceWindow(window.schedule);
  const next = nextExecutionAt(window, now);
  const rfcId = window.tags[RESERVED_AWS_TAGS.rfc];
  return {
    id: window.id,
    name: window.name,
    schedule: window.schedule,
    ...(parsed && { window: parsed }),
    enabled: window.enabled,
    ...(next && { nextExecutionAt: next }),
    ...(window.excludedUntil && { excludedUntil: window.excludedUntil }),
    ...(rfcId && { rfcId }),
  };
}

function toPlan(plan: StoredBackupPlan): StackSettingsInForce['backupPlan'] {
  const backupSchedule = cronToBackupSchedule(
    plan.schedule,
    plan.retentionDays,
  );
  const rfcId = plan.tags[RESERVED_AWS_TAGS.rfc];
  return {
    id: plan.id,
    name: plan.name,
    schedule: plan.schedule,
    ...(backupSchedule && { backupSchedule }),
    ...(rfcId && { rfcId }),
  };
}
