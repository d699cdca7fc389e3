import { NotAllowedError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import {
  OPS_EXECUTION_SECRET_KEY,
  type OpsOperation,
  type RfcExecutionContext,
} from '@cloud-ops/plugin-ops-common';
import type { ExecutionProof, OpsExecutionClient } from './OpsExecutionClient';

type AnyContext = ActionContext<any, any, any>;

/** The execution an action runs in, with the proof to report outputs. @public */
export type VerifiedExecution = RfcExecutionContext & { proof: ExecutionProof };

/**
 * Reads the execution secret the executor put on the task, or undefined in a
 * run that carries none (a user's run).
 */
export function readExecutionSecret(
  ctx: Pick<AnyContext, 'secrets'>,
): { rfcId: string; secret: string } | undefined {
  const raw = ctx.secrets?.[OPS_EXECUTION_SECRET_KEY];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw);
    if (
      parsed &&
      typeof parsed.rfcId === 'string' &&
      typeof parsed.secret === 'string'
    ) {
      return { rfcId: parsed.rfcId, secret: parsed.secret };
    }
  } catch {
    // Not JSON: treated like a secret that does not match.
  }
  return { rfcId: '', secret: String(raw) };
}

/**
 * Makes actions act only inside an execution: before anything else, an
 * action shows the task's execution secret and its task id to the ops
 * backend and gets back the RFC it carries out. Anywhere else (a user's run,
 * a template calling the action on its own, crafted secrets) it fails and
 * changes nothing.
 *
 * @public
 */
export class ExecutionGuard {
  constructor(private readonly client: OpsExecutionClient) {}

  /**
   * The verified execution, or an error that says why the action refuses.
   * `operation`, when given, is the only RFC operation this action carries
   * out.
   */
  async require(
    ctx: AnyContext,
    action: { id: string; operation?: OpsOperation },
  ): Promise<VerifiedExecution> {
    const found = readExecutionSecret(ctx);
    if (!found) {
      throw new NotAllowedError(
        `${action.id} acts only inside the execution of an approved RFC, which the ops backend launches at the RFC's start time; this task is not one, so nothing was changed`,
      );
    }
    const proof: ExecutionProof = {
      rfcId: found.rfcId,
      secret: found.secret,
      taskId: ctx.task.id,
    };
    const context = await this.client.verify(proof);
    if (action.operation && context.operation !== action.operation) {
      throw new NotAllowedError(
        `${action.id} carries out ${action.operation} RFCs; ${
          context.rfc.id
        } is ${
          context.operation
            ? `a ${context.operation} RFC`
            : 'not a settings change'
        }, so nothing was changed`,
      );
    }
    return { ...context, proof };
  }

  /** Records what a step produced on the RFC, so the RFC page shows it. */
  async report(
    ctx: AnyContext,
    execution: VerifiedExecution,
    outputs: Record<string, string>,
  ): Promise<void> {
    await this.client.reportOutputs({
      ...execution.proof,
      stepId: ctx.step?.id ?? 'step',
      outputs,
    });
  }
}
