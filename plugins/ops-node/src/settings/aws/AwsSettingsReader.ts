import { GetBackupPlanCommand } from '@aws-sdk/client-backup';
import {
  GetResourcesCommand,
  ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeMaintenanceWindowsCommand,
  GetPatchBaselineCommand,
  MaintenanceWindowIdentity,
} from '@aws-sdk/client-ssm';
import type { Config } from '@backstage/config';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  cronToBackupSchedule,
  cronToMaintenanceWindow,
  nextMaintenanceWindow,
} from '@cloud-ops/plugin-ops-common';
import {
  AwsCallError,
  AwsClientFactory,
  AwsLocation,
  callAws,
} from '../../aws';
import { paginate } from '../../aws/paginate';
import type {
  SettingsReader,
  StackSettingsInForce,
  StackTarget,
} from '../types';
import { fromTagList, stackResourceNames, TAG } from './naming';
import { mapWithConcurrency, TaggedResource } from './stackResources';

/** What the gateways create, as the Tagging API names the types. */
const RESOURCE_TYPES = [
  'ssm:maintenancewindow',
  'ssm:patchbaseline',
  'backup:backup-plan',
];
const RESOURCES_PER_PAGE = 100;
const SSM_PAGE_SIZE = 100;
/** Detail reads in flight per location, to stay under AWS's rate limits. */
const DETAIL_CONCURRENCY = 5;
/** A resource deleted since the Tagging API last saw it. */
const GONE = new Set(['DoesNotExistException', 'ResourceNotFoundException']);

type ReadResult =
  | { ok: true; settings: StackSettingsInForce }
  | { ok: false; error: string };

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

type Found = {
  stack: StackTarget;
  windows: TaggedResource[];
  baselines: TaggedResource[];
  plans: TaggedResource[];
};

/**
 * Reads the patch and backup settings AWS holds for many stacks, batched per
 * account and region.
 *
 * Per location, one paged Tagging API scan finds what the settings gateways
 * created (maintenance windows, patch baselines and backup plans tagged
 * `cloud-ops.io/entity-ref`), matched to the stacks by that tag
 * (case-insensitively). Then one paged DescribeMaintenanceWindows for the
 * schedules, one GetPatchBaseline per baseline for the rejected patches, and
 * one GetBackupPlan per plan for the rule. The RFC and a patching exclusion
 * are read from the tags `cloud-ops.io/rfc` and
 * `cloud-ops.io/patching-excluded-until`; `rfcId` of a rejected update is the
 * RFC that last wrote the baseline.
 *
 * A failing location or call fails only the stacks it concerns, with an
 * error naming the call; the others keep their results.
 *
 * @public
 */
export class AwsSettingsReader implements SettingsReader {
  readonly implementation = 'aws' as const;
  private readonly now: () => Date;

  static fromConfig(
    config: Config,
    options: {
      clients?: AwsClientFactory;
      credentialsManager?: AwsCredentialsManager;
    } = {},
  ): AwsSettingsReader {
    return new AwsSettingsReader(
      options.clients ??
        AwsClientFactory.fromConfig(config, {
          credentialsManager: options.credentialsManager,
        }),
    );
  }

