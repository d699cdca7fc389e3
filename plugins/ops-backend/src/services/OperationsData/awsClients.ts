import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import type { AwsLocation } from './types';

/** The SDK clients the operations reader uses in one account and region. @public */
export type OperationsAwsClients = {
  tagging: ResourceGroupsTaggingAPIClient;
  cloudwatch: CloudWatchClient;
  ssm: SSMClient;
  backup: BackupClient;
  ec2: EC2Client;
  rds: RDSClient;
};

/** @public */
export type OperationsAwsClientProvider = (
  location: AwsLocation,
) => Promise<OperationsAwsClients>;

/** Default per-request timeout; a hung endpoint must not stall the whole refresh. */
export const DEFAULT_AWS_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Builds clients per account and region with credentials from the standard
 * `aws` integration config, standard retry mode (backoff on throttling) and a
 * request timeout on every client. Clients are cached per location.
 */
export function createOperationsAwsClientProvider(options: {
  config: Config;
  credentialsManager?: AwsCredentialsManager;
  requestTimeoutMs?: number;
  /** Overrides the AWS endpoint, e.g. for a local AWS emulator. */
  endpoint?: string;
}): OperationsAwsClientProvider {
  const manager =
    options.credentialsManager ??
    DefaultAwsCredentialsManager.fromConfig(options.config);
  const requestTimeout =
    options.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS;
  const cache = new Map<string, Promise<OperationsAwsClients>>();

  return location => {
    const key = `${location.accountId}/${location.region}`;
    let clients = cache.get(key);
    if (!clients) {
      clients = (async () => {
        const { sdkCredentialProvider } = await manager.getCredentialProvider({
          accountId: location.accountId,
        });
        const common = {
          region: location.region,
          credentials: sdkCredentialProvider,
          retryMode: 'standard',
          maxAttempts: 3,
          // Without throwOnRequestTimeout the SDK only logs a breached timeout.
          requestHandler: {
            requestTimeout,
            throwOnRequestTimeout: true,
            connectionTimeout: 3_000,
          },
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        };
        return {
          tagging: new ResourceGroupsTaggingAPIClient(common),
          cloudwatch: new CloudWatchClient(common),
          ssm: new SSMClient(common),
          backup: new BackupClient(common),
          ec2: new EC2Client(common),
          rds: new RDSClient(common),
        };
      })();
      // A failed credential lookup should be retried on the next refresh.
      clients.catch(() => cache.delete(key));
      cache.set(key, clients);
    }
    return clients;
  };
}
