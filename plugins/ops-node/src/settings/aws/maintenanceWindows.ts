import {
  AddTagsToResourceCommand,
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
  DescribeMaintenanceWindowTasksCommand,
  ListTagsForResourceCommand,
  MaintenanceWindowIdentity,
  MaintenanceWindowTarget,
  MaintenanceWindowTask,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  RemoveTagsFromResourceCommand,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { ConflictError } from '@backstage/errors';
import { patchingExclusionEndsAt } from '@cloud-ops/plugin-ops-common';
import { AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import { paginate } from '../../aws/paginate';
import type {
  ChangeStamp,
  MaintenanceWindowResult,
  StackTarget,
} from '../types';
import {
  fromTagList,
  selectorPairs,
  stackResourceNames,
  stampTags,
  suffixedToken,
  TAG,
  toTagList,
} from './naming';
import {
  MAX_CONCURRENCY,
  MAX_ERRORS,
  PATCH_PARAMETERS,
  RUN_PATCH_BASELINE,
  SSM_TARGET_PAIRS_MAX,
  tagTargets,
} from './patchRuns';
import type { WriteProgress } from './progress';

/** The schedule of a window created for an exclusion before any was set. */
export const DEFAULT_PATCH_SCHEDULE = 'cron(0 3 ? * TUE#2 *)';
const WINDOW_DURATION_HOURS = 1;
/** SSM requires Cutoff < Duration: tasks may start until the window ends. */
const WINDOW_CUTOFF_HOURS = 0;
const WINDOW_TIMEZONE = 'UTC';
export const TARGET_NAME = 'ops-instances';
export const TASK_NAME = 'ops-run-patch-baseline';
const SSM_PAGE_SIZE = 100;

/** What a write asks of the window: a schedule, or an exclusion set or lifted. */
export type WindowChange = { schedule?: string; excludedUntil?: string | null };

/**
 * The stack's SSM maintenance window `ops-patch-<slug>` with its target
 * and patch task: created when missing, else brought to what is asked,
 * writing only what differs. Each write is noted in the progress, so a
 * later failure says what was done.
 */
export class MaintenanceWindows {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly now: () => Date,
  ) {}

  async write(
    stack: StackTarget,
    stamp: ChangeStamp,
    change: WindowChange,
    progress: WriteProgress,
  ): Promise<MaintenanceWindowResult> {
    const pairs = selectorPairs(stack, SSM_TARGET_PAIRS_MAX);
    const name = stackResourceNames(stack.entityRef).window;
    const existing = await this.find(stack, name);
    if (!existing) {
      return this.create(stack, stamp, change, name, pairs, progress);
    }
    const windowId = existing.WindowId!;
    const tags = await this.tags(stack, windowId);
    const owner = tags[TAG.entityRef];
    if (owner && owner.toLowerCase() !== stack.entityRef.toLowerCase()) {
      throw new ConflictError(
        `Maintenance window ${name} (${windowId}) belongs to ${owner}, not ${stack.entityRef}`,
      );
    }
    const excludedUntil =
      change.excludedUntil !== undefined
        ? change.excludedUntil
        : tags[TAG.excludedUntil];
    const enabled = !(
      excludedUntil &&
      patchingExclusionEndsAt(excludedUntil) > this.now().getTime()
    );
    const update = change.schedule
      ? {
          Schedule: change.schedule,
          ScheduleTimezone: WINDOW_TIMEZONE,
          Duration: WINDOW_DURATION_HOURS,
          Cutoff: WINDOW_CUTOFF_HOURS,
          Enabled: enabled,
        }
      : { Enabled: enabled };
    const differs = Object.entries(update).some(
      ([key, value]) =>
        existing[key as keyof MaintenanceWindowIdentity] !== value,
    );
    if (differs) {
      await this.update(stack, { WindowId: windowId, ...update });
      progress.did(
        `updated maintenance window ${windowId} (${Object.entries(update)
          .map(([key, value]) => `${key} ${value}`)
          .join(', ')})`,
      );
    }
    await this.retag(stack, stamp, windowId, tags, change, progress);
    await this.ensureTargetAndTask(
      stack,
      stamp,
      windowId,
      pairs,
      false,
      progress,
    );
    return {
      windowId,
      schedule: change.schedule ?? existing.Schedule ?? DEFAULT_PATCH_SCHEDULE,
      created: false,
    };
  }

  private async create(
    stack: StackTarget,
    stamp: ChangeStamp,
    change: WindowChange,
    name: string,
    pairs: [string, string][],
    progress: WriteProgress,
  ): Promise<MaintenanceWindowResult> {
    const schedule = change.schedule ?? DEFAULT_PATCH_SCHEDULE;
    const tags = stampTags(stack, stamp);
    if (change.excludedUntil) tags[TAG.excludedUntil] = change.excludedUntil;
    const created = await callAws('ssm:CreateMaintenanceWindow', stack, () =>
      this.clients.ssm(stack).send(
        new CreateMaintenanceWindowCommand({
          Name: name,
          Description: `Patching of ${stack.entityRef}`.slice(0, 128),
          Schedule: schedule,
          ScheduleTimezone: WINDOW_TIMEZONE,
          Duration: WINDOW_DURATION_HOURS,
          Cutoff: WINDOW_CUTOFF_HOURS,
          AllowUnassociatedTargets: false,
          ClientToken: stamp.token,
          Tags: toTagList(tags),
        }),
      ),
    );
    const WindowId = requiredField(
      created.WindowId,
      'WindowId',
      'ssm:CreateMaintenanceWindow',
      stack,
    );
    progress.did(`created maintenance window ${WindowId} (${name})`);
    // CreateMaintenanceWindow takes no Enabled: an excluded stack's window is disabled after.
    if (change.excludedUntil) {
      await this.update(stack, { WindowId, Enabled: false });
      progress.did(`disabled maintenance window ${WindowId}`);
    }
    await this.ensureTargetAndTask(
      stack,
      stamp,
      WindowId,
      pairs,
      true,
      progress,
    );
    return { windowId: WindowId, schedule, created: true };
  }

  private async find(
    stack: StackTarget,
    name: string,
  ): Promise<MaintenanceWindowIdentity | undefined> {
    const ssm = this.clients.ssm(stack);
    const pages = paginate(
      NextToken =>
        callAws('ssm:DescribeMaintenanceWindows', stack, () =>
          ssm.send(
            new DescribeMaintenanceWindowsCommand({
              Filters: [{ Key: 'Name', Values: [name] }],
              MaxResults: SSM_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      const found = page.WindowIdentities?.find(w => w.Name === name);
      if (found) {
        // Taking it for missing would create a second window of the name.
        requiredField(
          found.WindowId,
          `WindowId for the window named ${name}`,
          'ssm:DescribeMaintenanceWindows',
          stack,
        );
        return found;
      }
    }
    return undefined;
  }

  private async tags(
    stack: StackTarget,
    windowId: string,
  ): Promise<Record<string, string>> {
    const { TagList } = await callAws('ssm:ListTagsForResource', stack, () =>
      this.clients.ssm(stack).send(
        new ListTagsForResourceCommand({
          ResourceType: 'MaintenanceWindow',
          ResourceId: windowId,
        }),
      ),
    );
    return fromTagList(TagList);
  }

  /** Tags the RFC (and the exclusion) unless they are there already. */
  private async retag(
    stack: StackTarget,
    stamp: ChangeStamp,
    windowId: string,
    tags: Record<string, string>,
    change: WindowChange,
    progress: WriteProgress,
  ): Promise<void> {
    const ssm = this.clients.ssm(stack);
    const wanted = stampTags(stack, stamp);
    if (change.excludedUntil) wanted[TAG.excludedUntil] = change.excludedUntil;
    if (Object.entries(wanted).some(([key, value]) => tags[key] !== value)) {
      await callAws('ssm:AddTagsToResource', stack, () =>
        ssm.send(
          new AddTagsToResourceCommand({
            ResourceType: 'MaintenanceWindow',
            ResourceId: windowId,
            Tags: toTagList(wanted),
          }),
        ),
      );
      progress.did(`tagged maintenance window ${windowId} with ${stamp.rfcId}`);
    }
    if (change.excludedUntil === null && TAG.excludedUntil in tags) {
      await callAws('ssm:RemoveTagsFromResource', stack, () =>
        ssm.send(
          new RemoveTagsFromResourceCommand({
            ResourceType: 'MaintenanceWindow',
            ResourceId: windowId,
            TagKeys: [TAG.excludedUntil],
          }),
        ),
      );
      progress.did(
        `removed the exclusion tag from maintenance window ${windowId}`,
      );
    }
  }

  private async update(
    stack: StackTarget,
    input: {
      WindowId: string;
      Schedule?: string;
      ScheduleTimezone?: string;
      Duration?: number;
      Cutoff?: number;
      Enabled: boolean;
    },
  ): Promise<void> {
    await callAws('ssm:UpdateMaintenanceWindow', stack, () =>
      this.clients.ssm(stack).send(new UpdateMaintenanceWindowCommand(input)),
    );
  }

  /**
   * Registers the window's target and patch task unless they are there; a
   * window just created has neither.
   */
  private async ensureTargetAndTask(
    stack: StackTarget,
    stamp: ChangeStamp,
    windowId: string,
    pairs: [string, string][],
    created: boolean,
    progress: WriteProgress,
  ): Promise<void> {
    const ssm = this.clients.ssm(stack);
    let targetId: string | undefined;
    let hasTask = false;
    if (!created) {
      targetId = (await this.targets(stack, windowId)).find(
        t => t.Name === TARGET_NAME,
      )?.WindowTargetId;
      hasTask = (await this.tasks(stack, windowId)).some(
        t => t.Name === TASK_NAME,
      );
    }
    if (!targetId) {
      const registered = await callAws(
        'ssm:RegisterTargetWithMaintenanceWindow',
        stack,
        () =>
          ssm.send(
            new RegisterTargetWithMaintenanceWindowCommand({
              WindowId: windowId,
              ResourceType: 'INSTANCE',
              Targets: tagTargets(pairs),
              Name: TARGET_NAME,
              ClientToken: suffixedToken(stamp.token, 'target'),
            }),
          ),
      );
      targetId = requiredField(
        registered.WindowTargetId,
        'WindowTargetId',
        'ssm:RegisterTargetWithMaintenanceWindow',
        stack,
      );
      progress.did(`registered target ${targetId} (${TARGET_NAME})`);
    }
    if (!hasTask) {
      const task = await callAws(
        'ssm:RegisterTaskWithMaintenanceWindow',
        stack,
        () =>
          ssm.send(
            new RegisterTaskWithMaintenanceWindowCommand({
              WindowId: windowId,
              Name: TASK_NAME,
              TaskType: 'RUN_COMMAND',
              TaskArn: RUN_PATCH_BASELINE,
              Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
              TaskInvocationParameters: {
                RunCommand: { Parameters: PATCH_PARAMETERS },
              },
              Priority: 1,
              MaxConcurrency: MAX_CONCURRENCY,
              MaxErrors: MAX_ERRORS,
              ClientToken: suffixedToken(stamp.token, 'task'),
            }),
          ),
      );
      const taskId = requiredField(
        task.WindowTaskId,
        'WindowTaskId',
        'ssm:RegisterTaskWithMaintenanceWindow',
        stack,
      );
      progress.did(`registered task ${taskId} (${TASK_NAME})`);
    }
  }

  private async targets(
    stack: StackTarget,
    windowId: string,
  ): Promise<MaintenanceWindowTarget[]> {
    const ssm = this.clients.ssm(stack);
    const targets: MaintenanceWindowTarget[] = [];
    const pages = paginate(
      NextToken =>
        callAws('ssm:DescribeMaintenanceWindowTargets', stack, () =>
          ssm.send(
            new DescribeMaintenanceWindowTargetsCommand({
              WindowId: windowId,
              MaxResults: SSM_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) targets.push(...(page.Targets ?? []));
    return targets;
  }

  private async tasks(
    stack: StackTarget,
    windowId: string,
  ): Promise<MaintenanceWindowTask[]> {
    const ssm = this.clients.ssm(stack);
    const tasks: MaintenanceWindowTask[] = [];
    const pages = paginate(
      NextToken =>
        callAws('ssm:DescribeMaintenanceWindowTasks', stack, () =>
          ssm.send(
            new DescribeMaintenanceWindowTasksCommand({
              WindowId: windowId,
              MaxResults: SSM_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) tasks.push(...(page.Tasks ?? []));
    return tasks;
  }
}
