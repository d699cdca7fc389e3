import http from 'node:http';
import net from 'node:net';
import { ConfigReader } from '@backstage/config';
import { AwsClientFactory } from '../aws';
import { AwsServiceCatalogGateway } from './AwsServiceCatalogGateway';
import { createServiceCatalogGateway } from './serviceRef';

/**
 * The gateway over real HTTP (no client mock): its calls go to
 * `ops.aws.endpoint` with the factory's retries and timeouts.
 */

type Seen = { authorization?: string; target?: string };

/** Answers every request with a 500, or never when `hang`, and records them. */
async function server(options: { hang?: boolean } = {}) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    seen.push({
      authorization: req.headers.authorization,
      target: req.headers['x-amz-target'] as string | undefined,
    });
    req.resume();
    if (options.hang) return;
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'InternalFailure', message: 'boom' }));
  });
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      srv.closeAllConnections();
      await new Promise(resolve => srv.close(resolve));
    },
  };
}

const config = (endpoint: string) =>
  new ConfigReader({
    aws: {
      mainAccount: { accessKeyId: 'AKIAMAIN', secretAccessKey: 'secret' },
      accounts: [
        {
          accountId: '444455556666',
          accessKeyId: 'AKIAMEMBER',
          secretAccessKey: 'secret',
        },
      ],
    },
    ops: {
      aws: { implementation: 'aws', region: 'eu-west-1', endpoint },
    },
  });

describe('AwsServiceCatalogGateway over HTTP', () => {
  it('calls ops.aws.endpoint, signed for the account, with 3 attempts in standard retry mode', async () => {
    const aws = await server();
    try {
      const gateway = createServiceCatalogGateway(config(aws.endpoint));

      await expect(
        gateway.listProvisionedProducts({ account: '444455556666' }),
      ).rejects.toThrow('boom');

      expect(aws.seen).toHaveLength(3);
      for (const request of aws.seen) {
        expect(request.target).toBe(
          'AWS242ServiceCatalogService.SearchProvisionedProducts',
        );
        expect(request.authorization).toContain('Credential=AKIAMEMBER/');
        expect(request.authorization).toContain('/eu-west-1/servicecatalog/');
      }
    } finally {
      await aws.close();
    }
  });

  it('signs with the main account when neither request nor config names an account', async () => {
    const aws = await server();
    try {
      const gateway = AwsServiceCatalogGateway.fromConfig(config(aws.endpoint));

      await expect(gateway.listProvisionedProducts()).rejects.toThrow('boom');

      expect(aws.seen[0].authorization).toContain('Credential=AKIAMAIN/');
    } finally {
      await aws.close();
    }
  });

  it('gives up on an endpoint that never answers after the request timeout', async () => {
    const aws = await server({ hang: true });
    try {
      const cfg = config(aws.endpoint);
      const gateway = createServiceCatalogGateway(cfg, {
        clients: AwsClientFactory.fromConfig(cfg, { requestTimeoutMs: 200 }),
      });
      const started = Date.now();

      await expect(
        gateway.describeRecord({ account: '444455556666', recordId: 'rec-1' }),
      ).rejects.toMatchObject({
        name: 'AwsCallError',
        awsErrorName: 'TimeoutError',
        message: expect.stringMatching(
          /^servicecatalog:DescribeRecord in 444455556666\/eu-west-1 failed: TimeoutError: .*\(AWS did not answer in time\)$/,
        ),
      });

      // Three attempts of 200 ms with backoff between them, not the 10 s default.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(aws.seen).toHaveLength(3);
    } finally {
      await aws.close();
    }
  });
});
