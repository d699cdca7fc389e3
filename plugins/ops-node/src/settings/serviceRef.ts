import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { AwsClientFactory } from '../aws';
import { AwsBackupGateway, AwsPatchingGateway, AwsSettingsReader } from './aws';
import { SandboxAwsAccount } from './sandbox/SandboxAwsAccount';
import type {
  BackupGateway,
  GatewayImplementation,
  PatchingGateway,
  SettingsReader,
} from './types';

/**
 * The settings gateways and reader of one implementation, with the sandbox
 * account itself when it is the sandbox (local runs read its patch runs and
 * restore jobs).
 *
 * @public
 */
export type OpsAwsGateways = {
  implementation: GatewayImplementation;
  patching: PatchingGateway;
  backup: BackupGateway;
  settings: SettingsReader;
  sandbox?: SandboxAwsAccount;
};

/**
 * Builds the gateways `ops.aws.implementation` asks for: `aws` (one client
 * factory shared by the three) or `sandbox`, the default for now.
 *
 * @public
 */
export function createOpsAwsGateways(
  config: Config,
  options: { logger?: LoggerService } = {},
): OpsAwsGateways {
  const implementation =
    config.getOptionalString('ops.aws.implementation') ?? 'sandbox';
  if (implementation === 'aws') {
    const clients = AwsClientFactory.fromConfig(config);
    return {
      implementation,
      patching: AwsPatchingGateway.fromConfig(config, { clients }),
      backup: AwsBackupGateway.fromConfig(config, { clients }),
      settings: AwsSettingsReader.fromConfig(config, { clients }),
    };
  }
  if (implementation !== 'sandbox') {
    throw new Error(
      `ops.aws.implementation must be "aws" or "sandbox", got "${implementation}"; choose aws or sandbox`,
    );
  }
  const sandbox = SandboxAwsAccount.fromConfig(config, {
    logger: options.logger,
  });
  return {
    implementation,
    patching: sandbox.patching,
    backup: sandbox.backup,
    settings: sandbox.settings,
    sandbox,
  };
}

/**
 * The settings gateways, one set per backend process (root scope), so the
 * scaffolder actions that write settings and the backend that reads them
 * share one sandbox account and one set of AWS clients.
 *
 * @public
 */
export const opsAwsGatewaysServiceRef = createServiceRef<OpsAwsGateways>({
  id: 'ops.aws-gateways',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
      },
      factory: ({ config, logger }) => createOpsAwsGateways(config, { logger }),
    }),
});
