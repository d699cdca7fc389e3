import {
  DescribeRecordCommand,
  ProvisionProductCommand,
  SearchProvisionedProductsCommand,
  ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsServiceCatalogGateway } from './AwsServiceCatalogGateway';

const sc = mockClient(ServiceCatalogClient);

const credentialsManager = {
  getCredentialProvider: jest.fn(async () => ({
    sdkCredentialProvider: async () => ({
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
    }),
  })),
};

const request = {
  productId: 'prod-abcd1234',
  provisioningArtifactId: 'pa-abcd1234',
  provisionedProductName: 'storefront-web',
  provisionToken: 'ops-RFC-000042',
  parameters: { InstanceType: 't3.small' },
  tags: [{ Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' }],
  account: '444455556666',
  region: 'us-east-1',
};

describe('AwsServiceCatalogGateway', () => {
  beforeEach(() => {
    sc.reset();
    credentialsManager.getCredentialProvider.mockClear();
  });

  const gateway = () =>
    new AwsServiceCatalogGateway({
      credentialsManager,
      defaultRegion: 'eu-west-1',
    });

  it('provisions with the exact input and returns the same record on a retry with the same token', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: {
        RecordId: 'rec-1',
        ProvisionedProductId: 'pp-1',
        ProvisionedProductName: 'storefront-web',
        Status: 'CREATED',
      },
    });
    const g = gateway();
    const first = await g.provisionProduct(request);
    const retry = await g.provisionProduct(request);

    expect(first).toEqual(retry);
    expect(first).toMatchObject({
      recordId: 'rec-1',
      provisionedProductId: 'pp-1',
      status: 'CREATED',
      sandbox: false,
    });
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 2);
    const expected = {
      ProductId: 'prod-abcd1234',
      ProvisioningArtifactId: 'pa-abcd1234',
      ProvisionedProductName: 'storefront-web',
      ProvisionToken: 'ops-RFC-000042',
      ProvisioningParameters: [{ Key: 'InstanceType', Value: 't3.small' }],
      Tags: [{ Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' }],
    };
    expect(
      sc.commandCalls(ProvisionProductCommand).map(c => c.args[0].input),
    ).toEqual([expected, expected]);
    // One client per account and region, the account looked up once.
    const [client, again] = sc.send.thisValues as ServiceCatalogClient[];
    expect(again).toBe(client);
    expect(await client.config.region()).toBe('us-east-1');
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledTimes(1);
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledWith({
      accountId: '444455556666',
    });
  });

  it('follows DescribeRecord pages for the outputs and reports AWS errors', async () => {
    sc.on(DescribeRecordCommand, { Id: 'rec-1', PageToken: undefined })
      .resolves({
        RecordDetail: {
          RecordId: 'rec-1',
          ProvisionedProductId: 'pp-1',
          Status: 'FAILED',
          RecordErrors: [
            { Code: 'CFN', Description: 'Subnet subnet-1 does not exist' },
          ],
        },
        RecordOutputs: [{ OutputKey: 'A', OutputValue: '1' }],
        NextPageToken: 'p2',
      })
      .on(DescribeRecordCommand, { Id: 'rec-1', PageToken: 'p2' })
      .resolves({ RecordOutputs: [{ OutputKey: 'B', OutputValue: '2' }] });

    const record = await gateway().describeRecord({ recordId: 'rec-1' });

    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 2);
    expect(record.status).toBe('FAILED');
    expect(record.errors).toEqual(['CFN: Subnet subnet-1 does not exist']);
    expect(record.outputs).toEqual({ A: '1', B: '2' });
  });

  it('lists provisioned products page by page at the API limit', async () => {
    sc.on(SearchProvisionedProductsCommand, { PageToken: undefined })
      .resolves({
        ProvisionedProducts: [
          {
            Id: 'pp-1',
            Arn: 'arn:aws:servicecatalog:eu-west-1:123456789012:stack/one/pp-1',
            Name: 'one',
            Status: 'AVAILABLE',
            Tags: [{ Key: 'k', Value: 'v' }],
          },
        ],
        NextPageToken: 'next',
      })
      .on(SearchProvisionedProductsCommand, { PageToken: 'next' })
      .resolves({ ProvisionedProducts: [{ Id: 'pp-2', Name: 'two' }] });

    const stacks = await gateway().listProvisionedProducts();

    expect(stacks.map(s => s.provisionedProductId)).toEqual(['pp-1', 'pp-2']);
    expect(stacks[0].tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(stacks[0].arn).toBe(
      'arn:aws:servicecatalog:eu-west-1:123456789012:stack/one/pp-1',
    );
    expect(sc).toHaveReceivedCommandTimes(SearchProvisionedProductsCommand, 2);
    expect(
      sc
        .commandCalls(SearchProvisionedProductsCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      { AccessLevelFilter: { Key: 'Account', Value: 'self' }, PageSize: 100 },
      {
        AccessLevelFilter: { Key: 'Account', Value: 'self' },
        PageSize: 100,
        PageToken: 'next',
      },
    ]);
  });

  it('asks for a region when neither the change type nor config names one', async () => {
    const g = new AwsServiceCatalogGateway({ credentialsManager });
    await expect(
      g.provisionProduct({ ...request, region: undefined }),
    ).rejects.toThrow(/ops\.aws\.region/);
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 0);
  });
});
