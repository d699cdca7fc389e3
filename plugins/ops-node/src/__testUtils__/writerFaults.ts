import type { AwsClientFactory } from '../aws';
import type { FakeAnswer, FakeAwsEndpoint } from './fakeAwsEndpoint';

/**
 * Fault tables of the gateways that write to AWS: each write of a scenario
 * fails in turn, in every way AWS can fail it, against a
 * {@link FakeAwsEndpoint}, and the gateway must fail naming that call with
 * AWS's code and message, list the writes it had made, stop there, and
 * repeat the call only where repeating it is safe.
 */

/** Where the scenarios' calls go. */
export const FAULT_LOCATION = { account: '111122223333', region: 'eu-west-1' };

/**
 * How a repeat of a write is safe: `token` carries an idempotency token,
 * `natural` sets a state that a repeat leaves as it is (tags, an update, a
 * create AWS refuses twice by name), `once` must never be sent twice. A
 * `read` the table fails too (a poll) is repeated freely.
 */
export type WriteKind = 'token' | 'natural' | 'once' | 'read';

export type FaultStep = {
  /** The IAM name, e.g. `ssm:CreateMaintenanceWindow`. */
  operation: string;
  /** The answer when nothing fails. */
  ok: FakeAnswer;
  /** Set for the calls the table fails: the writes, and reads that poll. */
  write?: {
    kind: WriteKind;
    /** The request's idempotency token, the same on every attempt. */
    token?: { field: string; value: string };
    /** What the error must list as written before this call. */
    done: string[];
    /** The field the gateway reads from the answer, and the answer without it. */
    required?: { field: string; answer: FakeAnswer };
    /**
     * The call's answer has no members (Backup's TagResource), so the SDK
     * reads no body and a broken one cannot fail it.
     */
    bodyUnread?: true;
  };
};

export type FaultScenario = {
  /** The gateway method and situation, e.g. `setMaintenanceWindow (new window)`. */
  name: string;
  /** Every call the method makes when nothing fails, in order. */
  steps: FaultStep[];
  run(clients: AwsClientFactory): Promise<unknown>;
};

export type WriterFault =
  | 'throttling'
  | 'access denied'
  | 'timeout'
  | 'malformed body'
  | 'missing field';

/** The request timeout of the clients: short, so a timeout case is quick. */
export const FAULT_REQUEST_TIMEOUT_MS = 200;

const THROTTLING_CODE: Record<string, string> = {
  ec2: 'RequestLimitExceeded',
  rds: 'Throttling',
  tag: 'ThrottledException',
};
const ACCESS_CODE: Record<string, string> = {
  ec2: 'UnauthorizedOperation',
  rds: 'AccessDenied',
};

const service = (operation: string) => operation.split(':')[0];
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every write of every scenario under every fault it can have. */
export function writerFaultCases(scenarios: FaultScenario[]) {
  return scenarios.flatMap(scenario =>
    scenario.steps.flatMap((step, index) => {
      if (!step.write) return [];
      const faults: WriterFault[] = [
        'throttling',
        'access denied',
        'timeout',
        ...(step.write.bodyUnread ? [] : (['malformed body'] as const)),
        ...(step.write.required ? (['missing field'] as const) : []),
      ];
      return faults.map(fault => ({
        scenario,
        step,
        index,
        fault,
        name: scenario.name,
        operation: step.operation,
        kind: step.write!.kind,
      }));
    }),
  );
}

export type WriterFaultCase = ReturnType<typeof writerFaultCases>[number];

/** How the endpoint answers the failing call. */
export function faultAnswer(step: FaultStep, fault: WriterFault): FakeAnswer {
  const { operation } = step;
  const prefix = service(operation);
  switch (fault) {
    case 'throttling':
      return {
        error: THROTTLING_CODE[prefix] ?? 'ThrottlingException',
        message: 'Rate exceeded',
      };
    case 'access denied':
      return {
        error: ACCESS_CODE[prefix] ?? 'AccessDeniedException',
        message: `User: arn:aws:sts::111122223333:assumed-role/portal/ops is not authorized to perform: ${operation}`,
        status: 403,
      };
    case 'timeout':
      return 'hang';
    case 'malformed body':
      // Cut off half way, as by a broken proxy.
      return prefix === 'ec2' || prefix === 'rds'
        ? { body: '<Response><item><id>cut-' }
        : { body: '{"cut": "of' };
    case 'missing field':
      if (!step.write?.required) throw new Error(`${operation} reads no field`);
      return step.write.required.answer;
    default:
      throw new Error(`unknown fault ${fault}`);
  }
}

