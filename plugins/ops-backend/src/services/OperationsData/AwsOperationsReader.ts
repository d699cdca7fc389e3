import {
  GetBackupPlanCommand,
  ListBackupVaultsCommand,
  ListProtectedResourcesCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
} from '@aws-sdk/client-ssm';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AlarmState,
  AlarmSummary,
  BackupMethod,
  classifyUpdate,
  InstancePatchState,
  MaintenanceWindowSummary,
  OperationsSnapshotKind,
  PendingUpdate,
  RecoveryPointSummary,
  RESERVED_AWS_TAGS,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import type {
  OperationsAwsClientProvider,
  OperationsAwsClients,
} from './awsClients';
import { describeAwsError } from './awsErrors';
import { scheduleIntervalHours } from './schedule';
import { normalizeEntityRef } from './targets';
import type {
  AwsLocation,
  OperationsReadResult,
  OperationsReader,
  OperationsTarget,
} from './types';

/** Each API's largest page or batch. */
export const AWS_LIMITS = {
  getResourcesPerPage: 100,
  tagFilterValues: 20,
  describeAlarmsNames: 100,
  describeInstancePatchStatesIds: 50,
  describeInstancePatchesPageSize: 50,
  maintenanceWindowsPerPage: 100,
  protectedResourcesPerPage: 1000,
  recoveryPointsPerPage: 1000,
  ec2FilterValues: 200,
  describeVolumesPageSize: 500,
  describeSnapshotsPageSize: 1000,
  rdsFilterValues: 50,
  rdsPageSize: 100,
} as const;

// Stops a misbehaving pagination token from looping forever.
const MAX_PAGES = 10_000;

/** Recovery points kept per resource, newest first. */
const MAX_RECOVERY_POINTS = 30;
const DEFAULT_PATCH_DETAIL_CONCURRENCY = 4;

const ENTITY_REF_TAG = RESERVED_AWS_TAGS.entityRef;

type Resource = { arn: string; tags: Record<string, string> };

type ArnParts = { service: string; type: string; id: string };

function parseArn(arn: string): ArnParts {
  // arn:partition:service:region:account:resource
  const parts = arn.split(':');
  const service = parts[2] ?? '';
  const resource = parts.slice(5).join(':');
  const sep = resource.search(/[/:]/);
  return sep < 0
    ? { service, type: '', id: resource }
    : { service, type: resource.slice(0, sep), id: resource.slice(sep + 1) };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

async function followPages<T>(
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ items?: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, next } = await fetchPage(token);
    all.push(...(items ?? []));
    if (!next) break;
    token = next;
  }
  return all;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker),
  );
}

type TimedPoint = RecoveryPointSummary & { at: Date; planId?: string };

/** Newest first, at most {@link MAX_RECOVERY_POINTS}. */
function newestPoints(points: TimedPoint[] | undefined): TimedPoint[] {
  return [...(points ?? [])]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, MAX_RECOVERY_POINTS);
}

function toSummary(point: TimedPoint): RecoveryPointSummary {
  const { at: _at, planId: _planId, ...rest } = point;
  return rest;
}

function iso(value?: Date | string): string | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An AWS Backup recovery point status as listed, or undefined to leave it out. */
function recoveryPointStatus(
  status: string | undefined,
): RecoveryPointSummary['status'] | undefined {
  switch (status) {
    case 'COMPLETED':
    case 'AVAILABLE':
      return 'COMPLETED';
    case 'PARTIAL':
      return 'PARTIAL';
    case 'EXPIRED':
      return 'EXPIRED';
    default:
      // Still being created or being deleted.
      return undefined;
  }
}

