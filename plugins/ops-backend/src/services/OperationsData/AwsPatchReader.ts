import {
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  classifyUpdate,
  InstancePatchState,
  MaintenanceWindowSummary,
  OperationsSourceWarning,
  PendingUpdate,
} from '@cloud-ops/plugin-ops-common';
import {
  AWS_LIMITS,
  AwsReadContext,
  chunk,
  failureMessage,
  followPages,
  forEachLimited,
  iso,
  required,
  Resource,
} from './awsReading';
import type { OperationsReadResult } from './types';

const DEFAULT_PATCH_DETAIL_CONCURRENCY = 4;

/**
 * The patch state of every entity's EC2 instances, from three sources that
 * fail on their own:
 *
 * - patch states (DescribeInstancePatchStates, 50 ids per call): without
 *   them there is nothing to show, so their failure fails the patch read of
 *   the entities with instances;
 * - maintenance windows and their targets: a failure leaves the instances
 *   without their window, with a warning;
 * - the missing and failed patches of each non-compliant instance
 *   (DescribeInstancePatches): a failure leaves those instances without a
 *   list (their counts still stand), with a warning.
 */
export async function readPatch(
  ctx: AwsReadContext,
  entities: { entityRef: string; resources: Resource[] }[],
  options: { patchDetailConcurrency?: number } = {},
): Promise<OperationsReadResult[]> {
  const instancesOf = (resources: Resource[]) =>
    resources.filter(r => r.service === 'ec2' && r.type === 'instance');
  const instanceTags = new Map<string, Record<string, string>>();
  for (const e of entities) {
    for (const r of instancesOf(e.resources)) instanceTags.set(r.id, r.tags);
  }
  const ssm = ctx.clients.ssm(ctx.at);

  let states: Map<string, InstancePatchState>;
  try {
    states = await describePatchStates(ctx, ssm, [...instanceTags.keys()]);
  } catch (e) {
    const error = failureMessage(e, 'ssm:DescribeInstancePatchStates', ctx.at);
    ctx.logger.warn(error);
    return entities.map(({ entityRef, resources }) =>
      instancesOf(resources).length
        ? { entityRef, kind: 'patch', ok: false, error }
        : {
            entityRef,
            kind: 'patch',
            ok: true,
            payload: { instances: [], unmanagedInstanceIds: [] },
          },
    );
  }

  const [windows, unlisted] = await Promise.all([
    instanceTags.size
      ? maintenanceWindows(ctx, ssm, instanceTags).catch(e => {
          const error = failureMessage(
            e,
            'ssm:DescribeMaintenanceWindows',
            ctx.at,
          );
          ctx.logger.warn(error);
          return { error };
        })
      : new Map<string, MaintenanceWindowSummary>(),
    readPendingUpdates(
      ctx,
      ssm,
      states,
      options.patchDetailConcurrency ?? DEFAULT_PATCH_DETAIL_CONCURRENCY,
    ),
  ]);

  return entities.map(({ entityRef, resources }) => {
    const ids = instancesOf(resources)
      .map(r => r.id)
      .sort();
    const warnings: OperationsSourceWarning[] = [];
    if (ids.length && !(windows instanceof Map)) {
      warnings.push({ source: 'maintenance-windows', error: windows.error });
    }
    const withoutList = ids.filter(id => unlisted.failed.has(id));
    if (withoutList.length) {
      warnings.push({
        source: 'pending-updates',
        error: `the missing patches of ${withoutList.length} instance(s) could not be listed: ${unlisted.error}`,
      });
    }
    return {
      entityRef,
      kind: 'patch',
      ok: true,
      payload: {
        instances: ids.flatMap(id => {
          const state = states.get(id);
          if (!state) return [];
          const maintenanceWindow =
            windows instanceof Map ? windows.get(id) : undefined;
          return [{ ...state, maintenanceWindow }];
        }),
        unmanagedInstanceIds: ids.filter(id => !states.has(id)),
        ...(warnings.length ? { warnings } : {}),
      },
    };
  });
}

async function describePatchStates(
  ctx: AwsReadContext,
  ssm: SSMClient,
  instanceIds: string[],
): Promise<Map<string, InstancePatchState>> {
  const states = new Map<string, InstancePatchState>();
  for (const batch of chunk(
    instanceIds,
    AWS_LIMITS.describeInstancePatchStatesIds,
  )) {
    await followPages(
      'ssm:DescribeInstancePatchStates',
      ctx.at,
      async token => {
        const out = await ssm.send(
          new DescribeInstancePatchStatesCommand({
            InstanceIds: batch,
            MaxResults: AWS_LIMITS.describeInstancePatchStatesIds,
            NextToken: token,
          }),
        );
        for (const s of out.InstancePatchStates ?? []) {
          const instanceId = required(s.InstanceId, 'InstanceId');
          const missing = s.MissingCount ?? 0;
          const failed = s.FailedCount ?? 0;
          states.set(instanceId, {
            instanceId,
            installed: s.InstalledCount ?? 0,
            missing,
            failed,
            criticalMissing: s.CriticalNonCompliantCount ?? 0,
            securityMissing: s.SecurityNonCompliantCount ?? 0,
            lastScanAt: iso(s.OperationEndTime),
            baselineId: s.BaselineId,
            compliant: missing === 0 && failed === 0,
          });
        }
        return { next: out.NextToken };
      },
    );
  }
  return states;
}