/** The whole message the gateway's error must have. */
export function expectedMessage(step: FaultStep, fault: WriterFault): RegExp {
  const { operation } = step;
  const prefix = service(operation);
  const op = escape(operation);
  let said: string;
  switch (fault) {
    case 'throttling':
      said = `${
        THROTTLING_CODE[prefix] ?? 'ThrottlingException'
      }: Rate exceeded \\(AWS throttled the call; try again later\\)`;
      break;
    case 'access denied':
      said = `${
        ACCESS_CODE[prefix] ?? 'AccessDeniedException'
      }: User: arn:aws:sts::111122223333:assumed-role/portal/ops is not authorized to perform: ${op} \\(allow ${op} for the role the portal uses in account 111122223333\\)`;
      break;
    case 'timeout':
      said = `TimeoutError: [^\\n]*${FAULT_REQUEST_TIMEOUT_MS} ms requestTimeout[^\\n]* \\(AWS did not answer in time\\)`;
      break;
    case 'malformed body':
      said = `\\w+: [^\\n]+ \\(the answer from AWS could not be read\\)`;
      break;
    default:
      said = `MalformedResponse: the answer has no ${escape(
        step.write!.required!.field,
      )}`;
  }
  const done = step.write?.done ?? [];
  return new RegExp(
    `^${op} in 111122223333/eu-west-1 failed: ${said}${
      done.length ? `; already done: ${escape(done.join(', '))}` : ''
    }$`,
  );
}

/**
 * How often the failing call must reach AWS: the SDK's 3 attempts for the
 * errors it retries (throttling, a timeout) on a write whose repeat is safe,
 * once otherwise.
 */
export function expectedAttempts(step: FaultStep, fault: WriterFault): number {
  const retried = fault === 'throttling' || fault === 'timeout';
  return retried && step.write?.kind !== 'once' ? 3 : 1;
}

/** Answers every step as when nothing fails, and the failing one with the fault. */
export function scriptFault(aws: FakeAwsEndpoint, c: WriterFaultCase) {
  aws.reset();
  for (const step of c.scenario.steps) aws.on(step.operation, step.ok);
  aws.on(c.step.operation, faultAnswer(c.step, c.fault));
}

/** AWS's error code the gateway's error must carry, where AWS gives one. */
function expectedCode(step: FaultStep, fault: WriterFault): string | undefined {
  const answer = faultAnswer(step, fault);
  if (typeof answer === 'object' && 'error' in answer) return answer.error;
  if (fault === 'timeout') return 'TimeoutError';
  if (fault === 'missing field') return 'MalformedResponse';
  return undefined;
}

/**
 * Runs the case's scenario with the fault scripted and checks what the
 * gateway did besides its message (which the test checks with
 * {@link expectedMessage}): failed as an AwsCallError of the call with AWS's
 * code and the writes already done; made no call after it; sent the failing
 * call as often as is safe, the same request (and token) each time; and sent
 * a `once` write on a client that makes one attempt. Returns the error.
 */
export async function runWriterFault(
  aws: FakeAwsEndpoint,
  c: WriterFaultCase,
  clients: AwsClientFactory,
): Promise<Error> {
  scriptFault(aws, c);
  const error = await c.scenario.run(clients).then(
    () => undefined,
    e => e,
  );

  expect(error).toMatchObject({ name: 'AwsCallError', operation: c.operation });
  const code = expectedCode(c.step, c.fault);
  if (code) expect(error.awsErrorName).toBe(code);
  expect(error.done).toEqual(c.step.write!.done);

  expect(aws.operationsSent()).toEqual(
    c.scenario.steps.slice(0, c.index + 1).map(s => s.operation),
  );
  const attempts = aws.attemptsOf(c.operation);
  expect(attempts).toHaveLength(expectedAttempts(c.step, c.fault));
  expect(new Set(attempts.map(a => a.body)).size).toBe(1);
  const token = c.step.write!.token;
  if (token) {
    for (const attempt of attempts) {
      expect(JSON.parse(attempt.body)[token.field]).toBe(token.value);
    }
  }
  const sent = aws.sent.find(s => s.operation === c.operation)!;
  expect(sent.maxAttempts).toBe(c.kind === 'once' ? 1 : 3);
  return error;
}

/**
 * Runs the scenario with nothing failing: it must make exactly its steps,
 * each once, so that the fault cases' "no call after the failed one" means
 * something. Returns what the gateway returned.
 */
export async function runWithoutFaults(
  aws: FakeAwsEndpoint,
  scenario: FaultScenario,
  clients: AwsClientFactory,
): Promise<unknown> {
  aws.reset();
  for (const step of scenario.steps) aws.on(step.operation, step.ok);
  const result = await scenario.run(clients);
  expect(aws.operationsSent()).toEqual(scenario.steps.map(s => s.operation));
  expect(aws.attempts).toHaveLength(scenario.steps.length);
  return result;
}