/** @public */
export type AwsOperationsReaderOptions = {
  clients: OperationsAwsClientProvider;
  logger: LoggerService;
  /**
   * Locations searched for stacks tagged with `cloud-ops.io/entity-ref`
   * even when no annotated entity points there.
   */
  stackLocations?: AwsLocation[];
  /**
   * Whether to look for stacks by their `cloud-ops.io/entity-ref` tag.
   * Defaults to true.
   */
  discoverStacks?: boolean;
  /** Hours between backups expected when no plan says otherwise. */
  defaultBackupIntervalHours?: number;
  /** How far back recovery points are read. */
  recoveryPointLookbackDays?: number;
  /** DescribeInstancePatches calls in flight at once. Defaults to 4. */
  patchDetailConcurrency?: number;
  now?: () => Date;
};

/**
 * Reads operations data from AWS for many entities with as few calls as the
 * APIs allow. Per account and region:
 *
 * 1. one paged GetResources per distinct set of selector keys (by keys
 *    only, values matched locally, once there are more values than a tag
 *    filter takes), plus one for the entity-ref tag of stacks;
 * 2. DescribeAlarms for every alarm found, 100 names per call;
 * 3. DescribeInstancePatchStates for every instance, 50 ids per call, and the
 *    account's maintenance windows with their targets;
 * 4. AWS Backup protected resources and the recovery points of each vault,
 *    the plans they came from; EBS and RDS snapshots for resources outside
 *    AWS Backup.
 *
 * So the number of calls follows the number of pages of resources, not the
 * number of entities.
 */
export class AwsOperationsReader implements OperationsReader {
  readonly source = 'aws' as const;
  private readonly now: () => Date;

