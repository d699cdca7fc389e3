import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AwsBackupGateway, AwsPatchingGateway, AwsSettingsReader } from './aws';
import { SandboxAwsAccount } from './sandbox/SandboxAwsAccount';
import {
  createOpsAwsGateways,
  OpsAwsGateways,
  opsAwsGatewaysServiceRef,
} from './serviceRef';

describe('createOpsAwsGateways', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-gateways-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sandboxConfig = (aws: Record<string, unknown> = {}) => ({
    ops: {
      aws: {
        ...aws,
        sandbox: { settingsStateFile: path.join(dir, 'settings.json') },
      },
    },
  });

  it('builds the aws gateways for implementation aws', () => {
    const gateways = createOpsAwsGateways(
      new ConfigReader({ ops: { aws: { implementation: 'aws' } } }),
    );

    expect(gateways.implementation).toBe('aws');
    expect(gateways.patching).toBeInstanceOf(AwsPatchingGateway);
    expect(gateways.backup).toBeInstanceOf(AwsBackupGateway);
    expect(gateways.settings).toBeInstanceOf(AwsSettingsReader);
    expect(gateways.sandbox).toBeUndefined();
  });

  it('builds the sandbox account for implementation sandbox, and when none is set', () => {
    for (const config of [
      sandboxConfig({ implementation: 'sandbox' }),
      sandboxConfig(),
    ]) {
      const gateways = createOpsAwsGateways(new ConfigReader(config));
      expect(gateways.implementation).toBe('sandbox');
      expect(gateways.sandbox).toBeInstanceOf(SandboxAwsAccount);
      expect(gateways.patching).toBe(gateways.sandbox!.patching);
      expect(gateways.backup).toBe(gateways.sandbox!.backup);
      expect(gateways.settings).toBe(gateways.sandbox!.settings);
    }
  });

  it('refuses any other implementation, saying what to choose', () => {
    expect(() =>
      createOpsAwsGateways(
        new ConfigReader({ ops: { aws: { implementation: 'moto' } } }),
      ),
    ).toThrow(
      'ops.aws.implementation must be "aws" or "sandbox", got "moto"; choose aws or sandbox',
    );
  });
});

describe('opsAwsGatewaysServiceRef', () => {
  it('gives every plugin the same gateways from its default factory', async () => {
    const seen: OpsAwsGateways[] = [];
    const plugin = (pluginId: string) =>
      createBackendPlugin({
        pluginId,
        register(env) {
          env.registerInit({
            deps: { gateways: opsAwsGatewaysServiceRef },
            async init({ gateways }) {
              seen.push(gateways);
            },
          });
        },
      });

    const backend = await startTestBackend({
      features: [
        plugin('one'),
        plugin('two'),
        mockServices.rootConfig.factory({
          data: { ops: { aws: { implementation: 'aws' } } },
        }),
      ],
    });
    await backend.stop();

    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0].patching).toBeInstanceOf(AwsPatchingGateway);
  });
});
