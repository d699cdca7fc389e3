import http from 'node:http';
import net from 'node:net';
import { DescribeMaintenanceWindowsCommand } from '@aws-sdk/client-ssm';
import { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { ConfigReader } from '@backstage/config';
import { AwsClientFactory } from './AwsClientFactory';
import { AwsCredentialsError } from './awsErrors';

const here = { account: '111122223333', region: 'eu-west-1' };

function manager() {
  return {
    getCredentialProvider: jest.fn(async (_opts?: { accountId?: string }) => ({
      sdkCredentialProvider: async () => ({
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'secret',
      }),
    })),
  };
}

/** An HTTP server that answers every request with a 500, and counts them. */
async function failingServer() {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    req.resume();
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'InternalServerError', message: 'boom' }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('AwsClientFactory', () => {
  it('looks up credentials once per account and builds one client per service, account and region', async () => {
    const credentialsManager = manager();
    const factory = new AwsClientFactory({ credentialsManager });

    const ssm = factory.ssm(here);
    expect(factory.ssm(here)).toBe(ssm);
    expect(factory.ssm({ ...here, region: 'us-east-1' })).not.toBe(ssm);
    expect(factory.ssm({ ...here, account: '444455556666' })).not.toBe(ssm);
    expect(factory.ssm(here, { idempotent: false })).not.toBe(ssm);
    expect(factory.ssm(here, { idempotent: false })).toBe(
      factory.ssm(here, { idempotent: false }),
    );

    await Promise.all([
      factory.credentialProvider(here.account),
      factory.credentialProvider(here.account),
      factory.credentialProvider('444455556666'),
    ]);
    await factory.backup(here).config.credentials();
    await factory.ec2({ ...here, region: 'us-east-1' }).config.credentials();

    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledTimes(2);
    expect(credentialsManager.getCredentialProvider.mock.calls).toEqual([
      [{ accountId: here.account }],
      [{ accountId: '444455556666' }],
    ]);
  });

  it('does not cache a failed credential lookup, and says the credentials failed', async () => {
    const credentialsManager = manager();
    credentialsManager.getCredentialProvider.mockRejectedValueOnce(
      new Error('There is no AWS integration that matches 111122223333'),
    );
    const factory = new AwsClientFactory({ credentialsManager });
    const ssm = factory.ssm(here);

    const failure = ssm.send(new DescribeMaintenanceWindowsCommand({}));
    await expect(failure).rejects.toThrow(AwsCredentialsError);
    await expect(failure).rejects.toThrow(
      'could not get credentials for account 111122223333: Error: There is no AWS integration that matches 111122223333',
    );

    await expect(ssm.config.credentials()).resolves.toMatchObject({
      accessKeyId: 'AKIAEXAMPLE',
    });
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledTimes(2);
  });

  it('reports a failing credential provider (e.g. AssumeRole denied) as the credentials step', async () => {
    const factory = new AwsClientFactory({
      credentialsManager: {
        getCredentialProvider: async () => ({
          sdkCredentialProvider: async () => {
            const error = new Error(
              'User is not authorized to perform: sts:AssumeRole',
            );
            error.name = 'AccessDenied';
            throw error;
          },
        }),
      },
      endpoint: 'http://127.0.0.1:1',
    });

    await expect(
      factory.ssm(here).send(new DescribeMaintenanceWindowsCommand({})),
    ).rejects.toThrow(
      'could not get credentials for account 111122223333: AccessDenied: User is not authorized to perform: sts:AssumeRole',
    );
  });

  it('reads the endpoints from config, one service overriding all', async () => {
    const config = new ConfigReader({
      ops: {
        aws: {
          endpoint: 'http://127.0.0.1:5000',
          endpoints: { backup: 'https://vpce-backup.example.com' },
        },
      },
    });
    const factory = AwsClientFactory.fromConfig(config, {
      credentialsManager: manager(),
    });

    expect(factory.endpointFor('ssm')).toBe('http://127.0.0.1:5000');
    expect(factory.endpointFor('backup')).toBe(
      'https://vpce-backup.example.com',
    );
    const ssmEndpoint = await factory.ssm(here).config.endpoint!();
    expect(ssmEndpoint).toMatchObject({ hostname: '127.0.0.1', port: 5000 });
    const backupEndpoint = await factory.backup(here).config.endpoint!();
    expect(backupEndpoint).toMatchObject({
      hostname: 'vpce-backup.example.com',
      protocol: 'https:',
    });
  });

  it('signs with the integration config, retries 3 times in standard mode and once for non-idempotent calls', async () => {
    const server = await failingServer();
    try {
      const config = new ConfigReader({
        aws: {
          accounts: [
            {
              accountId: here.account,
              accessKeyId: 'AKIAFROMCONFIG',
              secretAccessKey: 'secret',
            },
          ],
        },
        ops: { aws: { endpoints: { ssm: server.endpoint } } },
      });
      const factory = AwsClientFactory.fromConfig(config);
      const ssm = factory.ssm(here);
      const strategy = (await ssm.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe('standard');
      expect(await ssm.config.maxAttempts()).toBe(3);

      await expect(
        ssm.send(new DescribeMaintenanceWindowsCommand({})),
      ).rejects.toThrow('boom');
      expect(server.requests).toHaveLength(3);
      expect(server.requests[0].authorization).toContain(
        'Credential=AKIAFROMCONFIG/',
      );
      expect(server.requests[0].authorization).toContain('/eu-west-1/ssm/');
      expect(
        (ssm.config.requestHandler as any).httpHandlerConfigs(),
      ).toMatchObject({
        requestTimeout: 10_000,
        throwOnRequestTimeout: true,
        connectionTimeout: 3_000,
      });

      server.requests.length = 0;
      const once = factory.ssm(here, { idempotent: false });
      expect(await once.config.maxAttempts()).toBe(1);
      await expect(
        once.send(new DescribeMaintenanceWindowsCommand({})),
      ).rejects.toThrow('boom');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  describe('credentials shared by the clients of an account', () => {
    /** A role-assuming account: every call of its provider is one AssumeRole. */
    function assumingManager(expiresInMs?: number) {
      const assumed: string[] = [];
      return {
        assumed,
        credentialsManager: {
          getCredentialProvider: async (opts?: { accountId?: string }) => ({
            sdkCredentialProvider: async () => {
              const n = assumed.push(opts?.accountId ?? 'main');
              await new Promise(resolve => setTimeout(resolve, 5));
              return {
                accessKeyId: `ASIA${n}`,
                secretAccessKey: 'secret',
                ...(expiresInMs !== undefined
                  ? { expiration: new Date(Date.now() + expiresInMs) }
                  : {}),
              };
            },
          }),
        },
      };
    }

    it('fetches them once per account for all its clients and regions, even at once', async () => {
      const { assumed, credentialsManager } = assumingManager(3_600_000);
      const factory = new AwsClientFactory({ credentialsManager });
      const other = { account: '444455556666', region: 'us-east-1' };

      const identities = await Promise.all([
        factory.ssm(here).config.credentials(),
        factory.backup(here).config.credentials(),
        factory.ec2({ ...here, region: 'us-east-1' }).config.credentials(),
        factory.rds(here).config.credentials(),
        factory.tagging(here).config.credentials(),
        factory.ssm(here, { idempotent: false }).config.credentials(),
        factory.ssm(other).config.credentials(),
        factory.backup(other).config.credentials(),
      ]);
      await factory.resolveCredentials(here.account);

      expect(assumed.sort()).toEqual([here.account, '444455556666']);
      expect(new Set(identities.map(i => i.accessKeyId)).size).toBe(2);
    });

    it('fetches them again when they are about to expire', async () => {
      const { assumed, credentialsManager } = assumingManager(60_000);
      const factory = new AwsClientFactory({ credentialsManager });

      await factory.ssm(here).config.credentials();
      const fetched = assumed.length;
      await factory.resolveCredentials(here.account);

      // A minute left is inside the refresh window: the next use fetches anew.
      expect(assumed).toHaveLength(fetched + 1);
    });

    it('does not keep a failed fetch, and says it was the credentials', async () => {
      let calls = 0;
      const factory = new AwsClientFactory({
        credentialsManager: {
          getCredentialProvider: async () => ({
            sdkCredentialProvider: async () => {
              calls += 1;
              if (calls === 1) {
                throw Object.assign(new Error('not authorized to assume'), {
                  name: 'AccessDenied',
                });
              }
              return { accessKeyId: 'ASIA2', secretAccessKey: 'secret' };
            },
          }),
        },
      });

      await expect(factory.resolveCredentials(here.account)).rejects.toThrow(
        'could not get credentials for account 111122223333: AccessDenied: not authorized to assume',
      );
      await expect(factory.ssm(here).config.credentials()).resolves.toEqual({
        accessKeyId: 'ASIA2',
        secretAccessKey: 'secret',
      });
    });

    it('uses the main account when no account is named', async () => {
      const { assumed, credentialsManager } = assumingManager();
      const factory = new AwsClientFactory({ credentialsManager });

      await factory
        .serviceCatalog({ region: 'eu-west-1' })
        .config.credentials();

      expect(assumed).toEqual(['main']);
    });
  });

  it('builds clients of other SDK packages like its own, cached per class, with the configured endpoint and timeout', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        ops: {
          aws: {
            endpoint: 'http://127.0.0.1:5000',
            endpoints: { cloudwatch: 'https://monitoring.vpce.example.com' },
          },
        },
      }),
      { credentialsManager: manager(), requestTimeoutMs: 1_234 },
    );

    // Any SDK v3 client class; ServiceCatalogClient stands in for CloudWatchClient here.
    const client = factory.clientOf(ServiceCatalogClient, 'cloudwatch', here);
    expect(factory.clientOf(ServiceCatalogClient, 'cloudwatch', here)).toBe(
      client,
    );
    expect(factory.serviceCatalog(here)).not.toBe(client);
    expect(await client.config.endpoint!()).toMatchObject({
      hostname: 'monitoring.vpce.example.com',
    });
    expect(await client.config.maxAttempts()).toBe(3);
    expect(
      await (client.config.requestHandler as any).configProvider,
    ).toMatchObject({
      requestTimeout: 1_234,
      throwOnRequestTimeout: true,
      connectionTimeout: 3_000,
    });
  });
});