  constructor(private readonly options: AwsOperationsReaderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async read(targets: OperationsTarget[]): Promise<OperationsReadResult[]> {
    const byLocation = new Map<
      string,
      { location: AwsLocation; targets: OperationsTarget[] }
    >();
    const add = (location: AwsLocation) => {
      const key = `${location.accountId}/${location.region}`;
      if (!byLocation.has(key)) byLocation.set(key, { location, targets: [] });
      return byLocation.get(key)!;
    };
    for (const location of this.options.stackLocations ?? []) add(location);
    for (const target of targets) add(target).targets.push(target);

    const results: OperationsReadResult[] = [];
    for (const { location, targets: here } of byLocation.values()) {
      results.push(...(await this.readLocation(location, here)));
    }
    return results;
  }

  private async readLocation(
    location: AwsLocation,
    targets: OperationsTarget[],
  ): Promise<OperationsReadResult[]> {
    const fail = (
      refs: Iterable<string>,
      kinds: OperationsSnapshotKind[],
      error: string,
    ) =>
      [...refs].flatMap(entityRef =>
        kinds.map(
          kind =>
            ({ entityRef, kind, ok: false, error } as OperationsReadResult),
        ),
      );

    let clients: OperationsAwsClients;
    let resourcesByEntity: Map<string, Map<string, Resource>>;
    try {
      clients = await this.options.clients(location);
      resourcesByEntity = await this.resolveResources(clients, targets);
    } catch (e) {
      const error = describeAwsError(e, 'tag:GetResources', location);
      this.options.logger.warn(error);
      return fail(
        new Set(targets.map(t => t.entityRef)),
        ['alarms', 'patch', 'backups'],
        error,
      );
    }

    const entities = [...resourcesByEntity.keys()];
    const resourcesOf = (ref: string) => [
      ...resourcesByEntity.get(ref)!.values(),
    ];
    const typed = (ref: string, service: string, type: string) =>
      resourcesOf(ref).filter(r => {
        const p = parseArn(r.arn);
        return p.service === service && p.type === type;
      });

    const [alarms, patch, backups] = await Promise.all([
      this.readAlarms(clients, location, entities, ref =>
        typed(ref, 'cloudwatch', 'alarm'),
      ),
      this.readPatch(clients, location, entities, ref =>
        typed(ref, 'ec2', 'instance'),
      ),
      this.readBackups(clients, location, entities, resourcesOf),
    ]);
    return [...alarms, ...patch, ...backups];
  }

  /** Entity ref → its resources (by ARN), with one paged call per key set. */
  private async resolveResources(
    clients: OperationsAwsClients,
    targets: OperationsTarget[],
  ): Promise<Map<string, Map<string, Resource>>> {
    const found = new Map<string, Map<string, Resource>>();
    for (const t of targets) found.set(t.entityRef, new Map());
    const assign = (ref: string, resource: Resource) => {
      if (!found.has(ref)) found.set(ref, new Map());
      found.get(ref)!.set(resource.arn, resource);
    };

    // Targets grouped by their sorted selector keys, then by their values.
    const keySets = new Map<
      string,
      { keys: string[]; byValues: Map<string, string[]> }
    >();
    for (const t of targets) {
      const keys = Object.keys(t.selector).sort();
      const id = JSON.stringify(keys);
      if (!keySets.has(id)) keySets.set(id, { keys, byValues: new Map() });
      const group = keySets.get(id)!;
      const values = JSON.stringify(keys.map(k => t.selector[k]));
      group.byValues.set(values, [
        ...(group.byValues.get(values) ?? []),
        t.entityRef,
      ]);
    }
    const stackKeys = JSON.stringify([ENTITY_REF_TAG]);
    if (this.options.discoverStacks !== false && !keySets.has(stackKeys)) {
      keySets.set(stackKeys, { keys: [ENTITY_REF_TAG], byValues: new Map() });
    }

    for (const [id, { keys, byValues }] of keySets) {
      // Few distinct values (an on-demand refresh, a small catalog): let AWS
      // filter by them. Many: ask by keys alone and match values here, so the
      // calls follow pages of resources rather than entities.
      const valuesPerKey = keys.map(
        (_, i) =>
          new Set([...byValues.keys()].map(v => JSON.parse(v)[i] as string)),
      );
      const filterValues =
        id !== stackKeys &&
        valuesPerKey.every(v => v.size <= AWS_LIMITS.tagFilterValues);
      const resources = await this.getResources(
        clients,
        keys.map((Key, i) =>
          filterValues ? { Key, Values: [...valuesPerKey[i]].sort() } : { Key },
        ),
      );
      for (const resource of resources) {
        const values = JSON.stringify(keys.map(k => resource.tags[k]));
        for (const ref of byValues.get(values) ?? []) assign(ref, resource);
        const owner = resource.tags[ENTITY_REF_TAG];
        if (id === stackKeys && owner)
          assign(normalizeEntityRef(owner), resource);
      }
    }
    return found;
  }

  private async getResources(
    clients: OperationsAwsClients,
    tagFilters: { Key: string; Values?: string[] }[],
  ): Promise<Resource[]> {
    return followPages(async token => {
      const out = await clients.tagging.send(
        new GetResourcesCommand({
          TagFilters: tagFilters,
          ResourcesPerPage: AWS_LIMITS.getResourcesPerPage,
          PaginationToken: token,
        }),
      );
      return {
        items: (out.ResourceTagMappingList ?? []).flatMap(m =>
          m.ResourceARN
            ? [
                {
                  arn: m.ResourceARN,
                  tags: Object.fromEntries(
                    (m.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? '']),
                  ),
                },
              ]
            : [],
        ),
        next: out.PaginationToken || undefined,
      };
    });
  }

