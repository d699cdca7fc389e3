import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { describeError, isConflict, OpsRfcClient } from '../rfc/OpsRfcClient';

/** What the reconciler needs to know about a scaffolder task. */
export type TaskState =
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'missing';

/** Reads a scaffolder task's state over the scaffolder's HTTP API. */
export function createScaffolderTaskReader(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  fetch?: typeof fetch;
}): (taskId: string) => Promise<TaskState> {
  const fetchFn = options.fetch ?? fetch;
  return async taskId => {
    const [baseUrl, { token }] = await Promise.all([
      options.discovery.getBaseUrl('scaffolder'),
      options.auth.getPluginRequestToken({
        onBehalfOf: await options.auth.getOwnServiceCredentials(),
        targetPluginId: 'scaffolder',
      }),
    ]);
    const response = await fetchFn(
      `${baseUrl}/v2/tasks/${encodeURIComponent(taskId)}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (response.status === 404) return 'missing';
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const { status } = (await response.json()) as { status: string };
    if (
      status === 'failed' ||
      status === 'cancelled' ||
      status === 'completed'
    ) {
      return status;
    }
    return 'running';
  };
}

/**
 * Closes as Failure every RFC in progress whose scaffolder task failed, was
 * cancelled or no longer exists, so no RFC stays InProgress forever when its
 * template run dies between steps.
 *
 * Runs as scheduled work, so it uses the module's own service credentials.
 */
export class RfcTaskReconciler {
  private readonly client: OpsRfcClient;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      readTask: (taskId: string) => Promise<TaskState>;
      fetch?: typeof fetch;
    },
  ) {
    this.client = new OpsRfcClient(options);
  }

  /** One pass; returns the ids of the RFCs it closed. */
  async reconcile(): Promise<string[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const closed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listRfcs(
        { status: ['InProgress'], limit: 100, cursor },
        credentials,
      );
      for (const rfc of page.items) {
        if (!rfc.taskId) continue; // carried out by hand, not by a template
        let state: TaskState;
        try {
          state = await this.options.readTask(rfc.taskId);
        } catch (error) {
          this.options.logger.warn(
            `Could not read task ${rfc.taskId} of ${rfc.id}: ${describeError(
              error,
            )}`,
          );
          continue;
        }
        if (
          state !== 'failed' &&
          state !== 'cancelled' &&
          state !== 'missing'
        ) {
          continue;
        }
        const why = {
          failed: 'failed',
          cancelled: 'was cancelled',
          missing: 'no longer exists',
        }[state];
        try {
          await this.client.completeRfc(
            rfc.id,
            {
              version: rfc.version,
              outcome: 'Failure',
              outcomeNotes: `The scaffolder task ${rfc.taskId} that carried out this RFC ${why}.`,
            },
            credentials,
          );
          closed.push(rfc.id);
          this.options.logger.info(
            `Closed ${rfc.id} as Failure: its task ${why}`,
          );
        } catch (error) {
          // Changed since listed: the next pass sees its new state.
          if (!isConflict(error)) {
            this.options.logger.warn(
              `Could not close ${rfc.id}: ${describeError(error)}`,
            );
          }
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return closed;
  }
}
