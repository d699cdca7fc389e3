import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import type { AwsClientFactory } from '../aws';
import { durationToMs } from '../duration';
import { defaultSandboxStateFile } from '../sandboxStateFile';
import { AwsServiceCatalogGateway } from './AwsServiceCatalogGateway';
import { SandboxServiceCatalogGateway } from './SandboxServiceCatalogGateway';
import { ServiceCatalogGateway } from './types';

/**
 * Builds the gateway `ops.aws.implementation` asks for; for `aws`, with the
 * given client factory so its credentials are shared, or one of its own.
 *
 * @public
 */
export function createServiceCatalogGateway(
  config: Config,
  options: { clients?: AwsClientFactory } = {},
): ServiceCatalogGateway {
  const implementation =
    config.getOptionalString('ops.aws.implementation') ?? 'sandbox';
  if (implementation === 'aws') {
    return AwsServiceCatalogGateway.fromConfig(config, options);
  }
  if (implementation !== 'sandbox') {
    throw new Error(
      `ops.aws.implementation must be "aws" or "sandbox", got "${implementation}"`,
    );
  }
  const delayKey = 'ops.aws.sandbox.provisionDelay';
  return new SandboxServiceCatalogGateway({
    provisionDelayMs: config.has(delayKey)
      ? durationToMs(readDurationFromConfig(config, { key: delayKey }))
      : undefined,
    stateFile:
      config.getOptionalString('ops.aws.sandbox.stateFile') ??
      defaultSandboxStateFile('service-catalog.json'),
    defaultAccount:
      config.getOptionalString('ops.aws.accountId') ?? '000000000000',
    defaultRegion: config.getOptionalString('ops.aws.region') ?? 'eu-west-1',
  });
}

/**
 * The Service Catalog gateway, one per backend process (root scope), so the
 * scaffolder's provisioning and the catalog's stack reads share one sandbox
 * account.
 *
 * @public
 */
export const serviceCatalogGatewayServiceRef =
  createServiceRef<ServiceCatalogGateway>({
    id: 'ops.service-catalog-gateway',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) => createServiceCatalogGateway(config),
      }),
  });