  private async readAlarms(
    clients: OperationsAwsClients,
    location: AwsLocation,
    entities: string[],
    alarmsOf: (ref: string) => Resource[],
  ): Promise<OperationsReadResult[]> {
    const names = new Set<string>();
    for (const ref of entities)
      for (const r of alarmsOf(ref)) names.add(parseArn(r.arn).id);
    const byName = new Map<string, AlarmSummary>();
    try {
      for (const batch of chunk([...names], AWS_LIMITS.describeAlarmsNames)) {
        await followPages(async token => {
          const out = await clients.cloudwatch.send(
            new DescribeAlarmsCommand({
              AlarmNames: batch,
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              MaxRecords: AWS_LIMITS.describeAlarmsNames,
              NextToken: token,
            }),
          );
          const all = [
            ...(out.MetricAlarms ?? []),
            ...(out.CompositeAlarms ?? []),
          ];
          for (const a of all) {
            if (!a.AlarmName) continue;
            const metric =
              'MetricName' in a
                ? { namespace: a.Namespace, name: a.MetricName }
                : undefined;
            byName.set(a.AlarmName, {
              name: a.AlarmName,
              arn: a.AlarmArn ?? '',
              state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
              reason: a.StateReason ?? '',
              stateUpdatedAt: iso(a.StateUpdatedTimestamp),
              metric,
              consoleUrl: `https://${
                location.region
              }.console.aws.amazon.com/cloudwatch/home?region=${
                location.region
              }#alarmsV2:alarm/${encodeURIComponent(a.AlarmName)}`,
            });
          }
          return { next: out.NextToken };
        });
      }
    } catch (e) {
      const error = describeAwsError(e, 'cloudwatch:DescribeAlarms', location);
      this.options.logger.warn(error);
      return entities.map(entityRef =>
        alarmsOf(entityRef).length
          ? { entityRef, kind: 'alarms', ok: false, error }
          : { entityRef, kind: 'alarms', ok: true, payload: { alarms: [] } },
      );
    }
    return entities.map(entityRef => ({
      entityRef,
      kind: 'alarms',
      ok: true,
      payload: {
        alarms: alarmsOf(entityRef)
          .map(r => byName.get(parseArn(r.arn).id))
          .filter((a): a is AlarmSummary => !!a)
          .sort((a, b) => a.name.localeCompare(b.name)),
      },
    }));
  }

