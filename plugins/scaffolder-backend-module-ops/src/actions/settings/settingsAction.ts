import { InputError } from '@backstage/errors';
import {
  createTemplateAction,
  type TemplateExample,
} from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_AWS_TAG_SELECTOR,
  EXECUTION_OUTPUTS,
  type OpsOperation,
  type ParsedParameters,
} from '@cloud-ops/plugin-ops-common';
import type {
  BackupGateway,
  ChangeStamp,
  PatchingGateway,
  StackTarget,
} from '@cloud-ops/plugin-ops-node';
import type { z as zod } from 'zod/v3';
import type {
  ExecutionGuard,
  VerifiedExecution,
} from '../../execution/executionGuard';

/**
 * What the settings actions are built from: the guard that lets them act only
 * inside an RFC's execution run, and the gateways that change AWS (or the
 * sandbox).
 *
 * @public
 */
export type SettingsActionsOptions = {
  guard: ExecutionGuard;
  patching: PatchingGateway;
  backup: BackupGateway;
};

/** A name of {@link EXECUTION_OUTPUTS}. */
export type ExecutionOutputName =
  (typeof EXECUTION_OUTPUTS)[keyof typeof EXECUTION_OUTPUTS];

/** What a settings action did, kept in its checkpoint. */
export type SettingsChange<TOutput extends ExecutionOutputName> = {
  /** What changed, e.g. `created maintenance window mw-0123 ...`. */
  summary: string;
  outputs: Partial<Record<TOutput, string>>;
};

/**
 * The part of a settings action that is its own: the operation it carries out,
 * how it reads the RFC's parameters and the gateway call it makes. Everything
 * else (dry run, guard, target, stamp, checkpoint, report) is
 * {@link createSettingsAction}'s.
 */
export type SettingsActionDefinition<
  TParameters,
  TOutput extends ExecutionOutputName,
> = {
  id: string;
  operation: OpsOperation;
  description: string;
  examples: TemplateExample[];
  /** What the action would do, for the dry run's log line. */
  intent: string;
  /** Reads the RFC's stored parameters with the ops-common rule. */
  parse(parameters: Record<string, unknown>): ParsedParameters<TParameters>;
  output: Record<TOutput, (z: typeof zod) => zod.ZodType>;
  apply(request: {
    stack: StackTarget;
    parameters: TParameters;
    stamp: ChangeStamp;
  }): Promise<SettingsChange<TOutput>>;
};

/** The parse of an operation that takes no parameters. */
export const noParameters = (): ParsedParameters<null> => ({
  problems: [],
  value: null,
});

/** Value of every output in a dry run, where nothing is created. */
export const DRY_RUN_OUTPUT = 'dry-run';

/**
 * The `if` of a step that must act only in the run the executor launches for
 * an approved RFC; `ops:rfc:create` outputs `execution` there.
 */
export const EXECUTION_STEP_CONDITION = '${{ steps.rfc.output.execution }}';

/** How log lines name a stack. */
function describeStack(stack: StackTarget): string {
  return `${stack.entityRef} (account ${stack.account}, ${stack.region})`;
}

/**
 * Builds a settings action around its definition. The action takes no input
 * that decides what changes: the RFC's stored parameters, its target and the
 * attempt's idempotency token all come from the verified execution.
 */
export function createSettingsAction<
  TParameters,
  TOutput extends ExecutionOutputName,
>(
  guard: ExecutionGuard,
  definition: SettingsActionDefinition<TParameters, TOutput>,
) {
  const { id, operation } = definition;
  const output: Record<string, (z: typeof zod) => zod.ZodType> =
    definition.output;
  const checkpointPrefix = id.replace(/:/g, '.');

  return createTemplateAction({
    id,
    description: definition.description,
    examples: definition.examples,
    supportsDryRun: true,
    schema: { input: {}, output },
    async handler(ctx) {
      if (ctx.isDryRun) {
        // A dry run carries no execution secret, so there is no RFC to read.
        ctx.logger.info(
          `Dry run: would ${definition.intent}, in the executor's run of an approved ${operation} RFC`,
        );
        for (const name of Object.keys(output)) {
          ctx.output(name, DRY_RUN_OUTPUT);
        }
        return;
      }

      const execution = await guard.require(ctx, { id, operation });
      const parameters = readParameters(execution, definition);
      const stack = stackOf(execution, id);
      const stamp: ChangeStamp = {
        rfcId: execution.rfc.id,
        attempt: execution.attempt,
        token: execution.token,
      };

      let applied = false;
      const change = await ctx.checkpoint({
        key: `${checkpointPrefix}.${execution.token}`,
        fn: async () => {
          applied = true;
          const result = await definition.apply({ stack, parameters, stamp });
          return {
            summary: result.summary,
            outputs: definedOutputs(result.outputs),
          };
        },
      });
      ctx.logger.info(
        `${execution.rfc.id} on ${describeStack(stack)}${
          execution.sandbox ? ' in the sandbox account' : ''
        }: ${change.summary}${
          applied ? '' : ' (done before the task resumed; not repeated)'
        }`,
      );

      const { outputs } = change;
      await ctx.checkpoint({
        key: `${checkpointPrefix}.${execution.token}.report`,
        fn: () => guard.report(ctx, execution, outputs),
      });
      for (const [name, value] of Object.entries(outputs)) {
        ctx.output(name, value);
      }
    },
  });
}

function definedOutputs(
  outputs: Partial<Record<string, string>>,
): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

function readParameters<TParameters>(
  execution: VerifiedExecution,
  definition: SettingsActionDefinition<TParameters, any>,
): TParameters {
  const parsed = definition.parse(execution.rfc.parameters ?? {});
  if (parsed.problems.length || parsed.value === undefined) {
    throw new InputError(
      `${execution.rfc.id} cannot be carried out by ${
        definition.id
      }: its parameters are not valid: ${parsed.problems.join('; ')}`,
    );
  }
  return parsed.value;
}

function stackOf(execution: VerifiedExecution, id: string): StackTarget {
  const { account, region, entityRef, selector } = execution.target;
  if (!selector || Object.keys(selector).length === 0) {
    throw new InputError(
      `${entityRef} has no AWS tag selector, so ${id} cannot find its resources: add the ${ANNOTATION_AWS_TAG_SELECTOR} annotation to the entity, then retry ${execution.rfc.id}`,
    );
  }
  return { account, region, entityRef, selector };
}

/**
 * An example of a settings step in a change type template: it runs only in
 * the execution run and takes no input.
 */
export function executionStepExample(
  description: string,
  step: { id: string; name: string; action: string },
): TemplateExample & {
  step: { id: string; name: string; if: string; action: string };
} {
  return {
    description,
    example: [
      "# After the change type's ops:rfc:create step (id: rfc). The RFC's",
      '# stored parameters and target decide what changes, so there is no input.',
      'steps:',
      `  - id: ${step.id}`,
      `    name: ${step.name}`,
      `    if: ${EXECUTION_STEP_CONDITION}`,
      `    action: ${step.action}`,
      '',
    ].join('\n'),
    step: { ...step, if: EXECUTION_STEP_CONDITION },
  };
}
