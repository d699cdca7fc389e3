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
  | 'servicecatalog';

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
];

const MAX_ATTEMPTS = 3;

/** What every client is built with: a failing call answers within seconds. */
const REQUEST_HANDLER = {
  requestTimeout: 10_000,
  throwOnRequestTimeout: true,
  connectionTimeout: 3_000,
} as const;

type ClientConfig = {
  region: string;
  credentials: AwsCredentialProvider['sdkCredentialProvider'];
  endpoint?: string;
  retryMode: 'standard';
  maxAttempts: number;
  requestHandler: typeof REQUEST_HANDLER;
};

/**
 * Builds AWS SDK v3 clients per account and region, with credentials from
 * the `aws` integration config (`@backstage/integration-aws-node`).
 *
 * One credential provider per account, looked up once (a failed lookup is
 * tried again next time); one client per service, account and region. Every
 * client uses the standard retry mode with 3 attempts and a 10 s request
 * timeout; {@link AwsClientOptions.idempotent} `false` gives a client that
 * makes one attempt.
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
  private readonly clients = new Map<string, unknown>();

  static fromConfig(
    config: Config,
    options: { credentialsManager?: AwsCredentialsManager } = {},
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
    });
  }

  constructor(
    private readonly options: {
      credentialsManager: AwsCredentialsManager;
      /** Endpoint of every service, e.g. `http://127.0.0.1:5000`. */
      endpoint?: string;
      /** Endpoints of single services; they win over `endpoint`. */
      endpoints?: Partial<Record<AwsServiceName, string>>;
    },
  ) {}

  ssm(location: AwsLocation, options?: AwsClientOptions): SSMClient {
    return this.client('ssm', location, options, c => new SSMClient(c));
  }

  backup(location: AwsLocation, options?: AwsClientOptions): BackupClient {
    return this.client('backup', location, options, c => new BackupClient(c));
  }

  ec2(location: AwsLocation, options?: AwsClientOptions): EC2Client {
    return this.client('ec2', location, options, c => new EC2Client(c));
  }

  rds(location: AwsLocation, options?: AwsClientOptions): RDSClient {
    return this.client('rds', location, options, c => new RDSClient(c));
  }

  tagging(
    location: AwsLocation,
    options?: AwsClientOptions,
  ): ResourceGroupsTaggingAPIClient {
    return this.client(
      'tagging',
      location,
      options,
      c => new ResourceGroupsTaggingAPIClient(c),
    );
  }

  serviceCatalog(
    location: AwsLocation,
    options?: AwsClientOptions,
  ): ServiceCatalogClient {
    return this.client(
      'servicecatalog',
      location,
      options,
      c => new ServiceCatalogClient(c),
    );
  }

  /** The endpoint configured for a service, if any. */
  endpointFor(service: AwsServiceName): string | undefined {
    return this.options.endpoints?.[service] ?? this.options.endpoint;
  }

  /**
   * The account's credential provider. Rejects with an
   * {@link AwsCredentialsError} when the integration config has no way into
   * the account.
   */
  credentialProvider(account: string): Promise<AwsCredentialProvider> {
    let provider = this.credentialProviders.get(account);
    if (!provider) {
      provider = this.options.credentialsManager
        .getCredentialProvider({ accountId: account })
        .catch(error => {
          this.credentialProviders.delete(account);
          throw new AwsCredentialsError(account, error);
        });
      this.credentialProviders.set(account, provider);
    }
    return provider;
  }

  private client<T>(
    service: AwsServiceName,
    location: AwsLocation,
    options: AwsClientOptions | undefined,
    build: (config: ClientConfig) => T,
  ): T {
    const maxAttempts = options?.idempotent === false ? 1 : MAX_ATTEMPTS;
    const key = `${service}/${location.account}/${location.region}/${maxAttempts}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      const endpoint = this.endpointFor(service);
      client = build({
        region: location.region,
        credentials: this.lazyCredentials(location.account),
        // Left out when unset, so the SDK's own resolution (AWS_ENDPOINT_URL) applies.
        ...(endpoint ? { endpoint } : {}),
        retryMode: 'standard',
        maxAttempts,
        requestHandler: REQUEST_HANDLER,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Clients are built at once; the account's credentials are looked up at
   * the first call, and a failure there says it was the credentials, not
   * the call.
   */
  private lazyCredentials(
    account: string,
  ): AwsCredentialProvider['sdkCredentialProvider'] {
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
