import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import type { MaintenanceWindow } from '@cloud-ops/plugin-ops-common';
import {
  maintenanceWindowToCron,
  patchingExclusionEndsAt,
} from '@cloud-ops/plugin-ops-common';
import { AwsClientFactory } from '../../aws';
import type {
  ChangeStamp,
  MaintenanceWindowResult,
  PatchingGateway,
  StackTarget,
} from '../types';
import { MaintenanceWindows } from './maintenanceWindows';
import { selectorPairs } from './naming';
import { PatchBaselines } from './patchBaselines';
import { PatchRuns, SSM_TARGET_PAIRS_MAX } from './patchRuns';
import { WriteProgress } from './progress';

export { DEFAULT_PATCH_SCHEDULE } from './maintenanceWindows';

/** @public */
export type AwsPatchingGatewayOptions = {
  /**
   * Operating system of the baselines created, as SSM names it;
   * `ops.aws.patching.operatingSystem`, by default `AMAZON_LINUX_2023`.
   */
  operatingSystem?: string;
  now?: () => Date;
};

/**
 * SSM patching of stacks, over AWS SDK v3.
 *
 * The AWS model, per stack (`<slug>` is the entity ref as
 * `kind-namespace-name`, lower-cased, within each API's name limit):
 *
 * - One maintenance window `ops-patch-<slug>` (UTC, 1 hour, cutoff 0) with
 *   one target `ops-instances` (the instances carrying every pair of the
 *   stack's tag selector) and one task `ops-run-patch-baseline`
 *   (AWS-RunPatchBaseline, Install, RebootIfNeeded).
 * - A patching exclusion disables the window and tags it
 *   `cloud-ops.io/patching-excluded-until=<until>`; including the stack again
 *   enables it and removes the tag. The justification stays on the RFC. A
 *   stack excluded before it had a window gets one on the default schedule
 *   `cron(0 3 ? * TUE#2 *)`.
 * - One patch baseline `ops-<slug>` (approves every classification after 7
 *   days, blocks rejected patches), registered for patch group `ops-<slug>`;
 *   the stack's EC2 instances are tagged `PatchGroup=ops-<slug>`. Rejecting
 *   an update adds it to the baseline's rejected patches. Applying one
 *   removes it from them and runs AWS-RunPatchBaseline on the stack's
 *   instances: that installs what the baseline now approves, not the one
 *   update alone, because AWS's InstallOverrideList takes only an S3 or
 *   HTTPS URL.
 *
 * Everything written is tagged `cloud-ops.io/entity-ref=<entity ref>` and
 * `cloud-ops.io/rfc=<RFC of the latest write>`. Writes are idempotent per
 * `stamp.token`: creates carry it as ClientToken (suffixed for the second
 * and later creates of an attempt), and a repeated call finds what the first
 * made and writes only what differs. SendCommand takes no token: the patch
 * run carries it in its comment, a repeated call finds the run there, and
 * SendCommand is never retried blindly.
 *
 * A call that fails after some of its writes says, besides the AWS call that
 * failed and what AWS said, which writes it had made (`already done: ...`).
 *
 * @public
 */
export class AwsPatchingGateway implements PatchingGateway {
  readonly implementation = 'aws' as const;
  private readonly windows: MaintenanceWindows;
  private readonly baselines: PatchBaselines;
  private readonly runs: PatchRuns;

  static fromConfig(
    config: Config,
    options: {
      clients?: AwsClientFactory;
      credentialsManager?: AwsCredentialsManager;
    } = {},
  ): AwsPatchingGateway {
    return new AwsPatchingGateway(
      options.clients ??
        AwsClientFactory.fromConfig(config, {
          credentialsManager: options.credentialsManager,
        }),
      {
        operatingSystem: config.getOptionalString(
          'ops.aws.patching.operatingSystem',
        ),
      },
    );
  }

  constructor(
    clients: AwsClientFactory,
    options: AwsPatchingGatewayOptions = {},
  ) {
    const now = options.now ?? (() => new Date());
    this.windows = new MaintenanceWindows(clients, now);
    this.baselines = new PatchBaselines(clients, options.operatingSystem);
    this.runs = new PatchRuns(clients, now);
  }

  async setMaintenanceWindow(request: {
    stack: StackTarget;
    window: MaintenanceWindow;
    stamp: ChangeStamp;
  }): Promise<MaintenanceWindowResult> {
    let schedule: string;
    try {
      schedule = maintenanceWindowToCron(request.window);
    } catch (error) {
      throw new InputError('Invalid maintenance window', error);
    }
    return WriteProgress.track(progress =>
      this.windows.write(request.stack, request.stamp, { schedule }, progress),
    );
  }

  async setPatchingExclusion(request: {
    stack: StackTarget;
    until: string | null;
    justification?: string;
    stamp: ChangeStamp;
  }): Promise<{ windowId: string }> {
    const { until } = request;
    if (until !== null && Number.isNaN(patchingExclusionEndsAt(until))) {
      throw new InputError(
        `until must be a date such as 2026-12-31, got "${until}"`,
      );
    }
    const { windowId } = await WriteProgress.track(progress =>
      this.windows.write(
        request.stack,
        request.stamp,
        { excludedUntil: until },
        progress,
      ),
    );
    return { windowId };
  }

  async rejectUpdate(request: {
    stack: StackTarget;
    updateId: string;
    stamp: ChangeStamp;
  }): Promise<{ baselineId: string }> {
    const { stack, stamp } = request;
    const updateId = checkUpdateId(request.updateId);
    return WriteProgress.track(async progress => {
      const baseline = await this.baselines.ensure(stack, stamp, progress);
      if (!baseline.rejected.includes(updateId)) {
        await this.baselines.setRejected(stack, baseline.id, updateId, [
          ...baseline.rejected,
          updateId,
        ]);
        progress.did(`rejected ${updateId} in baseline ${baseline.id}`);
      }
      await this.baselines.tag(stack, stamp, baseline.id);
      return { baselineId: baseline.id };
    });
  }

  async applyUpdate(request: {
    stack: StackTarget;
    updateId: string;
    stamp: ChangeStamp;
  }): Promise<{ baselineId: string; commandId?: string }> {
    const { stack, stamp } = request;
    const updateId = checkUpdateId(request.updateId);
    const pairs = selectorPairs(stack, SSM_TARGET_PAIRS_MAX);
    return WriteProgress.track(async progress => {
      const baseline = await this.baselines.ensure(stack, stamp, progress);
      if (baseline.rejected.includes(updateId)) {
        await this.baselines.setRejected(
          stack,
          baseline.id,
          updateId,
          baseline.rejected.filter(p => p !== updateId),
        );
        progress.did(
          `lifted the rejection of ${updateId} in baseline ${baseline.id}`,
        );
      }
      await this.baselines.tag(stack, stamp, baseline.id);
      progress.did(`tagged baseline ${baseline.id} with ${stamp.rfcId}`);
      if (baseline.instanceIds.length === 0) {
        return { baselineId: baseline.id };
      }
      const commandId = await this.runs.run(stack, stamp, updateId, pairs);
      return { baselineId: baseline.id, commandId };
    });
  }
}

function checkUpdateId(updateId: string): string {
  const trimmed = updateId?.trim();
  if (!trimmed) {
    throw new InputError(
      'updateId is required, e.g. KB5039212 or ALAS2023-2026-0412',
    );
  }
  return trimmed;
}
