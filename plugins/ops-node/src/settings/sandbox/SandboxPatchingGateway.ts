import { InputError } from '@backstage/errors';
import { patchingExclusionEndsAt } from '@cloud-ops/plugin-ops-common';
import { DEFAULT_PATCH_SCHEDULE } from '../aws/AwsPatchingGateway';
import { selectorPairs, stackResourceNames, stampTags } from '../aws/naming';
import type {
  ChangeStamp,
  MaintenanceWindowResult,
  PatchingGateway,
  StackTarget,
} from '../types';
import { checkUpdateId, digest, guid, windowSchedule } from './checks';
import type { SandboxStateStore, State, StoredPatchBaseline } from './state';

type Request<K extends Exclude<keyof PatchingGateway, 'implementation'>> =
  Parameters<PatchingGateway[K]>[0];

/** Maintenance window targets and SendCommand take at most five tag pairs. */
const SSM_TARGET_PAIRS_MAX = 5;

/**
 * SSM patching of the sandbox account, after the aws gateway's model: one
 * maintenance window `ops-patch-<slug>` and one patch baseline `ops-<slug>`
 * per stack, and a patch run per applied update. An exclusion disables the
 * window until its date; setting a schedule or an exclusion on a stack with
 * no window creates it, with the default schedule when none is given.
 */
export class SandboxPatchingGateway implements PatchingGateway {
  readonly implementation = 'sandbox' as const;

  constructor(private readonly store: SandboxStateStore) {}

  async setMaintenanceWindow({
    stack,
    window,
    stamp,
  }: Request<'setMaintenanceWindow'>): Promise<MaintenanceWindowResult> {
    const schedule = windowSchedule(window);
    return this.writeWindow('setMaintenanceWindow', stack, stamp, {
      schedule,
    });
  }

  async setPatchingExclusion({
    stack,
    until,
    stamp,
  }: Request<'setPatchingExclusion'>): Promise<{ windowId: string }> {
    if (until !== null && Number.isNaN(patchingExclusionEndsAt(until))) {
      throw new InputError(
        `until must be a date such as 2026-12-31, got "${until}"`,
      );
    }
    const { windowId } = await this.writeWindow(
      'setPatchingExclusion',
      stack,
      stamp,
      { excludedUntil: until },
    );
    return { windowId };
  }

  async rejectUpdate({
    stack,
    updateId: requested,
    stamp,
  }: Request<'rejectUpdate'>): Promise<{ baselineId: string }> {
    const updateId = checkUpdateId(requested);
    selectorPairs(stack);
    return this.store.write('rejectUpdate', stack, stamp, (state, ref, at) => {
      const baseline = baselineOf(state, stack, ref, stamp, at);
      baseline.rejectedPatches = [
        ...baseline.rejectedPatches.filter(p => p.updateId !== updateId),
        { updateId, rfcId: stamp.rfcId, at },
      ];
      return { baselineId: baseline.id };
    });
  }

  async applyUpdate({
    stack,
    updateId: requested,
    stamp,
  }: Request<'applyUpdate'>): Promise<{
    baselineId: string;
    commandId?: string;
  }> {
    const updateId = checkUpdateId(requested);
    selectorPairs(stack, SSM_TARGET_PAIRS_MAX);
    return this.store.write('applyUpdate', stack, stamp, (state, ref, at) => {
      const baseline = baselineOf(state, stack, ref, stamp, at);
      baseline.rejectedPatches = baseline.rejectedPatches.filter(
        p => p.updateId !== updateId,
      );
      const commandId = guid(`command/${ref}/${stamp.token}`);
      state.patchRuns.push({
        entityRef: ref,
        commandId,
        updateId,
        baselineId: baseline.id,
        rfcId: stamp.rfcId,
        createdAt: at,
      });
      return { baselineId: baseline.id, commandId };
    });
  }

  /**
   * Creates the stack's window or brings it to the desired state: a new
   * schedule, or an exclusion set (`until`) or lifted (`null`). The window
   * is enabled unless an exclusion ending in the future is on it.
   */
  private writeWindow(
    operation: string,
    stack: StackTarget,
    stamp: ChangeStamp,
    desired: { schedule?: string; excludedUntil?: string | null },
  ): MaintenanceWindowResult {
    selectorPairs(stack, SSM_TARGET_PAIRS_MAX);
    const name = stackResourceNames(stack.entityRef).window;
    return this.store.write(operation, stack, stamp, (state, ref, at) => {
      const existing = state.maintenanceWindows[ref];
      const excludedUntil =
        desired.excludedUntil === undefined
          ? existing?.excludedUntil
          : desired.excludedUntil ?? undefined;
      const schedule =
        desired.schedule ?? existing?.schedule ?? DEFAULT_PATCH_SCHEDULE;
      const written = {
        schedule,
        targets: { ...stack.selector },
        enabled: !(
          excludedUntil &&
          patchingExclusionEndsAt(excludedUntil) > Date.parse(at)
        ),
        excludedUntil,
        tags: stampTags(stack, stamp),
        updatedAt: at,
      };
      if (existing) {
        Object.assign(existing, written);
        return { windowId: existing.id, schedule, created: false };
      }
      const id = `mw-${digest(`mw/${ref}/${stamp.token}`, 17)}`;
      state.maintenanceWindows[ref] = {
        id,
        name,
        account: stack.account,
        region: stack.region,
        createdAt: at,
        ...written,
      };
      return { windowId: id, schedule, created: true };
    });
  }
}

/** The stack's patch baseline, made on first use. */
function baselineOf(
  state: State,
  stack: StackTarget,
  ref: string,
  stamp: ChangeStamp,
  at: string,
): StoredPatchBaseline {
  const existing = state.patchBaselines[ref];
  if (existing) {
    existing.tags = stampTags(stack, stamp);
    existing.updatedAt = at;
    return existing;
  }
  const baseline: StoredPatchBaseline = {
    id: `pb-${digest(`pb/${ref}/${stamp.token}`, 17)}`,
    name: stackResourceNames(stack.entityRef).baseline,
    rejectedPatches: [],
    tags: stampTags(stack, stamp),
    createdAt: at,
    updatedAt: at,
  };
  state.patchBaselines[ref] = baseline;
  return baseline;
}
