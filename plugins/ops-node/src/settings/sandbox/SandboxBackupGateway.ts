import { InputError } from '@backstage/errors';
import {
  selectorPairs,
  stackResourceNames,
  stackSlug,
  stampTags,
} from '../aws/naming';
import type { BackupGateway, SnapshotStarted, StackTarget } from '../types';
import { backupRuleSchedule, guid } from './checks';
import type { SandboxStateStore, State } from './state';

type Request<K extends Exclude<keyof BackupGateway, 'implementation'>> =
  Parameters<BackupGateway[K]>[0];

/**
 * The ids of the scheduled recovery points the sandbox operations reader
 * shows: `<resource arn>/recovery-point-<n>`, with the ARN's region and
 * account when it has them.
 */
const READER_RECOVERY_POINT =
  /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:.+\/recovery-point-\d+$/;

/**
 * AWS Backup of the sandbox account, after the aws gateway's model: one
 * backup plan and selection `ops-<slug>` per stack, on-demand backups and
 * restore jobs.
 */
export class SandboxBackupGateway implements BackupGateway {
  readonly implementation = 'sandbox' as const;

  constructor(private readonly store: SandboxStateStore) {}

  async setBackupSchedule({
    stack,
    schedule,
    stamp,
  }: Request<'setBackupSchedule'>): Promise<{
    planId: string;
    selectionId: string;
    created: boolean;
  }> {
    const cron = backupRuleSchedule(schedule);
    selectorPairs(stack);
    const names = stackResourceNames(stack.entityRef);
    return this.store.write(
      'setBackupSchedule',
      stack,
      stamp,
      (state, ref, at) => {
        const written = {
          schedule: cron,
          retentionDays: schedule.retentionDays,
          tags: stampTags(stack, stamp),
          updatedAt: at,
        };
        const existing = state.backupPlans[ref];
        // As in AWS, an existing selection is kept as it is.
        if (existing) {
          Object.assign(existing, written);
          return {
            planId: existing.id,
            selectionId: existing.selection.id,
            created: false,
          };
        }
        const plan = {
          id: guid(`plan/${ref}/${stamp.token}`),
          name: names.plan,
          selection: {
            id: guid(`selection/${ref}/${stamp.token}`),
            name: names.selection,
            selector: { ...stack.selector },
          },
          createdAt: at,
          ...written,
        };
        state.backupPlans[ref] = plan;
        return {
          planId: plan.id,
          selectionId: plan.selection.id,
          created: true,
        };
      },
    );
  }

  /**
   * The sandbox has no resources of its own (the operations reader
   * simulates them), so it backs up the stack as a whole, as AWS Backup does
   * a CloudFormation stack: one job and one composite recovery point, done
   * at once because there is no data to copy.
   */
  async takeSnapshot({
    stack,
    stamp,
  }: Request<'takeSnapshot'>): Promise<{ started: SnapshotStarted[] }> {
    selectorPairs(stack);
    // A CloudFormation stack name: letters, digits and hyphens.
    const stackName = `ops-${stackSlug(stack.entityRef).replace(/[_.]/g, '-')}`;
    return this.store.write('takeSnapshot', stack, stamp, (state, ref, at) => {
      const { account, region } = stack;
      const resourceArn = `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${guid(
        `stack/${ref}`,
      )}`;
      const jobId = guid(`backup-job/${ref}/${stamp.token}`).toUpperCase();
      const recoveryPointArn = `arn:aws:backup:${region}:${account}:recovery-point:${guid(
        `recovery-point/${ref}/${stamp.token}`,
      )}`;
      state.backupJobs.push({
        entityRef: ref,
        id: jobId,
        resourceArn,
        recoveryPointArn,
        rfcId: stamp.rfcId,
        createdAt: at,
      });
      state.recoveryPoints.push({
        entityRef: ref,
        arn: recoveryPointArn,
        account,
        region,
        resourceArn,
        backupJobId: jobId,
        createdAt: at,
        completedAt: at,
      });
      return { started: [{ resourceArn, kind: 'backup-job', id: jobId }] };
    });
  }

  async restore({
    stack,
    recoveryPointId,
    stamp,
  }: Request<'restore'>): Promise<{ restoreJobId: string }> {
    return this.store.write('restore', stack, stamp, (state, ref, at) => {
      checkRecoveryPoint(state, stack, recoveryPointId);
      const id = guid(`restore-job/${ref}/${stamp.token}`).toUpperCase();
      state.restoreJobs.push({
        entityRef: ref,
        id,
        recoveryPointId,
        rfcId: stamp.rfcId,
        createdAt: at,
      });
      return { restoreJobId: id };
    });
  }
}

/**
 * Accepts what the Operations tab offers: the sandbox's own recovery points
 * and the reader's scheduled ones, each only in its own account and region,
 * as AWS restores nothing across them.
 */
function checkRecoveryPoint(state: State, stack: StackTarget, id: string) {
  const own = state.recoveryPoints.find(p => p.arn === id);
  const shown = READER_RECOVERY_POINT.exec(id ?? '');
  if (!own && !shown) {
    throw new InputError(
      `The sandbox account has no recovery point "${id}"; pick one listed in the Backups card of ${stack.entityRef}`,
    );
  }
  const region = own?.region ?? shown?.[1];
  const account = own?.account ?? shown?.[2];
  if (
    (region && region !== stack.region) ||
    (account && account !== stack.account)
  ) {
    throw new InputError(
      `Recovery point ${id} is in ${account ?? 'another account'}/${
        region ?? 'another region'
      } but ${stack.entityRef} is in ${stack.account}/${
        stack.region
      }; restore from a recovery point in the stack's own account and region`,
    );
  }
}
