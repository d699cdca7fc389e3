import { mockServices } from '@backstage/backend-test-utils';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createOperationsAwsClientProvider } from './awsClients';
import { AwsOperationsReader } from './AwsOperationsReader';

const credentialsManager = {
  getCredentialProvider: jest.fn(async () => ({
    sdkCredentialProvider: async () => ({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
    }),
  })),
};

describe('createOperationsAwsClientProvider', () => {
  it('builds clients per account with standard retries and a request timeout', async () => {
    const provider = createOperationsAwsClientProvider({
      config: mockServices.rootConfig(),
      credentialsManager,
      requestTimeoutMs: 1234,
    });
    const clients = await provider({
      accountId: '111122223333',
      region: 'eu-west-1',
    });
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledWith({
      accountId: '111122223333',
    });
    for (const client of Object.values(clients)) {
      expect(await client.config.region()).toBe('eu-west-1');
      expect(client.config.retryMode).toBe('standard');
      const handlerConfig = await (client.config.requestHandler as any)
        .configProvider;
      expect(handlerConfig).toMatchObject({
        requestTimeout: 1234,
        throwOnRequestTimeout: true,
      });
    }
    // Cached per account and region.
    expect(
      await provider({ accountId: '111122223333', region: 'eu-west-1' }),
    ).toBe(clients);
    expect(
      await provider({ accountId: '111122223333', region: 'us-east-1' }),
    ).not.toBe(clients);
  });

  describe('against an endpoint that never answers', () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
      // Accepts connections and never responds.
      server = createServer(() => {});
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    });

    it('times out and records the timeout instead of hanging', async () => {
      const reader = new AwsOperationsReader({
        clients: createOperationsAwsClientProvider({
          config: mockServices.rootConfig(),
          credentialsManager,
          requestTimeoutMs: 150,
          endpoint,
        }),
        logger: mockServices.logger.mock(),
      });
      const started = Date.now();
      const results = await reader.read([
        {
          entityRef: 'component:default/a',
          accountId: '111122223333',
          region: 'eu-west-1',
          selector: { app: 'a' },
        },
      ]);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(results).toHaveLength(3);
      for (const r of results) {
        expect(r.ok).toBe(false);
        expect((r as { error: string }).error).toMatch(
          /tag:GetResources .*TimeoutError/,
        );
      }
    });
  });
});