  private async readPatch(
    clients: OperationsAwsClients,
    location: AwsLocation,
    entities: string[],
    instancesOf: (ref: string) => Resource[],
  ): Promise<OperationsReadResult[]> {
    const instanceTags = new Map<string, Record<string, string>>();
    for (const ref of entities) {
      for (const r of instancesOf(ref))
        instanceTags.set(parseArn(r.arn).id, r.tags);
    }
    const states = new Map<string, InstancePatchState>();
    const windows = new Map<string, MaintenanceWindowSummary>();
    let operation = 'ssm:DescribeInstancePatchStates';
    try {
      for (const batch of chunk(
        [...instanceTags.keys()],
        AWS_LIMITS.describeInstancePatchStatesIds,
      )) {
        await followPages(async token => {
          const out = await clients.ssm.send(
            new DescribeInstancePatchStatesCommand({
              InstanceIds: batch,
              MaxResults: AWS_LIMITS.describeInstancePatchStatesIds,
              NextToken: token,
            }),
          );
          for (const s of out.InstancePatchStates ?? []) {
            if (!s.InstanceId) continue;
            const missing = s.MissingCount ?? 0;
            const failed = s.FailedCount ?? 0;
            states.set(s.InstanceId, {
              instanceId: s.InstanceId,
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
        });
      }
      if (instanceTags.size > 0) {
        operation = 'ssm:DescribeMaintenanceWindows';
        await this.readMaintenanceWindows(clients, instanceTags, windows);
      }
      await this.readPendingUpdates(clients, location, states);
    } catch (e) {
      const error = describeAwsError(e, operation, location);
      this.options.logger.warn(error);
      return entities.map(entityRef =>
        instancesOf(entityRef).length
          ? { entityRef, kind: 'patch', ok: false, error }
          : {
              entityRef,
              kind: 'patch',
              ok: true,
              payload: { instances: [], unmanagedInstanceIds: [] },
            },
      );
    }
    return entities.map(entityRef => {
      const ids = instancesOf(entityRef)
        .map(r => parseArn(r.arn).id)
        .sort();
      return {
        entityRef,
        kind: 'patch',
        ok: true,
        payload: {
          instances: ids.flatMap(id => {
            const state = states.get(id);
            return state
              ? [{ ...state, maintenanceWindow: windows.get(id) }]
              : [];
          }),
          unmanagedInstanceIds: ids.filter(id => !states.has(id)),
        },
      };
    });
  }

  /**
   * Lists the missing and failed patches of every non-compliant instance,
   * classified by the patch policy. Compliant instances need no call. A
   * failure leaves the instances without a list (their counts still stand)
   * rather than failing the patch read.
   */
  private async readPendingUpdates(
    clients: OperationsAwsClients,
    location: AwsLocation,
    states: Map<string, InstancePatchState>,
  ) {
    const nonCompliant: InstancePatchState[] = [];
    for (const state of states.values()) {
      if (state.compliant) state.pendingUpdates = [];
      else nonCompliant.push(state);
    }
    const failures: string[] = [];
    await forEachLimited(
      nonCompliant,
      this.options.patchDetailConcurrency ?? DEFAULT_PATCH_DETAIL_CONCURRENCY,
      async state => {
        try {
          const patches = await followPages(async token => {
            const out = await clients.ssm.send(
              new DescribeInstancePatchesCommand({
                InstanceId: state.instanceId,
                Filters: [{ Key: 'State', Values: ['Missing', 'Failed'] }],
                MaxResults: AWS_LIMITS.describeInstancePatchesPageSize,
                NextToken: token,
              }),
            );
            return { items: out.Patches, next: out.NextToken };
          });
          const updates = new Map<string, PendingUpdate>();
          for (const p of patches) {
            const id = p.KBId || p.Title;
            if (!id) continue;
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
          failures.push(
            describeAwsError(e, 'ssm:DescribeInstancePatches', location),
          );
        }
      },
    );
    if (failures.length) {
      this.options.logger.warn(
        `Pending updates of ${failures.length} instance(s) could not be listed: ${failures[0]}`,
      );
    }
  }

  /** Fills instance id → window from the account's windows and their targets. */
  private async readMaintenanceWindows(
    clients: OperationsAwsClients,
    instanceTags: Map<string, Record<string, string>>,
    into: Map<string, MaintenanceWindowSummary>,
  ) {
    const identities = await followPages(async token => {
      const out = await clients.ssm.send(
        new DescribeMaintenanceWindowsCommand({
          Filters: [{ Key: 'Enabled', Values: ['true'] }],
          MaxResults: AWS_LIMITS.maintenanceWindowsPerPage,
          NextToken: token,
        }),
      );
      return { items: out.WindowIdentities, next: out.NextToken };
    });
    for (const w of identities) {
      if (!w.WindowId) continue;
      const summary: MaintenanceWindowSummary = {
        id: w.WindowId,
        name: w.Name ?? w.WindowId,
        schedule: w.Schedule,
        nextExecutionAt: iso(w.NextExecutionTime),
      };
      const targets = await followPages(async token => {
        const out = await clients.ssm.send(
          new DescribeMaintenanceWindowTargetsCommand({
            WindowId: w.WindowId,
            MaxResults: AWS_LIMITS.maintenanceWindowsPerPage,
            NextToken: token,
          }),
        );
        return { items: out.Targets, next: out.NextToken };
      });
      for (const target of targets) {
        for (const { Key, Values = [] } of target.Targets ?? []) {
          for (const [id, tags] of instanceTags) {
            if (into.has(id)) continue;
            const matches =
              Key === 'InstanceIds'
                ? Values.includes(id)
                : Key?.startsWith('tag:') &&
                  Values.includes(tags[Key.slice(4)]);
            if (matches) into.set(id, summary);
          }
        }
      }
    }
  }

  private async readBackups(
    clients: OperationsAwsClients,
    location: AwsLocation,
    entities: string[],
    resourcesOf: (ref: string) => Resource[],
  ): Promise<OperationsReadResult[]> {
    const now = this.now();
    const defaultInterval = this.options.defaultBackupIntervalHours ?? 24;
    const candidates = new Map<string, ArnParts>();
    for (const ref of entities) {
      for (const r of resourcesOf(ref)) {
        const p = parseArn(r.arn);
        if (p.service === 'cloudwatch') continue;
        candidates.set(r.arn, p);
      }
    }
    const states = new Map<string, ResourceBackupState>();
    const step = { operation: 'backup:ListProtectedResources' };
    try {
      if (candidates.size > 0) {
        await this.readBackupState(
          clients,
          candidates,
          states,
          now,
          defaultInterval,
          step,
        );
      }
    } catch (e) {
      const error = describeAwsError(e, step.operation, location);
      this.options.logger.warn(error);
      return entities.map(entityRef =>
        resourcesOf(entityRef).some(r => candidates.has(r.arn))
          ? { entityRef, kind: 'backups', ok: false, error }
          : {
              entityRef,
              kind: 'backups',
              ok: true,
              payload: { resources: [] },
            },
      );
    }
    return entities.map(entityRef => ({
      entityRef,
      kind: 'backups',
      ok: true,
      payload: {
        resources: resourcesOf(entityRef)
          .flatMap(r => (states.has(r.arn) ? [states.get(r.arn)!] : []))
          .sort((a, b) => a.resourceArn.localeCompare(b.resourceArn)),
      },
    }));
  }

  private async readBackupState(
    clients: OperationsAwsClients,
    candidates: Map<string, ArnParts>,
    into: Map<string, ResourceBackupState>,
    now: Date,
    defaultInterval: number,
    step: { operation: string },
  ) {
    const protectedResources = await followPages(async token => {
      const out = await clients.backup.send(
        new ListProtectedResourcesCommand({
          MaxResults: AWS_LIMITS.protectedResourcesPerPage,
          NextToken: token,
        }),
      );
      return { items: out.Results, next: out.NextToken };
    });
    const protectedArns = new Set(
      protectedResources.flatMap(r =>
        r.ResourceArn && candidates.has(r.ResourceArn) ? [r.ResourceArn] : [],
      ),
    );
    const record = (
      arn: string,
      method: BackupMethod,
      last?: { id: string; at: Date },
      plan?: ResourceBackupState['plan'],
      intervalHours = defaultInterval,
      points: TimedPoint[] = [],
    ) => {
      const ageHours = last
        ? (now.getTime() - last.at.getTime()) / 3_600_000
        : undefined;
      into.set(arn, {
        resourceArn: arn,
        resourceType: `${candidates.get(arn)!.service}:${
          candidates.get(arn)!.type
        }`,
        method,
        lastRecoveryPoint: last
          ? {
              id: last.id,
              completedAt: last.at.toISOString(),
              ageHours: Math.round(ageHours! * 10) / 10,
            }
          : undefined,
        recoveryPoints: newestPoints(points).map(toSummary),
        plan,
        expectedIntervalHours: intervalHours,
        // Half an interval of grace, so a backup that is running late is not yet overdue.
        overdue: ageHours === undefined || ageHours > intervalHours * 1.5,
      });
    };

    if (protectedArns.size > 0) {
      step.operation = 'backup:ListRecoveryPointsByBackupVault';
      const vaults = await followPages(async token => {
        const out = await clients.backup.send(
          new ListBackupVaultsCommand({ NextToken: token }),
        );
        return { items: out.BackupVaultList, next: out.NextToken };
      });
      const lookbackDays = this.options.recoveryPointLookbackDays ?? 35;
      const latest = new Map<
        string,
        { id: string; at: Date; planId?: string }
      >();
      const backupPoints = new Map<string, TimedPoint[]>();
      for (const vault of vaults) {
        if (!vault.BackupVaultName) continue;
        await followPages(async token => {
          const out = await clients.backup.send(
            new ListRecoveryPointsByBackupVaultCommand({
              BackupVaultName: vault.BackupVaultName,
              ByCreatedAfter: new Date(
                now.getTime() - lookbackDays * 86_400_000,
              ),
              MaxResults: AWS_LIMITS.recoveryPointsPerPage,
              NextToken: token,
            }),
          );
          for (const rp of out.RecoveryPoints ?? []) {
            const at = rp.CompletionDate ?? rp.CreationDate;
            if (!rp.ResourceArn || !protectedArns.has(rp.ResourceArn)) continue;
            const status = recoveryPointStatus(rp.Status);
            if (status && at) {
              backupPoints.set(rp.ResourceArn, [
                ...(backupPoints.get(rp.ResourceArn) ?? []),
                {
                  id: rp.RecoveryPointArn ?? '',
                  completedAt: at.toISOString(),
                  status,
                  origin: rp.CreatedBy?.BackupPlanId
                    ? 'scheduled'
                    : 'on-demand',
                  ...(rp.BackupSizeInBytes !== undefined
                    ? { sizeBytes: rp.BackupSizeInBytes }
                    : {}),
                  at,
                },
              ]);
            }
            if (rp.Status !== 'COMPLETED' || !at) continue;
            const prev = latest.get(rp.ResourceArn);
            if (!prev || prev.at < at) {
              latest.set(rp.ResourceArn, {
                id: rp.RecoveryPointArn ?? '',
                at,
                planId: rp.CreatedBy?.BackupPlanId,
              });
            }
          }
          return { next: out.NextToken };
        });
      }
      const plans = new Map<
        string,
        { plan: ResourceBackupState['plan']; interval?: number }
      >();
      step.operation = 'backup:GetBackupPlan';
      for (const planId of new Set(
        [...latest.values()].flatMap(l => (l.planId ? [l.planId] : [])),
      )) {
        const out = await clients.backup.send(
          new GetBackupPlanCommand({ BackupPlanId: planId }),
        );
        const schedules = (out.BackupPlan?.Rules ?? []).flatMap(r =>
          r.ScheduleExpression ? [r.ScheduleExpression] : [],
        );
        const intervals = schedules
          .map(scheduleIntervalHours)
          .filter((h): h is number => h !== undefined);
        plans.set(planId, {
          plan: {
            id: planId,
            name: out.BackupPlan?.BackupPlanName ?? planId,
            schedule: schedules[0],
          },
          interval: intervals.length ? Math.max(...intervals) : undefined,
        });
      }
      for (const arn of protectedArns) {
        const last = latest.get(arn);
        const plan = last?.planId ? plans.get(last.planId) : undefined;
        record(
          arn,
          'aws-backup',
          last,
          plan?.plan,
          plan?.interval ?? defaultInterval,
          backupPoints.get(arn),
        );
      }
    }

    // Outside AWS Backup: EBS snapshots for instances and volumes, RDS snapshots for databases.
    const unprotected = [...candidates].filter(
      ([arn]) => !protectedArns.has(arn),
    );
    const instances = unprotected.filter(
      ([, p]) => p.service === 'ec2' && p.type === 'instance',
    );
    const volumes = unprotected.filter(
      ([, p]) => p.service === 'ec2' && p.type === 'volume',
    );
    const databases = unprotected.filter(
      ([, p]) => p.service === 'rds' && p.type === 'db',
    );

    step.operation = 'ec2:DescribeSnapshots';
    const volumesOfInstance = new Map<string, string[]>();
    for (const batch of chunk(
      instances.map(([, p]) => p.id),
      AWS_LIMITS.ec2FilterValues,
    )) {
      await followPages(async token => {
        const out = await clients.ec2.send(
          new DescribeVolumesCommand({
            Filters: [{ Name: 'attachment.instance-id', Values: batch }],
            MaxResults: AWS_LIMITS.describeVolumesPageSize,
            NextToken: token,
          }),
        );
        for (const v of out.Volumes ?? []) {
          for (const a of v.Attachments ?? []) {
            if (a.InstanceId && v.VolumeId) {
              volumesOfInstance.set(a.InstanceId, [
                ...(volumesOfInstance.get(a.InstanceId) ?? []),
                v.VolumeId,
              ]);
            }
          }
        }
        return { next: out.NextToken };
      });
    }
    const volumeIds = new Set([
      ...volumes.map(([, p]) => p.id),
      ...[...volumesOfInstance.values()].flat(),
    ]);
    const latestSnapshot = new Map<string, { id: string; at: Date }>();
    const snapshotPoints = new Map<string, TimedPoint[]>();
    for (const batch of chunk([...volumeIds], AWS_LIMITS.ec2FilterValues)) {
      await followPages(async token => {
        const out = await clients.ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [
              { Name: 'volume-id', Values: batch },
              { Name: 'status', Values: ['completed'] },
            ],
            MaxResults: AWS_LIMITS.describeSnapshotsPageSize,
            NextToken: token,
          }),
        );
        for (const s of out.Snapshots ?? []) {
          const at = s.CompletionTime ?? s.StartTime;
          if (!s.VolumeId || !s.SnapshotId || !at) continue;
          snapshotPoints.set(s.VolumeId, [
            ...(snapshotPoints.get(s.VolumeId) ?? []),
            {
              id: s.SnapshotId,
              completedAt: at.toISOString(),
              status: 'COMPLETED',
              // Data Lifecycle Manager tags the snapshots its policies take.
              origin: (s.Tags ?? []).some(t => t.Key?.startsWith('aws:dlm:'))
                ? 'scheduled'
                : 'on-demand',
              at,
            },
          ]);
          const prev = latestSnapshot.get(s.VolumeId);
          if (!prev || prev.at < at)
            latestSnapshot.set(s.VolumeId, { id: s.SnapshotId, at });
        }
        return { next: out.NextToken };
      });
    }
    for (const [arn, p] of volumes) {
      record(
        arn,
        latestSnapshot.has(p.id) ? 'ebs-snapshot' : 'none',
        latestSnapshot.get(p.id),
        undefined,
        defaultInterval,
        snapshotPoints.get(p.id),
      );
    }
    for (const [arn, p] of instances) {
      // An instance is only as recoverable as its least recently snapshotted volume.
      const snaps = (volumesOfInstance.get(p.id) ?? []).map(v =>
        latestSnapshot.get(v),
      );
      const oldest =
        snaps.length && snaps.every(Boolean)
          ? snaps.reduce((a, b) => (a!.at <= b!.at ? a : b))
          : undefined;
      record(
        arn,
        oldest ? 'ebs-snapshot' : 'none',
        oldest,
        undefined,
        defaultInterval,
        // Each volume's snapshots; with several volumes, one point per volume snapshot.
        (volumesOfInstance.get(p.id) ?? []).flatMap(
          v => snapshotPoints.get(v) ?? [],
        ),
      );
    }

    step.operation = 'rds:DescribeDBSnapshots';
    const latestDbSnapshot = new Map<string, { id: string; at: Date }>();
    const dbPoints = new Map<string, TimedPoint[]>();
    for (const batch of chunk(
      databases.map(([, p]) => p.id),
      AWS_LIMITS.rdsFilterValues,
    )) {
      await followPages(async token => {
        const out = await clients.rds.send(
          new DescribeDBSnapshotsCommand({
            Filters: [{ Name: 'db-instance-id', Values: batch }],
            MaxRecords: AWS_LIMITS.rdsPageSize,
            Marker: token,
          }),
        );
        for (const s of out.DBSnapshots ?? []) {
          const at = s.SnapshotCreateTime;
          if (s.Status !== 'available' || !s.DBInstanceIdentifier || !at)
            continue;
          dbPoints.set(s.DBInstanceIdentifier, [
            ...(dbPoints.get(s.DBInstanceIdentifier) ?? []),
            {
              id: s.DBSnapshotIdentifier ?? '',
              completedAt: at.toISOString(),
              status: 'COMPLETED',
              origin:
                s.SnapshotType === 'automated' ? 'scheduled' : 'on-demand',
              at,
            },
          ]);
          const prev = latestDbSnapshot.get(s.DBInstanceIdentifier);
          if (!prev || prev.at < at) {
            latestDbSnapshot.set(s.DBInstanceIdentifier, {
              id: s.DBSnapshotIdentifier ?? '',
              at,
            });
          }
        }
        return { next: out.Marker };
      });
    }
    for (const [arn, p] of databases) {
      record(
        arn,
        latestDbSnapshot.has(p.id) ? 'rds-snapshot' : 'none',
        latestDbSnapshot.get(p.id),
        undefined,
        defaultInterval,
        dbPoints.get(p.id),
      );
    }
  }
}
