import http from 'node:http';
import net from 'node:net';
import { DescribeMaintenanceWindowsCommand } from '@aws-sdk/client-ssm';
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
});
