import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '@backstage/config';
import {
  AwsCredentialProvider,
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { AwsCredentialsError } from './awsErrors';

/**
 * Where an AWS call goes: the account whose credentials sign it and the
 * region whose endpoint answers.
 *
 * @public
 */
export type AwsLocation = { account: string; region: string };

/**
 * Where a client's calls go. Without `account`, the credentials are those of
 * the integration's main account (Service Catalog calls that name none).
 *
 * @public
 */
export type AwsClientLocation = { account?: string; region: string };

/**
 * The services the factory builds clients for, as named in the config keys
 * `ops.aws.endpoints.<service>`.
 *
 * @public
 */
export type AwsServiceName =
  | 'ssm'
  | 'backup'
  | 'ec2'
  | 'rds'
  | 'tagging'
  | 'servicecatalog'
  | 'cloudwatch';

/** @public */
export type AwsClientOptions = {
  /**
   * `false` for a call that AWS cannot tell apart from its repetition (SSM
   * SendCommand, EC2 CreateSnapshots): the client makes one attempt only,
   * because a retry after a lost answer would run it twice.
   */
  idempotent?: boolean;
};

const SERVICES: readonly AwsServiceName[] = [
  'ssm',
  'backup',
  'ec2',
  'rds',
  'tagging',
  'servicecatalog',
  'cloudwatch',
];

const MAX_ATTEMPTS = 3;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 3_000;

/**
 * Shared credentials are fetched again this long before they expire, as the
 * SDK's own per-client cache does.
 */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

type SdkCredentialProvider = AwsCredentialProvider['sdkCredentialProvider'];
type AwsCredentialIdentity = Awaited<ReturnType<SdkCredentialProvider>>;

/**
 * What every client is built with. A client class from another SDK package
 * takes it through {@link AwsClientFactory.clientOf}.
 *
 * @public
 */
export type AwsClientConfig = {
  region: string;
  credentials: SdkCredentialProvider;
  endpoint?: string;
  retryMode: 'standard';
  maxAttempts: number;
  requestHandler: {
    requestTimeout: number;
    throwOnRequestTimeout: true;
    connectionTimeout: number;
  };
};

/**
 * One credentials fetch shared by every client of an account. Without it
 * each SDK client keeps its own cache, so an assumed role is assumed once
 * per client. A failed fetch is not kept: the next call tries again.
 */
function shareCredentials(
  provider: SdkCredentialProvider,
): SdkCredentialProvider {
  let held: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (identity: AwsCredentialIdentity) =>
    !identity.expiration ||
    identity.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
  return async identityProperties => {
    if (held && fresh(held)) return held;
    pending ??= provider(identityProperties).then(
      identity => {
        held = identity;
        pending = undefined;
        return identity;
      },
      error => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

/**
 * Builds AWS SDK v3 clients per account and region, with credentials from
 * the `aws` integration config (`@backstage/integration-aws-node`).
 *
 * One credential provider per account, looked up once (a failed lookup is
 * tried again next time) and shared by all the account's clients, so a role
 * is assumed once per account until its credentials near expiry; one client
 * per service, account and region. Every client uses the standard retry
 * mode with 3 attempts, a 3 s connection timeout and a request timeout (10 s
 * unless `requestTimeoutMs` says otherwise);
 * {@link AwsClientOptions.idempotent} `false` gives a client that makes one
 * attempt.
 *
 * Endpoints come from `ops.aws.endpoint` (all services) and
 * `ops.aws.endpoints.<service>` (one service; wins), for an emulator such as
 * moto or for VPC endpoints. Without them the SDK's own resolution applies,
 * so its `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` environment
 * variables work as well.
 *
 * @public
 */
export class AwsClientFactory {
  private readonly credentialProviders = new Map<
    string,
    Promise<AwsCredentialProvider>
  >();
  private readonly clients = new Map<unknown, Map<string, unknown>>();

  static fromConfig(
    config: Config,
    options: {
      credentialsManager?: AwsCredentialsManager;
      requestTimeoutMs?: number;
    } = {},
  ): AwsClientFactory {
    const endpoints: Partial<Record<AwsServiceName, string>> = {};
    for (const service of SERVICES) {
      const endpoint = config.getOptionalString(`ops.aws.endpoints.${service}`);
      if (endpoint) endpoints[service] = endpoint;
    }
    return new AwsClientFactory({
      credentialsManager:
        options.credentialsManager ??
        DefaultAwsCredentialsManager.fromConfig(config),
      endpoint: config.getOptionalString('ops.aws.endpoint'),
      endpoints,
      requestTimeoutMs: options.requestTimeoutMs,
    });
  }

  constructor(
    private readonly options: {
      credentialsManager: AwsCredentialsManager;
      /** Endpoint of every service, e.g. `http://127.0.0.1:5000`. */
      endpoint?: string;
      /** Endpoints of single services; they win over `endpoint`. */
      endpoints?: Partial<Record<AwsServiceName, string>>;
      /** Time a request may take; 10 s by default. */
      requestTimeoutMs?: number;
    },
  ) {}

  ssm(location: AwsClientLocation, options?: AwsClientOptions): SSMClient {
    return this.clientOf(SSMClient, 'ssm', location, options);
  }

  backup(
    location: AwsClientLocation,
    options?: AwsClientOptions,
  ): BackupClient {
    return this.clientOf(BackupClient, 'backup', location, options);
  }

  ec2(location: AwsClientLocation, options?: AwsClientOptions): EC2Client {
    return this.clientOf(EC2Client, 'ec2', location, options);
  }

  rds(location: AwsClientLocation, options?: AwsClientOptions): RDSClient {
    return this.clientOf(RDSClient, 'rds', location, options);
  }

  tagging(
    location: AwsClientLocation,
    options?: AwsClientOptions,
  ): ResourceGroupsTaggingAPIClient {
    return this.clientOf(
      ResourceGroupsTaggingAPIClient,
      'tagging',
      location,
      options,
    );
  }

  serviceCatalog(
    location: AwsClientLocation,
    options?: AwsClientOptions,
  ): ServiceCatalogClient {
    return this.clientOf(
      ServiceCatalogClient,
      'servicecatalog',
      location,
      options,
    );
  }

  /**
   * A client of an SDK v3 service this package has no method for, built
   * and cached like the others: its endpoint from `ops.aws.endpoints.<service>`,
   * the account's shared credentials, standard retries and the timeouts.
   * For services whose SDK package only the caller depends on, e.g.
   * `clientOf(CloudWatchClient, 'cloudwatch', location)` in ops-backend.
   */
  clientOf<T>(
    Client: new (config: AwsClientConfig) => T,
    service: AwsServiceName,
    location: AwsClientLocation,
    options?: AwsClientOptions,
  ): T {
    const maxAttempts = options?.idempotent === false ? 1 : MAX_ATTEMPTS;
    const key = `${service}/${location.account ?? ''}/${
      location.region
    }/${maxAttempts}`;
    let ofClass = this.clients.get(Client);
    if (!ofClass) {
      ofClass = new Map();
      this.clients.set(Client, ofClass);
    }
    let client = ofClass.get(key) as T | undefined;
    if (!client) {
      const endpoint = this.endpointFor(service);
      client = new Client({
        region: location.region,
        credentials: this.lazyCredentials(location.account),
        // Left out when unset, so the SDK's own resolution (AWS_ENDPOINT_URL) applies.
        ...(endpoint ? { endpoint } : {}),
        retryMode: 'standard',
        maxAttempts,
        requestHandler: {
          requestTimeout:
            this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          // Without it the SDK only logs a breached timeout.
          throwOnRequestTimeout: true,
          connectionTimeout: CONNECTION_TIMEOUT_MS,
        },
      });
      ofClass.set(key, client);
    }
    return client;
  }

  /** The endpoint configured for a service, if any. */
  endpointFor(service: AwsServiceName): string | undefined {
    return this.options.endpoints?.[service] ?? this.options.endpoint;
  }

  /**
   * The account's credential provider (the main account's without one),
   * whose `sdkCredentialProvider` every client of the account shares.
   * Rejects with an {@link AwsCredentialsError} when the integration config
   * has no way into the account.
   */
  credentialProvider(account?: string): Promise<AwsCredentialProvider> {
    const key = account ?? '';
    let provider = this.credentialProviders.get(key);
    if (!provider) {
      provider = this.options.credentialsManager
        .getCredentialProvider(account ? { accountId: account } : undefined)
        .then(found => ({
          ...found,
          sdkCredentialProvider: shareCredentials(found.sdkCredentialProvider),
        }))
        .catch(error => {
          this.credentialProviders.delete(key);
          throw new AwsCredentialsError(account, error);
        });
      this.credentialProviders.set(key, provider);
    }
    return provider;
  }

  /**
   * Gets the account's credentials now (assuming its role if it has one),
   * the ones its clients will use, so that a reader can tell a credentials
   * failure from a failed call before making any. Rejects with an
   * {@link AwsCredentialsError}.
   */
  async resolveCredentials(account?: string): Promise<void> {
    await this.lazyCredentials(account)();
  }

  /**
   * Clients are built at once; the account's credentials are looked up at
   * the first call, and a failure there says it was the credentials, not
   * the call.
   */
  private lazyCredentials(account?: string): SdkCredentialProvider {
    return async identityProperties => {
      const { sdkCredentialProvider } = await this.credentialProvider(account);
      try {
        return await sdkCredentialProvider(identityProperties);
      } catch (error) {
        throw new AwsCredentialsError(account, error);
      }
    };
  }
}
