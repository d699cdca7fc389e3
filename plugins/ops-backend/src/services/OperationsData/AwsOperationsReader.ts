import type { LoggerService } from '@backstage/backend-plugin-api';
import type { OperationsSnapshotKind } from '@cloud-ops/plugin-ops-common';
import type { AwsClientFactory } from '@cloud-ops/plugin-ops-node';
import { readAlarms } from './AwsAlarmsReader';
import { readBackups } from './AwsBackupsReader';
import { readPatch } from './AwsPatchReader';
import { NotUnderstood, resolveResources } from './AwsResourceResolver';
import { AwsReadContext, failureMessage } from './awsReading';
import type {
  AwsLocation,
  OperationsReadResult,
  OperationsReader,
  OperationsTarget,
} from './types';

const KINDS: OperationsSnapshotKind[] = ['alarms', 'patch', 'backups'];

/** ARNs named in a snapshot as examples of those not understood. */
const NOT_UNDERSTOOD_EXAMPLES = 3;

/** @public */
export type AwsOperationsReaderOptions = {
  /**
   * Builds the SDK clients, with one shared credential provider per
   * account (so a role is assumed once per account, not once per client).
   */
  clients: AwsClientFactory;
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
 * APIs allow. Per account and region, after getting its credentials:
 *
 * 1. one paged GetResources per distinct set of selector keys (by keys
 *    only, values matched locally, once there are more values than a tag
 *    filter takes), plus one for the entity-ref tag of stacks
 *    (`AwsResourceResolver`);
 * 2. DescribeAlarms for every alarm found, 100 names per call
 *    (`AwsAlarmsReader`);
 * 3. DescribeInstancePatchStates for every instance, 50 ids per call, and the
 *    account's maintenance windows with their targets (`AwsPatchReader`);
 * 4. AWS Backup protected resources and the recovery points of each vault,
 *    the plans they came from; EBS and RDS snapshots for resources outside
 *    AWS Backup (`AwsBackupsReader`).
 *
 * So the number of calls follows the number of pages of resources, not the
 * number of entities. Credentials and resources failing fail every kind of
 * the location; after that each kind, and each source within a kind, fails
 * on its own, named in the snapshot's error or the payload's `warnings`.
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
    const { clients, logger } = this.options;
    const ctx: AwsReadContext = {
      clients,
      at: { account: location.accountId, region: location.region },
      logger,
    };
    const failAll = (error: string) => {
      logger.warn(error);
      return [...new Set(targets.map(t => t.entityRef))].flatMap(entityRef =>
        KINDS.map(
          kind =>
            ({ entityRef, kind, ok: false, error } as OperationsReadResult),
        ),
      );
    };

    try {
      // Once per account: later calls use the same credentials.
      await clients.resolveCredentials(ctx.at.account);
    } catch (e) {
      return failAll(failureMessage(e, 'credentials', ctx.at));
    }
    let resolved: Awaited<ReturnType<typeof resolveResources>>;
    try {
      resolved = await resolveResources(ctx, targets, {
        discoverStacks: this.options.discoverStacks,
      });
    } catch (e) {
      return failAll(failureMessage(e, 'tag:GetResources', ctx.at));
    }

    const entities = [...resolved.resources].map(([entityRef, byArn]) => ({
      entityRef,
      resources: [...byArn.values()],
    }));
    const [alarms, patch, backups] = await Promise.all([
      readAlarms(ctx, entities),
      readPatch(ctx, entities, {
        patchDetailConcurrency: this.options.patchDetailConcurrency,
      }),
      readBackups(ctx, entities, {
        now: this.now(),
        defaultIntervalHours: this.options.defaultBackupIntervalHours ?? 24,
        lookbackDays: this.options.recoveryPointLookbackDays ?? 35,
      }),
    ]);
    return [...alarms, ...patch, ...backups].map(result =>
      withNotUnderstood(result, resolved.notUnderstood.get(result.entityRef)),
    );
  }
}

/** Notes on a good read the entity's ARNs that its kind could not read. */
function withNotUnderstood(
  result: OperationsReadResult,
  notUnderstood: NotUnderstood[] | undefined,
): OperationsReadResult {
  const arns = (notUnderstood ?? [])
    .filter(n => n.kinds.includes(result.kind))
    .map(n => n.arn)
    .sort();
  if (!result.ok || !arns.length) return result;
  return {
    ...result,
    payload: {
      ...result.payload,
      notUnderstood: {
        count: arns.length,
        examples: arns.slice(0, NOT_UNDERSTOOD_EXAMPLES),
      },
    },
  } as OperationsReadResult;
}
