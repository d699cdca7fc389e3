import { ListCommandsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { AwsClientFactory, callAws } from '../../aws';
import { requiredField } from '../../aws/awsErrors';
import { paginate } from '../../aws/paginate';
import type { ChangeStamp, StackTarget } from '../types';

/** The SSM document that scans and installs what a patch baseline approves. */
export const RUN_PATCH_BASELINE = 'AWS-RunPatchBaseline';
export const PATCH_PARAMETERS = {
  Operation: ['Install'],
  RebootOption: ['RebootIfNeeded'],
};
/** A fifth of the stack at a time; a tenth failing stops the run. */
export const MAX_CONCURRENCY = '20%';
export const MAX_ERRORS = '10%';
/** Maintenance window targets and SendCommand take at most five tag pairs. */
export const SSM_TARGET_PAIRS_MAX = 5;

const LIST_COMMANDS_PAGE_SIZE = 50;
/** How far back a patch run of the same attempt is looked for. */
const COMMAND_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
const COMMENT_MAX_LENGTH = 100;

/** SSM targets of the instances carrying every pair (SSM ANDs tag keys). */
export function tagTargets(pairs: [string, string][]) {
  return pairs.map(([key, value]) => ({ Key: `tag:${key}`, Values: [value] }));
}

/**
 * Patch runs (AWS-RunPatchBaseline through SendCommand) on a stack's
 * instances. SendCommand takes no idempotency token and is never retried
 * blindly: the run carries the stamp's token at the end of its comment, and
 * a repeated call finds the run by it instead of starting another.
 */
export class PatchRuns {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly now: () => Date,
  ) {}

  /** The run this attempt started, or a new one. */
  async run(
    stack: StackTarget,
    stamp: ChangeStamp,
    updateId: string,
    pairs: [string, string][],
  ): Promise<string> {
    return (
      (await this.find(stack, stamp)) ??
      (await this.start(stack, stamp, updateId, pairs))
    );
  }

  private async find(
    stack: StackTarget,
    stamp: ChangeStamp,
  ): Promise<string | undefined> {
    const ssm = this.clients.ssm(stack);
    const marker = tokenMarker(stamp);
    const invokedAfter = new Date(
      this.now().getTime() - COMMAND_LOOKBACK_MS,
    ).toISOString();
    const pages = paginate(
      NextToken =>
        callAws('ssm:ListCommands', stack, () =>
          ssm.send(
            new ListCommandsCommand({
              Filters: [
                { key: 'DocumentName', value: RUN_PATCH_BASELINE },
                { key: 'InvokedAfter', value: invokedAfter },
              ],
              MaxResults: LIST_COMMANDS_PAGE_SIZE,
              NextToken,
            }),
          ),
        ),
      page => page.NextToken,
    );
    for await (const page of pages) {
      const found = page.Commands?.find(c => c.Comment?.endsWith(marker));
      if (found?.CommandId) return found.CommandId;
    }
    return undefined;
  }

  private async start(
    stack: StackTarget,
    stamp: ChangeStamp,
    updateId: string,
    pairs: [string, string][],
  ): Promise<string> {
    const marker = tokenMarker(stamp);
    const text = `${stamp.rfcId} attempt ${stamp.attempt}: install ${updateId}`;
    const comment = `${text.slice(
      0,
      COMMENT_MAX_LENGTH - marker.length,
    )}${marker}`;
    const { Command } = await callAws('ssm:SendCommand', stack, () =>
      this.clients.ssm(stack, { idempotent: false }).send(
        new SendCommandCommand({
          DocumentName: RUN_PATCH_BASELINE,
          Targets: tagTargets(pairs),
          Parameters: PATCH_PARAMETERS,
          Comment: comment,
          MaxConcurrency: MAX_CONCURRENCY,
          MaxErrors: MAX_ERRORS,
        }),
      ),
    );
    return requiredField(
      Command?.CommandId,
      'Command.CommandId',
      'ssm:SendCommand',
      stack,
    );
  }
}

/** The end of a patch run's comment that names the attempt's token. */
function tokenMarker(stamp: ChangeStamp): string {
  return ` [${stamp.token}]`;
}
