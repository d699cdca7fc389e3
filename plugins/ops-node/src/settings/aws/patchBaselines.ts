import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  CreatePatchBaselineCommand,
  DescribePatchBaselinesCommand,
  GetPatchBaselineCommand,
  GetPatchBaselineForPatchGroupCommand,
  OperatingSystem,
  RegisterPatchBaselineForPatchGroupCommand,
  UpdatePatchBaselineCommand,
} from '@aws-sdk/client-ssm';
import { ConflictError, InputError } from '@backstage/errors';
import { AwsCallError, AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import { paginate } from '../../aws/paginate';
import type { ChangeStamp, StackTarget } from '../types';
import {
  selectorPairs,
  stackResourceNames,
  stampTags,
  TAG,
  toTagList,
} from './naming';
import type { WriteProgress } from './progress';
import { findStackResources } from './stackResources';

export const DEFAULT_OPERATING_SYSTEM = 'AMAZON_LINUX_2023';
const APPROVE_AFTER_DAYS = 7;
const SSM_PAGE_SIZE = 100;
/** EC2 takes up to 1000 ids per CreateTags, but advises smaller batches. */
const CREATE_TAGS_BATCH = 100;

/** The stack's baseline as found or created. */
export type StackBaseline = {
  id: string;
  rejected: string[];
  /** The stack's EC2 instances, all in the baseline's patch group. */
  instanceIds: string[];
};

/**
 * The stack's own patch baseline `ops-<slug>`, registered for patch group
 * `ops-<slug>` with the stack's instances in that group.
 */
export class PatchBaselines {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly operatingSystem: string = DEFAULT_OPERATING_SYSTEM,
  ) {}

  /**
   * Finds or creates the stack's baseline, makes sure it serves the stack's
   * patch group and that the stack's instances are in that group, and reads
   * its rejected patches.
   */
  async ensure(
    stack: StackTarget,
    stamp: ChangeStamp,
    progress: WriteProgress,
  ): Promise<StackBaseline> {
    selectorPairs(stack);
    const names = stackResourceNames(stack.entityRef);
    const ssm = this.clients.ssm(stack);
    let baselineId = await this.find(stack, names.baseline);
    let registered = false;
    if (!baselineId) {
      baselineId = await this.create(stack, stamp, names.baseline);
      progress.did(`created patch baseline ${baselineId} (${names.baseline})`);
      await this.registerPatchGroup(stack, baselineId, names.patchGroup);
      progress.did(`registered it for patch group ${names.patchGroup}`);
      registered = true;
    }
    const instanceIds = await this.tagInstances(
      stack,
      names.patchGroup,
      progress,
    );
    const baseline = await callAws('ssm:GetPatchBaseline', stack, () =>
      ssm.send(new GetPatchBaselineCommand({ BaselineId: baselineId })),
    );
    // An earlier attempt that stopped between creating and registering it.
    if (!registered && !baseline.PatchGroups?.includes(names.patchGroup)) {
      await this.registerPatchGroup(stack, baselineId, names.patchGroup);
      progress.did(
        `registered baseline ${baselineId} for patch group ${names.patchGroup}`,
      );
    }
    return {
      id: baselineId,
      rejected: baseline.RejectedPatches ?? [],
      instanceIds,
    };
  }

  /** Writes the rejected patches; AWS refusing the update id is bad input. */
  async setRejected(
    stack: StackTarget,
    baselineId: string,
    updateId: string,
    rejected: string[],
  ): Promise<void> {
    try {
      await callAws('ssm:UpdatePatchBaseline', stack, () =>
        this.clients.ssm(stack).send(
          new UpdatePatchBaselineCommand({
            BaselineId: baselineId,
            RejectedPatches: rejected,
            RejectedPatchesAction: 'BLOCK',
          }),
        ),
      );
    } catch (error) {
      if (
        error instanceof AwsCallError &&
        error.awsErrorName === 'ValidationException'
      ) {
        throw new InputError(
          `AWS does not take "${updateId}" as a patch name for baseline ${baselineId}: ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** Tags the baseline with the RFC of this write. */
  async tag(
    stack: StackTarget,
    stamp: ChangeStamp,
    baselineId: string,
  ): Promise<void> {
    await callAws('ssm:AddTagsToResource', stack, () =>
      this.clients.ssm(stack).send(
        new AddTagsToResourceCommand({
          ResourceType: 'PatchBaseline',
          ResourceId: baselineId,
          Tags: toTagList(stampTags(stack, stamp)),
        }),
      ),
    );
  }

  private async find(
    stack: StackTarget,
    name: string,
  ): Promise<string | undefined> {
    const ssm = this.clients.ssm(stack);
    const pages = paginate(
      NextToken =>
        callAws('ssm:DescribePatchBaselines', stack, () =>
          ssm.send(
            new DescribePatchBaselinesCommand({
              Filters: [
                { Key: 'NAME_PREFIX', Values: [name] },
                { Key: 'OWNER', Values: ['Self'] },
              ],
              MaxResults: SSM_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      // NAME_PREFIX also finds `ops-<slug>-more`.
      const found = page.BaselineIdentities?.find(b => b.BaselineName === name);
      if (found) {
        // Taking it for missing would create a second baseline of the name.
        return requiredField(
          found.BaselineId,
          `BaselineId for the baseline named ${name}`,
          'ssm:DescribePatchBaselines',
          stack,
        );
      }
    }
    return undefined;
  }

  private async create(
    stack: StackTarget,
    stamp: ChangeStamp,
    name: string,
  ): Promise<string> {
    const created = await callAws('ssm:CreatePatchBaseline', stack, () =>
      this.clients.ssm(stack).send(
        new CreatePatchBaselineCommand({
          Name: name,
          Description: `Patch baseline of ${stack.entityRef}`.slice(0, 1024),
          OperatingSystem: this.operatingSystem as OperatingSystem,
          ApprovalRules: {
            PatchRules: [
              {
                PatchFilterGroup: {
                  PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['*'] }],
                },
                ApproveAfterDays: APPROVE_AFTER_DAYS,
              },
            ],
          },
          RejectedPatches: [],
          RejectedPatchesAction: 'BLOCK',
          ClientToken: stamp.token,
          Tags: toTagList(stampTags(stack, stamp)),
        }),
      ),
    );
    return requiredField(
      created.BaselineId,
      'BaselineId',
      'ssm:CreatePatchBaseline',
      stack,
    );
  }

  private async registerPatchGroup(
    stack: StackTarget,
    baselineId: string,
    patchGroup: string,
  ): Promise<void> {
    const ssm = this.clients.ssm(stack);
    try {
      await callAws('ssm:RegisterPatchBaselineForPatchGroup', stack, () =>
        ssm.send(
          new RegisterPatchBaselineForPatchGroupCommand({
            BaselineId: baselineId,
            PatchGroup: patchGroup,
          }),
        ),
      );
    } catch (error) {
      if (
        !(error instanceof AwsCallError) ||
        error.awsErrorName !== 'AlreadyExistsException'
      ) {
        throw error;
      }
      const current = await callAws(
        'ssm:GetPatchBaselineForPatchGroup',
        stack,
        () =>
          ssm.send(
            new GetPatchBaselineForPatchGroupCommand({
              PatchGroup: patchGroup,
              OperatingSystem: this.operatingSystem as OperatingSystem,
            }),
          ),
      );
      if (current.BaselineId !== baselineId) {
        throw new ConflictError(
          `Patch group ${patchGroup} is registered with baseline ${current.BaselineId}, not ${baselineId}`,
        );
      }
    }
  }

  /** Puts the stack's instances that are not yet in the patch group in it. */
  private async tagInstances(
    stack: StackTarget,
    patchGroup: string,
    progress: WriteProgress,
  ): Promise<string[]> {
    const instances = await findStackResources(this.clients, stack, [
      'ec2:instance',
    ]);
    const ids: string[] = [];
    const untagged: string[] = [];
    for (const { arn, tags } of instances) {
      const id = /:instance\/(i-[0-9a-f]+)$/.exec(arn)?.[1];
      if (!id) continue;
      ids.push(id);
      if (tags[TAG.patchGroup] !== patchGroup) untagged.push(id);
    }
    const ec2 = this.clients.ec2(stack);
    for (let i = 0; i < untagged.length; i += CREATE_TAGS_BATCH) {
      const batch = untagged.slice(i, i + CREATE_TAGS_BATCH);
      await callAws('ec2:CreateTags', stack, () =>
        ec2.send(
          new CreateTagsCommand({
            Resources: batch,
            Tags: [{ Key: TAG.patchGroup, Value: patchGroup }],
          }),
        ),
      );
      progress.did(
        `put instance(s) ${batch.join(', ')} in patch group ${patchGroup}`,
      );
    }
    return ids;
  }
}
