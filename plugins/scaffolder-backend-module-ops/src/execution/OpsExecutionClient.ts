import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { RfcExecutionContext } from '@cloud-ops/plugin-ops-common';
import { OpsRequestError } from '../rfc/OpsRfcClient';

/** What an action shows the ops backend to prove it runs in an execution. @public */
export type ExecutionProof = {
  rfcId: string;
  /** The one-time secret the executor gave the execution task. */
  secret: string;
  /** The scaffolder task the action runs in. */
  taskId: string;
};

/**
 * The ops backend's execution API, called with the scaffolder's own service
 * token: the execution run acts for the executor, not for a user, and the
 * secret is what shows it is the run the executor launched.
 *
 * @public
 */
export class OpsExecutionClient {
  private readonly fetchFn: typeof fetch;
  private readonly recordWaitMs: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
      /** How long to wait for the executor to record the task; 30 s by default. */
      recordWaitMs?: number;
      retryDelayMs?: number;
    },
  ) {
    this.fetchFn = options.fetch ?? fetch;
    this.recordWaitMs = options.recordWaitMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /**
   * The execution context, when the proof matches an RFC in progress under
   * this task; the ops backend refuses with 403 otherwise.
   */
  async verify(proof: ExecutionProof): Promise<RfcExecutionContext> {
    // The task can start before the executor has recorded its id on the RFC
    // (409); the wait is short, so ask again for a little while.
    const deadline = Date.now() + this.recordWaitMs;
    for (;;) {
      try {
        return await this.post<RfcExecutionContext>(
          '/executions/verify',
          proof,
        );
      } catch (error) {
        const conflict =
          error instanceof OpsRequestError && error.statusCode === 409;
        if (!conflict || Date.now() >= deadline) throw error;
        await new Promise(resolve => setTimeout(resolve, this.retryDelayMs));
      }
    }
  }

  /** Records outputs of a step on the RFC, e.g. the id of what it created. */
  async reportOutputs(
    proof: ExecutionProof & { stepId: string; outputs: Record<string, string> },
  ): Promise<void> {
    await this.post('/executions/outputs', proof);
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const [baseUrl, { token }] = await Promise.all([
      this.options.discovery.getBaseUrl('ops'),
      this.options.auth.getPluginRequestToken({
        onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
        targetPluginId: 'ops',
      }),
    ]);
    const response = await this.fetchFn(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new OpsRequestError(await ResponseError.fromResponse(response));
    }
    return (await response.json()) as T;
  }
}