/**
 * Lists the missing and failed patches of every non-compliant instance,
 * classified by the patch policy, into its state. Compliant instances need
 * no call. Returns the instances whose list failed, and the first error.
 */
async function readPendingUpdates(
  ctx: AwsReadContext,
  ssm: SSMClient,
  states: Map<string, InstancePatchState>,
  concurrency: number,
): Promise<{ failed: Set<string>; error?: string }> {
  const nonCompliant: InstancePatchState[] = [];
  for (const state of states.values()) {
    if (state.compliant) state.pendingUpdates = [];
    else nonCompliant.push(state);
  }
  const failed = new Set<string>();
  let firstError: string | undefined;
  await forEachLimited(nonCompliant, concurrency, async state => {
    try {
      const patches = await followPages(
        'ssm:DescribeInstancePatches',
        ctx.at,
        async token => {
          const out = await ssm.send(
            new DescribeInstancePatchesCommand({
              InstanceId: state.instanceId,
              Filters: [{ Key: 'State', Values: ['Missing', 'Failed'] }],
              MaxResults: AWS_LIMITS.describeInstancePatchesPageSize,
              NextToken: token,
            }),
          );
          return { items: out.Patches, next: out.NextToken };
        },
      );
      const updates = new Map<string, PendingUpdate>();
      for (const p of patches) {
        const id = required(p.KBId || p.Title, 'KBId or Title');
        const classification = p.Classification ?? '';
        const severity = p.Severity ?? '';
        updates.set(id, {
          id,
          title: p.Title ?? id,
          classification,
          severity,
          updateClass: classifyUpdate(classification, severity),
        });
      }
      state.pendingUpdates = [...updates.values()];
    } catch (e) {
      failed.add(state.instanceId);
      firstError ??= failureMessage(e, 'ssm:DescribeInstancePatches', ctx.at);
    }
  });
  if (failed.size) {
    ctx.logger.warn(
      `Pending updates of ${failed.size} instance(s) could not be listed: ${firstError}`,
    );
  }
  return { failed, error: firstError };
}

/** Instance id → the enabled window whose targets cover it, by id or by tag. */
async function maintenanceWindows(
  ctx: AwsReadContext,
  ssm: SSMClient,
  instanceTags: Map<string, Record<string, string>>,
): Promise<Map<string, MaintenanceWindowSummary>> {
  const into = new Map<string, MaintenanceWindowSummary>();
  const identities = await followPages(
    'ssm:DescribeMaintenanceWindows',
    ctx.at,
    async token => {
      const out = await ssm.send(
        new DescribeMaintenanceWindowsCommand({
          Filters: [{ Key: 'Enabled', Values: ['true'] }],
          MaxResults: AWS_LIMITS.maintenanceWindowsPerPage,
          NextToken: token,
        }),
      );
      return { items: out.WindowIdentities, next: out.NextToken };
    },
  );
  for (const w of identities) {
    const windowId = required(w.WindowId, 'WindowId');
    const summary: MaintenanceWindowSummary = {
      id: windowId,
      name: w.Name ?? windowId,
      schedule: w.Schedule,
      nextExecutionAt: iso(w.NextExecutionTime),
    };
    const targets = await followPages(
      'ssm:DescribeMaintenanceWindowTargets',
      ctx.at,
      async token => {
        const out = await ssm.send(
          new DescribeMaintenanceWindowTargetsCommand({
            WindowId: windowId,
            MaxResults: AWS_LIMITS.maintenanceWindowsPerPage,
            NextToken: token,
          }),
        );
        return { items: out.Targets, next: out.NextToken };
      },
    );
    for (const target of targets) {
      for (const { Key, Values = [] } of target.Targets ?? []) {
        for (const [id, tags] of instanceTags) {
          if (into.has(id)) continue;
          const matches =
            Key === 'InstanceIds'
              ? Values.includes(id)
              : Key?.startsWith('tag:') && Values.includes(tags[Key.slice(4)]);
          if (matches) into.set(id, summary);
        }
      }
    }
  }
  return into;
}
