import {
  BackupPlansListMember,
  BackupRuleInput,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  TagResourceCommand,
  UpdateBackupPlanCommand,
} from '@aws-sdk/client-backup';
import type { BackupSchedule } from '@cloud-ops/plugin-ops-common';
import { AwsCallError, AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import { paginate } from '../../aws/paginate';
import type { ChangeStamp, StackTarget } from '../types';
import {
  partitionOf,
  stackResourceNames,
  stampTags,
  suffixedToken,
} from './naming';
import type { WriteProgress } from './progress';

const DEFAULT_VAULT = 'Default';
const DEFAULT_ROLE_PATH = 'role/service-role/AWSBackupDefaultServiceRole';
export const START_WINDOW_MINUTES = 60;
export const BACKUP_PAGE_SIZE = 1000;

/** Where AWS Backup puts recovery points, and the role it acts as. */
export class BackupDestination {
  constructor(
    private readonly options: { vaultName?: string; iamRoleArn?: string },
  ) {}

  get vaultName(): string {
    return this.options.vaultName ?? DEFAULT_VAULT;
  }

  /** The configured role with `{account}` filled in, else the account's default Backup role. */
  roleArn(stack: StackTarget): string {
    return (
      this.options.iamRoleArn?.replace(/\{account\}/g, stack.account) ??
      `arn:${partitionOf(stack.region)}:iam::${
        stack.account
      }:${DEFAULT_ROLE_PATH}`
    );
  }
}

/**
 * The stack's backup plan `ops-<slug>` with its one rule, and its selection
 * `ops-<slug>` of the resources carrying every pair of the tag selector.
 */
export class BackupPlans {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly destination: BackupDestination,
  ) {}

  async write(
    stack: StackTarget,
    stamp: ChangeStamp,
    schedule: BackupSchedule,
    scheduleExpression: string,
    pairs: [string, string][],
    progress: WriteProgress,
  ): Promise<{ planId: string; selectionId: string; created: boolean }> {
    const names = stackResourceNames(stack.entityRef);
    const backup = this.clients.backup(stack);
    const tags = stampTags(stack, stamp);
    const rule: BackupRuleInput = {
      RuleName: `ops-${schedule.frequency}`,
      TargetBackupVaultName: this.destination.vaultName,
      ScheduleExpression: scheduleExpression,
      ScheduleExpressionTimezone: 'Etc/UTC',
      StartWindowMinutes: START_WINDOW_MINUTES,
      Lifecycle: { DeleteAfterDays: schedule.retentionDays },
      RecoveryPointTags: tags,
    };
    const plan = { BackupPlanName: names.plan, Rules: [rule] };

    let existing = await this.find(stack, names.plan);
    let created = false;
    if (!existing) {
      try {
        const response = await callAws('backup:CreateBackupPlan', stack, () =>
          backup.send(
            new CreateBackupPlanCommand({
              BackupPlan: plan,
              BackupPlanTags: tags,
              CreatorRequestId: stamp.token,
            }),
          ),
        );
        existing = {
          BackupPlanId: requiredField(
            response.BackupPlanId,
            'BackupPlanId',
            'backup:CreateBackupPlan',
            stack,
          ),
          BackupPlanArn: response.BackupPlanArn,
        };
        created = true;
        progress.did(
          `created backup plan ${existing.BackupPlanId} (${names.plan})`,
        );
      } catch (error) {
        // Created meanwhile by someone else: update it like any other.
        if (
          !(error instanceof AwsCallError) ||
          error.awsErrorName !== 'AlreadyExistsException'
        ) {
          throw error;
        }
        existing = await this.find(stack, names.plan);
        if (!existing) throw error;
      }
    }
    const planId = existing.BackupPlanId!;
    const planArn = existing.BackupPlanArn;
    if (!created) {
      await callAws('backup:UpdateBackupPlan', stack, () =>
        backup.send(
          new UpdateBackupPlanCommand({
            BackupPlanId: planId,
            BackupPlan: plan,
          }),
        ),
      );
      progress.did(`updated backup plan ${planId} to rule ${rule.RuleName}`);
      await callAws('backup:TagResource', stack, () =>
        backup.send(
          new TagResourceCommand({ ResourceArn: planArn, Tags: tags }),
        ),
      );
      progress.did(`tagged backup plan ${planId} with ${stamp.rfcId}`);
    }

    let selectionId = created
      ? undefined
      : await this.findSelection(stack, planId, names.selection);
    selectionId ??= await this.createSelection(
      stack,
      stamp,
      planId,
      names.selection,
      pairs,
    );
    return { planId, selectionId, created };
  }

  private async find(
    stack: StackTarget,
    name: string,
  ): Promise<BackupPlansListMember | undefined> {
    const backup = this.clients.backup(stack);
    const pages = paginate(
      NextToken =>
        callAws('backup:ListBackupPlans', stack, () =>
          backup.send(
            new ListBackupPlansCommand({
              MaxResults: BACKUP_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      const found = page.BackupPlansList?.find(p => p.BackupPlanName === name);
      if (found) {
        // Taking it for missing would create a second plan of the name.
        requiredField(
          found.BackupPlanId,
          `BackupPlanId for the plan named ${name}`,
          'backup:ListBackupPlans',
          stack,
        );
        return found;
      }
    }
    return undefined;
  }

  private async findSelection(
    stack: StackTarget,
    planId: string,
    name: string,
  ): Promise<string | undefined> {
    const backup = this.clients.backup(stack);
    const pages = paginate(
      NextToken =>
        callAws('backup:ListBackupSelections', stack, () =>
          backup.send(
            new ListBackupSelectionsCommand({
              BackupPlanId: planId,
              MaxResults: BACKUP_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      const found = page.BackupSelectionsList?.find(
        s => s.SelectionName === name,
      );
      if (found) {
        return requiredField(
          found.SelectionId,
          `SelectionId for the selection named ${name}`,
          'backup:ListBackupSelections',
          stack,
        );
      }
    }
    return undefined;
  }

  private async createSelection(
    stack: StackTarget,
    stamp: ChangeStamp,
    planId: string,
    name: string,
    pairs: [string, string][],
  ): Promise<string> {
    const response = await callAws('backup:CreateBackupSelection', stack, () =>
      this.clients.backup(stack).send(
        new CreateBackupSelectionCommand({
          BackupPlanId: planId,
          BackupSelection: {
            SelectionName: name,
            IamRoleArn: this.destination.roleArn(stack),
            // Every resource type, narrowed by tags that must all match
            // (ListOfTags would take resources with any one of them).
            Resources: ['*'],
            Conditions: {
              StringEquals: pairs.map(([key, value]) => ({
                ConditionKey: `aws:ResourceTag/${key}`,
                ConditionValue: value,
              })),
            },
          },
          CreatorRequestId: suffixedToken(stamp.token, 'selection'),
        }),
      ),
    );
    return requiredField(
      response.SelectionId,
      'SelectionId',
      'backup:CreateBackupSelection',
      stack,
    );
  }
}
