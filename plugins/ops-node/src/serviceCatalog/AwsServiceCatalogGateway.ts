import {
  DescribeRecordCommand,
  ProvisionProductCommand,
  RecordDetail,
  RecordOutput,
  SearchProvisionedProductsCommand,
  ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClientFactory, AwsLocation, callAws } from '../aws';
import { requiredField } from '../aws/awsErrors';
import {
  AwsTarget,
  ProvisionedStack,
  ProvisionProductRequest,
  ProvisionRecord,
  ProvisionRecordStatus,
  ServiceCatalogGateway,
} from './types';

/** SearchProvisionedProducts returns at most 100 per page. */
const SEARCH_PAGE_SIZE = 100;

/**
 * Service Catalog over AWS SDK v3, with clients from an
 * {@link AwsClientFactory}: per account and region, credentials from the
 * standard `aws` integration config, the endpoints of `ops.aws.endpoint`
 * and `ops.aws.endpoints.servicecatalog`, standard retries and timeouts.
 * A failed call is an {@link AwsCallError} naming it, e.g.
 * `servicecatalog:ProvisionProduct in 111122223333/eu-west-1 failed: ...`.
 *
 * @public
 */
export class AwsServiceCatalogGateway implements ServiceCatalogGateway {
  readonly implementation = 'aws' as const;
  private readonly clients: AwsClientFactory;

  static fromConfig(
    config: Config,
    options: { clients?: AwsClientFactory } = {},
  ): AwsServiceCatalogGateway {
    return new AwsServiceCatalogGateway({
      clients: options.clients ?? AwsClientFactory.fromConfig(config),
      defaultAccount: config.getOptionalString('ops.aws.accountId'),
      defaultRegion: config.getOptionalString('ops.aws.region'),
    });
  }

  /**
   * Takes the client factory to share, or a credentials manager to build
   * one with AWS's own endpoints.
   */
  constructor(
    private readonly options: (
      | { clients: AwsClientFactory }
      | { credentialsManager: AwsCredentialsManager }
    ) & {
      defaultAccount?: string;
      defaultRegion?: string;
    },
  ) {
    this.clients =
      'clients' in options
        ? options.clients
        : new AwsClientFactory({
            credentialsManager: options.credentialsManager,
          });
  }

  async provisionProduct(
    request: ProvisionProductRequest,
  ): Promise<ProvisionRecord> {
    // ProvisionToken makes a repeat of this call return the first record, so retries are safe.
    const { client, location } = await this.client(request);
    const operation = 'servicecatalog:ProvisionProduct';
    const response = await callAws(operation, location, () =>
      client.send(
        new ProvisionProductCommand({
          ProductId: request.productId,
          ProvisioningArtifactId: request.provisioningArtifactId,
          ProvisionedProductName: request.provisionedProductName,
          ProvisionToken: request.provisionToken,
          ProvisioningParameters: Object.entries(request.parameters).map(
            ([Key, Value]) => ({ Key, Value }),
          ),
          Tags: request.tags,
        }),
      ),
    );
    return toRecord(response.RecordDetail, [], operation, location);
  }

  async describeRecord(
    request: AwsTarget & { recordId: string },
  ): Promise<ProvisionRecord> {
    const { client, location } = await this.client(request);
    const operation = 'servicecatalog:DescribeRecord';
    let detail: RecordDetail | undefined;
    const outputs: RecordOutput[] = [];
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const page = await callAws(operation, location, () =>
        client.send(
          new DescribeRecordCommand({ Id: request.recordId, PageToken: token }),
        ),
      );
      detail = page.RecordDetail ?? detail;
      outputs.push(...(page.RecordOutputs ?? []));
      pageToken = page.NextPageToken;
    } while (pageToken);
    return toRecord(detail, outputs, operation, location);
  }

  async listProvisionedProducts(
    request: AwsTarget = {},
  ): Promise<ProvisionedStack[]> {
    const { client, location } = await this.client(request);
    const stacks: ProvisionedStack[] = [];
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const page = await callAws(
        'servicecatalog:SearchProvisionedProducts',
        location,
        () =>
          client.send(
            new SearchProvisionedProductsCommand({
              AccessLevelFilter: { Key: 'Account', Value: 'self' },
              PageSize: SEARCH_PAGE_SIZE,
              PageToken: token,
            }),
          ),
      );
      for (const p of page.ProvisionedProducts ?? []) {
        if (!p.Id || !p.Name) continue;
        stacks.push({
          provisionedProductId: p.Id,
          arn: p.Arn,
          name: p.Name,
          productId: p.ProductId,
          provisioningArtifactId: p.ProvisioningArtifactId,
          status: p.Status ?? 'UNKNOWN',
          lastRecordId: p.LastRecordId,
          createdAt: p.CreatedTime?.toISOString(),
          tags: (p.Tags ?? []).flatMap(t =>
            t.Key ? [{ Key: t.Key, Value: t.Value ?? '' }] : [],
          ),
          account: request.account ?? this.options.defaultAccount,
          region: request.region ?? this.options.defaultRegion,
          sandbox: false,
        });
      }
      pageToken = page.NextPageToken;
    } while (pageToken);
    return stacks;
  }

  /**
   * The client for the target, and where its calls go for error messages
   * (an empty account is the main account). The account is looked up in the
   * integration config first, so an account it has no way into fails before
   * any call.
   */
  private async client(
    target: AwsTarget,
  ): Promise<{ client: ServiceCatalogClient; location: AwsLocation }> {
    const account = target.account ?? this.options.defaultAccount;
    const region = target.region ?? this.options.defaultRegion;
    if (!region) {
      throw new InputError(
        'No AWS region for Service Catalog: set it on the change type (cloud-ops.io/aws-region) or in config ops.aws.region',
      );
    }
    await this.clients.credentialProvider(account);
    // Without an account, the integration's main account signs.
    return {
      client: this.clients.serviceCatalog({ account, region }),
      location: { account: account ?? '', region },
    };
  }
}

function toRecord(
  answered: RecordDetail | undefined,
  outputs: RecordOutput[],
  operation: string,
  location: AwsLocation,
): ProvisionRecord {
  const detail = answered ?? {};
  const recordId = requiredField(
    detail.RecordId,
    'RecordDetail.RecordId',
    operation,
    location,
  );
  return {
    recordId,
    provisionedProductId: detail.ProvisionedProductId ?? '',
    provisionedProductName: detail.ProvisionedProductName ?? '',
    status: (detail.Status ?? 'CREATED') as ProvisionRecordStatus,
    errors: (detail.RecordErrors ?? []).map(e =>
      [e.Code, e.Description].filter(Boolean).join(': '),
    ),
    outputs: Object.fromEntries(
      outputs.flatMap(o =>
        o.OutputKey ? [[o.OutputKey, o.OutputValue ?? '']] : [],
      ),
    ),
    sandbox: false,
  };
}