  constructor(
    private readonly clients: AwsClientFactory,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async readSettings(stacks: StackTarget[]): Promise<Map<string, ReadResult>> {
    const locations = new Map<string, StackTarget[]>();
    for (const stack of stacks) {
      const key = `${stack.account}/${stack.region}`;
      locations.set(key, [...(locations.get(key) ?? []), stack]);
    }
    const results = new Map<string, ReadResult>();
    await Promise.all(
      [...locations.values()].map(async group => {
        const read = await this.readLocation(group[0], group);
        for (const [ref, result] of read) results.set(ref, result);
      }),
    );
    return results;
  }

  private async readLocation(
    location: AwsLocation,
    stacks: StackTarget[],
  ): Promise<Map<string, ReadResult>> {
    const found = new Map<string, Found>();
    for (const stack of stacks) {
      found.set(stack.entityRef.toLowerCase(), {
        stack,
        windows: [],
        baselines: [],
        plans: [],
      });
    }
    const scan = await settle(this.scan(location));
    if (!scan.ok) {
      return new Map(
        [...found.keys()].map(ref => [ref, { ok: false, error: scan.error }]),
      );
    }
    for (const resource of scan.value) {
      const entry = found.get(
        (resource.tags[TAG.entityRef] ?? '').toLowerCase(),
      );
      if (!entry) continue;
      if (/:maintenancewindow\//.test(resource.arn)) {
        entry.windows.push(resource);
      } else if (/:patchbaseline\//.test(resource.arn)) {
        entry.baselines.push(resource);
      } else if (/:backup-plan:/.test(resource.arn)) {
        entry.plans.push(resource);
      }
    }
    const entries = [...found.values()];

    const windows = entries.some(e => e.windows.length)
      ? await settle(this.describeWindows(location))
      : ({ ok: true, value: new Map() } as const);
    const baselines = await this.readDetails(
      entries.flatMap(e => e.baselines),
      arn => this.rejectedPatches(location, idAfter(arn, '/')),
    );
    const plans = await this.readDetails(
      entries.flatMap(e => e.plans),
      arn => this.backupRule(location, idAfter(arn, 'backup-plan:')),
    );

    const results = new Map<string, ReadResult>();
    for (const [ref, entry] of found) {
      const errors: string[] = [];
      let maintenanceWindow: StackSettingsInForce['maintenanceWindow'] = null;
      if (entry.windows.length) {
        if (windows.ok) {
          maintenanceWindow = this.toWindow(entry, windows.value);
        } else {
          errors.push(windows.error);
        }
      }
      const rejectedUpdates: StackSettingsInForce['rejectedUpdates'] = [];
      for (const baseline of entry.baselines) {
        const read = baselines.get(baseline.arn)!;
        if (!read.ok) {
          errors.push(read.error);
          continue;
        }
        const baselineId = idAfter(baseline.arn, '/');
        const rfcId = baseline.tags[TAG.rfc];
        for (const updateId of read.value ?? []) {
          rejectedUpdates.push({
            updateId,
            baselineId,
            ...(rfcId && { rfcId }),
          });
        }
      }
      let backupPlan: StackSettingsInForce['backupPlan'] = null;
      for (const plan of entry.plans) {
        const read = plans.get(plan.arn)!;
        if (!read.ok) {
          errors.push(read.error);
        } else if (read.value && !backupPlan) {
          backupPlan = toPlan(plan, read.value);
        }
      }
      results.set(
        ref,
        errors.length
          ? { ok: false, error: errors.join('; ') }
          : {
              ok: true,
              settings: { maintenanceWindow, rejectedUpdates, backupPlan },
            },
      );
    }
    return results;
  }

  private async scan(location: AwsLocation): Promise<TaggedResource[]> {
    const tagging = this.clients.tagging(location);
    const mappings: ResourceTagMapping[] = [];
    const pages = paginate(
      PaginationToken =>
        callAws('tag:GetResources', location, () =>
          tagging.send(
            new GetResourcesCommand({
              TagFilters: [{ Key: TAG.entityRef }],
              ResourceTypeFilters: RESOURCE_TYPES,
              ResourcesPerPage: RESOURCES_PER_PAGE,
              PaginationToken,
            }),
          ),
        ),
      page => page.PaginationToken,
    );
    for await (const page of pages) {
      mappings.push(...(page.ResourceTagMappingList ?? []));
    }
    return mappings.flatMap(m =>
      m.ResourceARN ? [{ arn: m.ResourceARN, tags: fromTagList(m.Tags) }] : [],
    );
  }

  private async describeWindows(
    location: AwsLocation,
  ): Promise<Map<string, MaintenanceWindowIdentity>> {
    const ssm = this.clients.ssm(location);
    const windows = new Map<string, MaintenanceWindowIdentity>();
    const pages = paginate(
      NextToken =>
        callAws('ssm:DescribeMaintenanceWindows', location, () =>
          ssm.send(
            new DescribeMaintenanceWindowsCommand({
              MaxResults: SSM_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      for (const w of page.WindowIdentities ?? []) {
        if (w.WindowId) windows.set(w.WindowId, w);
      }
    }
    return windows;
  }

  /** The baseline's rejected patches; undefined when it is gone. */
  private async rejectedPatches(
    location: AwsLocation,
    baselineId: string,
  ): Promise<string[] | undefined> {
    const baseline = await unlessGone(
      callAws('ssm:GetPatchBaseline', location, () =>
        this.clients
          .ssm(location)
          .send(new GetPatchBaselineCommand({ BaselineId: baselineId })),
      ),
    );
    return baseline && (baseline.RejectedPatches ?? []);
  }

  private async backupRule(
    location: AwsLocation,
    planId: string,
  ): Promise<PlanRead | undefined> {
    const response = await unlessGone(
      callAws('backup:GetBackupPlan', location, () =>
        this.clients
          .backup(location)
          .send(new GetBackupPlanCommand({ BackupPlanId: planId })),
      ),
    );
    if (!response) return undefined;
    const rules = response.BackupPlan?.Rules ?? [];
    const rule = rules.find(r => r.RuleName?.startsWith('ops-')) ?? rules[0];
    return {
      id: response.BackupPlanId ?? planId,
      name: response.BackupPlan?.BackupPlanName ?? '',
      schedule: rule?.ScheduleExpression ?? '',
      retentionDays: rule?.Lifecycle?.DeleteAfterDays,
    };
  }

  private async readDetails<T>(
    resources: TaggedResource[],
    read: (arn: string) => Promise<T>,
  ): Promise<Map<string, Settled<T>>> {
    const settled = await mapWithConcurrency(
      resources,
      DETAIL_CONCURRENCY,
      resource => settle(read(resource.arn)),
    );
    return new Map(resources.map((r, i) => [r.arn, settled[i]]));
  }

  private toWindow(
    entry: Found,
    identities: Map<string, MaintenanceWindowIdentity>,
  ): StackSettingsInForce['maintenanceWindow'] {
    let name: string | undefined;
    try {
      name = stackResourceNames(entry.stack.entityRef).window;
    } catch {
      name = undefined;
    }
    const candidates = entry.windows.flatMap(resource => {
      const identity = identities.get(idAfter(resource.arn, '/'));
      return identity ? [{ resource, identity }] : [];
    });
    const chosen =
      candidates.find(c => c.identity.Name === name) ?? candidates[0];
    if (!chosen) return null;
    const { identity, resource } = chosen;
    const schedule = identity.Schedule ?? '';
    const window = cronToMaintenanceWindow(schedule);
    const enabled = identity.Enabled ?? false;
    const nextExecutionAt =
      isoOrUndefined(identity.NextExecutionTime) ??
      (enabled && window
        ? nextMaintenanceWindow(window, this.now()).toISOString()
        : undefined);
    const excludedUntil = resource.tags[TAG.excludedUntil];
    const rfcId = resource.tags[TAG.rfc];
    return {
      id: identity.WindowId!,
      name: identity.Name ?? '',
      schedule,
      ...(window && { window }),
      enabled,
      ...(nextExecutionAt && { nextExecutionAt }),
      ...(excludedUntil && { excludedUntil }),
      ...(rfcId && { rfcId }),
    };
  }
}

type PlanRead = {
  id: string;
  name: string;
  schedule: string;
  retentionDays?: number;
};

function toPlan(
  resource: TaggedResource,
  plan: PlanRead,
): NonNullable<StackSettingsInForce['backupPlan']> {
  const backupSchedule =
    plan.retentionDays !== undefined
      ? cronToBackupSchedule(plan.schedule, plan.retentionDays)
      : undefined;
  const rfcId = resource.tags[TAG.rfc];
  return {
    id: plan.id,
    name: plan.name,
    schedule: plan.schedule,
    ...(backupSchedule && { backupSchedule }),
    ...(rfcId && { rfcId }),
  };
}

function idAfter(arn: string, separator: string): string {
  return arn.slice(arn.lastIndexOf(separator) + separator.length);
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function unlessGone<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof AwsCallError && GONE.has(error.awsErrorName)) {
      return undefined;
    }
    throw error;
  }
}
