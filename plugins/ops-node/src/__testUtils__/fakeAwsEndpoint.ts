import http from 'node:http';
import net from 'node:net';
import {
  AwsClientConfig,
  AwsClientFactory,
  AwsClientLocation,
  AwsClientOptions,
  AwsServiceName,
} from '../aws';

/**
 * A scripted AWS endpoint on 127.0.0.1 for fault tests of the writers, and
 * a client factory whose clients call it. Unlike a client mock, which
 * replaces `send`, every call goes through the SDK as in production:
 * serialization, signing, the standard retry strategy, the request timeout
 * and the response parsers. So the endpoint sees each attempt of a call,
 * and can throttle, deny, never answer, or answer with a broken body.
 */

/** How the endpoint answers one attempt of a call, after `delayMs` if set. */
export type FakeAnswer =
  | /** 200 with this JSON body (SSM, Backup, Tagging, Service Catalog). */
  ((
      | { json: object }
      /** 200 with this XML body (EC2, RDS). */
      | { xml: string }
      /** 200 with this body as it is, e.g. cut-off JSON. */
      | { body: string }
      /** An AWS error, in the service's protocol. */
      | { error: string; message: string; status?: number }
    ) & { delayMs?: number })
  /** Reads the request and never answers. */
  | 'hang';

/** One attempt of a call as the endpoint received it. */
export type FakeAttempt = { operation: string; body: string };

/** One call as the gateway sent it, before any retry. */
export type FakeSend = {
  operation: string;
  input: Record<string, unknown>;
  /** The attempts the client sending it makes at most. */
  maxAttempts: number;
};

/** A step of the SDK's middleware stack, as far as the factory below uses it. */
type Next = (args: {
  input: Record<string, unknown>;
  request: { headers: Record<string, string> };
}) => Promise<unknown>;

type Script = FakeAnswer | ((attempt: number, body: string) => FakeAnswer);

/** IAM prefixes of the factory's services, as the gateways name calls. */
const IAM_PREFIX: Record<AwsServiceName, string> = {
  ssm: 'ssm',
  backup: 'backup',
  ec2: 'ec2',
  rds: 'rds',
  tagging: 'tag',
  servicecatalog: 'servicecatalog',
  cloudwatch: 'cloudwatch',
};

const OPERATION_HEADER = 'x-fake-aws-operation';

/** The error body AWS sends for `code`, in the protocol of `service`. */
function errorResponse(
  service: string,
  code: string,
  message: string,
): { headers: Record<string, string>; body: string } {
  if (service === 'ec2') {
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fake</RequestID></Response>`,
    };
  }
  if (service === 'rds') {
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
    };
  }
  if (service === 'backup') {
    // REST-JSON: the code travels in a header.
    return {
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': code,
      },
      body: JSON.stringify({ message }),
    };
  }
  return {
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: code, message }),
  };
}

function contentType(service: string): string {
  if (service === 'ec2' || service === 'rds') return 'text/xml';
  if (service === 'backup') return 'application/json';
  return 'application/x-amz-json-1.1';
}

/**
 * The production factory, but every client names its calls to the endpoint
 * in a header and reports each call sent, with the attempts its client
 * makes at most.
 */
class RecordingClientFactory extends AwsClientFactory {
  private readonly instrumented = new WeakSet<object>();

  constructor(
    private readonly fake: FakeAwsEndpoint,
    requestTimeoutMs?: number,
  ) {
    super({
      credentialsManager: {
        getCredentialProvider: async () => ({
          sdkCredentialProvider: async () => ({
            accessKeyId: 'AKIAFAKE',
            secretAccessKey: 'secret',
          }),
        }),
      },
      endpoint: fake.url,
      requestTimeoutMs,
    });
  }

  override clientOf<T>(
    Client: new (config: AwsClientConfig) => T,
    service: AwsServiceName,
    location: AwsClientLocation,
    options?: AwsClientOptions,
  ): T {
    const client = super.clientOf(Client, service, location, options);
    const sdkClient = client as unknown as {
      config: { maxAttempts: () => Promise<number> };
      middlewareStack: {
        add(
          middleware: (next: Next, context: { commandName?: string }) => Next,
          options: { step: 'build'; name: string },
        ): void;
      };
    };
    if (!this.instrumented.has(sdkClient)) {
      this.instrumented.add(sdkClient);
      const fake = this.fake;
      sdkClient.middlewareStack.add(
        (next, context) => async args => {
          const operation = `${IAM_PREFIX[service]}:${String(
            context.commandName,
          ).replace(/Command$/, '')}`;
          fake.recordSend({
            operation,
            input: args.input,
            maxAttempts: await sdkClient.config.maxAttempts(),
          });
          args.request.headers[OPERATION_HEADER] = operation;
          return next(args);
        },
        { step: 'build', name: 'fakeAwsOperation' },
      );
    }
    return client;
  }
}

export class FakeAwsEndpoint {
  readonly attempts: FakeAttempt[] = [];
  readonly sent: FakeSend[] = [];
  private readonly scripts = new Map<string, Script>();
  private server?: http.Server;

  get url(): string {
    const address = this.server?.address() as net.AddressInfo | undefined;
    if (!address) throw new Error('the fake AWS endpoint is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /**
   * How `operation` (e.g. `ssm:CreateMaintenanceWindow`) is answered: always
   * the same, or per attempt (0 for the first) and request body.
   */
  on(operation: string, answer: Script): this {
    this.scripts.set(operation, answer);
    return this;
  }

  /** The attempts of `operation` the endpoint received. */
  attemptsOf(operation: string): FakeAttempt[] {
    return this.attempts.filter(a => a.operation === operation);
  }

  /** The operations the gateway sent, in order, each once however often it was attempted. */
  operationsSent(): string[] {
    return this.sent.map(s => s.operation);
  }

  /** Forgets the scripts and what was received. */
  reset() {
    this.scripts.clear();
    this.attempts.length = 0;
    this.sent.length = 0;
  }

  /**
   * A client factory calling this endpoint with dummy credentials, like
   * production's but for the endpoint and the request timeout.
   */
  clients(options: { requestTimeoutMs?: number } = {}): AwsClientFactory {
    return new RecordingClientFactory(this, options.requestTimeoutMs);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () =>
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')),
      );
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise(resolve => this.server!.close(resolve));
    this.server = undefined;
  }

  /** Called by the clients' middleware for each call sent. */
  recordSend(send: FakeSend) {
    this.sent.push(send);
  }

  private handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
  ) {
    const operation = String(req.headers[OPERATION_HEADER] ?? req.url);
    const service = operation.split(':')[0];
    const attempt = this.attemptsOf(operation).length;
    this.attempts.push({ operation, body });
    const script = this.scripts.get(operation);
    const answer: FakeAnswer =
      typeof script === 'function'
        ? script(attempt, body)
        : script ?? {
            error: 'NotScriptedInTest',
            message: `the test has no answer for ${operation}`,
          };
    if (answer === 'hang') return;
    const respond = () => {
      if ('error' in answer) {
        const failure = errorResponse(service, answer.error, answer.message);
        res.writeHead(answer.status ?? 400, failure.headers);
        res.end(failure.body);
        return;
      }
      let text: string;
      if ('json' in answer) text = JSON.stringify(answer.json);
      else if ('xml' in answer) text = answer.xml;
      else text = answer.body;
      res.writeHead(200, { 'content-type': contentType(service) });
      res.end(text);
    };
    if (answer.delayMs) setTimeout(respond, answer.delayMs);
    else respond();
  }
}
