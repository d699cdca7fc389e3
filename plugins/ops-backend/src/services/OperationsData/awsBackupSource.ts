import {
  BackupClient,
  GetBackupPlanCommand,
  ListBackupVaultsCommand,
  ListProtectedResourcesCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import type {
  RecoveryPointSummary,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import { callAws } from '@cloud-ops/plugin-ops-node';
import {
  AWS_LIMITS,
  AwsReadContext,
  failureMessage,
  followPages,
  required,
} from './awsReading';
import {
  BackupEvidence,
  keepNewest,
  pushTo,
  TimedPoint,
} from './backupEvidence';
import { scheduleIntervalHours } from './schedule';

/**
 * What AWS Backup says of the candidates: which it protects, and for those
 * their recovery points and plan. `protectedArns` is known on a failure
 * after ListProtectedResources answered, so the other sources still know
 * which resources are not theirs.
 */
export type AwsBackupRead =
  | {
      ok: true;
      protectedArns: Set<string>;
      evidence: Map<string, BackupEvidence>;
    }
  | { ok: false; error: string; protectedArns?: Set<string> };

/**
 * AWS Backup's protected resources, the recovery points of each vault
 * (`lookbackDays` back) and the plans they came from. Any failed call fails
 * the source: a resource without its recovery points would look overdue.
 */
export async function readAwsBackup(
  ctx: AwsReadContext,
  candidates: Set<string>,
  options: { now: Date; lookbackDays: number },
): Promise<AwsBackupRead> {
  const backup = ctx.clients.backup(ctx.at);
  let protectedArns: Set<string> | undefined;
  try {
    const listed = await followPages(
      'backup:ListProtectedResources',
      ctx.at,
      async token => {
        const out = await backup.send(
          new ListProtectedResourcesCommand({
            MaxResults: AWS_LIMITS.protectedResourcesPerPage,
            NextToken: token,
          }),
        );
        return {
          items: (out.Results ?? []).map(r =>
            required(r.ResourceArn, 'ResourceArn'),
          ),
          next: out.NextToken,
        };
      },
    );
    protectedArns = new Set(listed.filter(arn => candidates.has(arn)));
    const evidence = protectedArns.size
      ? await recoveryPoints(ctx, backup, protectedArns, options)
      : new Map<string, BackupEvidence>();
    return { ok: true, protectedArns, evidence };
  } catch (e) {
    const error = failureMessage(e, 'backup:ListProtectedResources', ctx.at);
    ctx.logger.warn(error);
    return { ok: false, error, protectedArns };
  }
}

async function recoveryPoints(
  ctx: AwsReadContext,
  backup: BackupClient,
  protectedArns: Set<string>,
  options: { now: Date; lookbackDays: number },
): Promise<Map<string, BackupEvidence>> {
  const vaults = await followPages(
    'backup:ListBackupVaults',
    ctx.at,
    async token => {
      const out = await backup.send(
        new ListBackupVaultsCommand({ NextToken: token }),
      );
      return {
        items: (out.BackupVaultList ?? []).map(v =>
          required(v.BackupVaultName, 'BackupVaultName'),
        ),
        next: out.NextToken,
      };
    },
  );
  const latest = new Map<string, { id: string; at: Date }>();
  const planOf = new Map<string, string | undefined>();
  const points = new Map<string, TimedPoint[]>();
  for (const vault of vaults) {
    await followPages(
      'backup:ListRecoveryPointsByBackupVault',
      ctx.at,
      async token => {
        const out = await backup.send(
          new ListRecoveryPointsByBackupVaultCommand({
            BackupVaultName: vault,
            ByCreatedAfter: new Date(
              options.now.getTime() - options.lookbackDays * 86_400_000,
            ),
            MaxResults: AWS_LIMITS.recoveryPointsPerPage,
            NextToken: token,
          }),
        );
        for (const rp of out.RecoveryPoints ?? []) {
          const arn = required(rp.ResourceArn, 'ResourceArn');
          if (!protectedArns.has(arn)) continue;
          const id = required(rp.RecoveryPointArn, 'RecoveryPointArn');
          const at = rp.CompletionDate ?? rp.CreationDate;
          const status = recoveryPointStatus(rp.Status);
          if (status && at) {
            pushTo(points, arn, {
              id,
              completedAt: at.toISOString(),
              status,
              origin: rp.CreatedBy?.BackupPlanId ? 'scheduled' : 'on-demand',
              ...(rp.BackupSizeInBytes !== undefined
                ? { sizeBytes: rp.BackupSizeInBytes }
                : {}),
              at,
            });
          }
          if (rp.Status !== 'COMPLETED' || !at) continue;
          const before = latest.get(arn);
          keepNewest(latest, arn, { id, at });
          if (latest.get(arn) !== before) {
            planOf.set(arn, rp.CreatedBy?.BackupPlanId);
          }
        }
        return { next: out.NextToken };
      },
    );
  }

  const plans = new Map<
    string,
    { plan: ResourceBackupState['plan']; interval?: number }
  >();
  for (const planId of new Set(
    [...planOf.values()].filter((p): p is string => !!p),
  )) {
    const out = await callAws('backup:GetBackupPlan', ctx.at, () =>
      backup.send(new GetBackupPlanCommand({ BackupPlanId: planId })),
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

  const evidence = new Map<string, BackupEvidence>();
  for (const arn of protectedArns) {
    const planId = planOf.get(arn);
    const plan = planId ? plans.get(planId) : undefined;
    evidence.set(arn, {
      method: 'aws-backup',
      last: latest.get(arn),
      points: points.get(arn) ?? [],
      plan: plan?.plan,
      intervalHours: plan?.interval,
    });
  }
  return evidence;
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
