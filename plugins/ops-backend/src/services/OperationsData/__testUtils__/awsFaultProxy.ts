import http from 'node:http';
import net from 'node:net';

/**
 * An HTTP proxy in front of an AWS emulator (moto) that passes every call
 * through except those a rule picks, which it answers the way AWS fails:
 * access denied, throttled, or no answer at all. So a test can deny one
 * call while the rest is real, and count the calls made (retries included).
 */

/** One request as the proxy saw it. */
export type SeenCall = {
  /** The call, e.g. `ec2:DescribeSnapshots`, `sts:AssumeRole`. */
  call: string;
  body: string;
};

/** How a picked call fails: AccessDenied, Throttling, or never answered. */
export type Fault = 'denied' | 'throttled' | 'hang';

type Rule = { call: string; when?: (body: string) => boolean; fault: Fault };

/**
 * Names the call from the request: the JSON protocols' `X-Amz-Target`
 * (`Service_20150101.Operation`), the query protocols' `Action=` (EC2, RDS,
 * STS, CloudWatch's older protocol), or `Smithy-Protocol` paths (CloudWatch's
 * CBOR protocol: `/service/GraniteServiceVersion20100801/operation/DescribeAlarms`).
 */
function callOf(
  req: http.IncomingMessage,
  body: string,
  service: string,
): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.split('.')[1]}`;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  if (action) return `${service}:${action[1]}`;
  const operation = /\/operation\/([A-Za-z]+)/.exec(req.url ?? '');
  return `${service}:${operation?.[1] ?? req.url}`;
}

/** The service a request is signed for, from its Authorization header. */
function serviceOf(req: http.IncomingMessage): string {
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(
    req.headers.authorization ?? '',
  );
  const signed = scope?.[1] ?? 'unknown';
  // IAM prefixes where they differ from the signing name.
  return signed === 'monitoring' ? 'cloudwatch' : signed;
}

/** The error body AWS sends for `code`, in the request's protocol. */
function failure(req: http.IncomingMessage, service: string, code: string) {
  const message = `${code} (injected by the test)`;
  if (req.headers['x-amz-target']) {
    return {
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: code, message }),
    };
  }
  if (service === 'ec2') {
    return {
      type: 'text/xml',
      body: `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault</RequestID></Response>`,
    };
  }
  return {
    type: 'text/xml',
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
  };
}

export class AwsFaultProxy {
  readonly seen: SeenCall[] = [];
  private rules: Rule[] = [];
  private server?: http.Server;
  private target?: URL;

  get endpoint(): string {
    const address = this.server?.address() as net.AddressInfo | undefined;
    if (!address) throw new Error('the proxy is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Fails `call` (e.g. `ec2:DescribeSnapshots`), or only the requests `when` picks. */
  fail(call: string, fault: Fault, when?: (body: string) => boolean): this {
    this.rules.push({ call, fault, when });
    return this;
  }

  /** Calls seen so far named `call`. */
  calls(call: string): SeenCall[] {
    return this.seen.filter(s => s.call === call);
  }

  /** Forgets the rules and the calls seen. */
  reset() {
    this.rules = [];
    this.seen.length = 0;
  }

  async start(target: string): Promise<void> {
    this.target = new URL(target);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
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

  private handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer,
  ) {
    const body = raw.toString('utf8');
    const service = serviceOf(req);
    const call = callOf(req, body, service);
    this.seen.push({ call, body });
    const rule = this.rules.find(
      r => r.call === call && (!r.when || r.when(body)),
    );
    if (rule?.fault === 'hang') return;
    if (rule) {
      const denied = rule.fault === 'denied';
      const code = denied
        ? (service === 'ec2' && 'UnauthorizedOperation') || 'AccessDenied'
        : (service === 'ec2' && 'RequestLimitExceeded') || 'Throttling';
      const { type, body: errorBody } = failure(req, service, code);
      res.writeHead(denied ? 403 : 400, { 'content-type': type });
      res.end(errorBody);
      return;
    }
    const forwarded = http.request(
      {
        host: this.target!.hostname,
        port: this.target!.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target!.host },
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', e => {
      res.writeHead(502);
      res.end(String(e));
    });
    forwarded.end(raw);
  }
}
