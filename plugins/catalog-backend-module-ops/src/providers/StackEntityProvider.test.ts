import {
  SearchProvisionedProductsCommand,
  ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';
import { mockServices } from '@backstage/backend-test-utils';
import {
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  AwsServiceCatalogGateway,
  SANDBOX_FAILURE_PARAMETER,
  SANDBOX_PRODUCTS,
  SandboxServiceCatalogGateway,
} from '@cloud-ops/plugin-ops-node';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { StackEntityProvider } from './StackEntityProvider';

const sc = mockClient(ServiceCatalogClient);

const credentialsManager = {
  getCredentialProvider: jest.fn(async () => ({
    sdkCredentialProvider: async () => ({
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
    }),
  })),
};

/** Runs the provider's task when the test says so, as the scheduler would. */
class ManualTaskRunner implements SchedulerServiceTaskRunner {
  task?: SchedulerServiceTaskInvocationDefinition;
  async run(task: SchedulerServiceTaskInvocationDefinition) {
    this.task = task;
  }
  async tick() {
    await this.task!.fn(new AbortController().signal);
  }
}

const target = { accountId: '123456789012', region: 'eu-west-1' };
const location = 'ops-stacks:123456789012/eu-west-1';

function suiteTags(owner: string, component: string, rfc: string) {
  return [
    { Key: 'cloud-ops.io/owner', Value: owner },
    { Key: 'cloud-ops.io/entity-ref', Value: component },
    { Key: 'cloud-ops.io/rfc', Value: rfc },
    { Key: 'cost-center', Value: 'CC-1001' },
  ];
}

function setup(
  gateway: AwsServiceCatalogGateway | SandboxServiceCatalogGateway,
  extra: Partial<ConstructorParameters<typeof StackEntityProvider>[0]> = {},
) {
  const logger = mockServices.logger.mock();
  const taskRunner = new ManualTaskRunner();
  const connection = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
  const provider = new StackEntityProvider({
    target,
    gateway,
    logger,
    taskRunner,
    fallbackOwner: 'group:default/central-it',
    ...extra,
  });
  return { provider, logger, taskRunner, connection };
}

const awsGateway = () => new AwsServiceCatalogGateway({ credentialsManager });

describe('StackEntityProvider with the aws gateway', () => {
  beforeEach(() => {
    sc.reset();
    credentialsManager.getCredentialProvider.mockClear();
  });

  it('follows every page of SearchProvisionedProducts and emits one full mutation', async () => {
    sc.on(SearchProvisionedProductsCommand, { PageToken: undefined })
      .resolves({
        ProvisionedProducts: [
          {
            Id: 'pp-1',
            Name: 'storefront-web',
            Arn: 'arn:aws:servicecatalog:eu-west-1:123456789012:stack/storefront-web/pp-1',
            ProductId: 'prod-1',
            Status: 'AVAILABLE',
            Tags: suiteTags(
              'group:default/web',
              'component:default/storefront',
              'RFC-000001',
            ),
          },
        ],
        NextPageToken: 'page-2',
      })
      .on(SearchProvisionedProductsCommand, { PageToken: 'page-2' })
      .resolves({
        ProvisionedProducts: [
          {
            Id: 'pp-2',
            Name: 'ledger-db',
            Status: 'UNDER_CHANGE',
            Tags: suiteTags(
              'payments',
              'component:default/payments-ledger',
              'RFC-000002',
            ),
          },
          // Failed provisioning is no stack.
          {
            Id: 'pp-3',
            Name: 'broken',
            Status: 'ERROR',
            Tags: suiteTags('web', 'storefront', 'RFC-000003'),
          },
        ],
        NextPageToken: 'page-3',
      })
      .on(SearchProvisionedProductsCommand, { PageToken: 'page-3' })
      .resolves({
        ProvisionedProducts: [
          {
            Id: 'pp-4',
            Name: 'search-cache',
            Status: 'AVAILABLE',
            Tags: suiteTags('web', 'catalog-search', 'RFC-000004'),
          },
        ],
      });
    const { provider, taskRunner, connection } = setup(awsGateway());
    await provider.connect(connection);
    await taskRunner.tick();

    expect(sc.calls()).toHaveLength(3);
    expect(
      sc
        .commandCalls(SearchProvisionedProductsCommand)
        .map(c => c.args[0].input.PageToken),
    ).toEqual([undefined, 'page-2', 'page-3']);
    expect(
      sc.commandCalls(SearchProvisionedProductsCommand)[0].args[0].input,
    ).toEqual({
      AccessLevelFilter: { Key: 'Account', Value: 'self' },
      PageSize: 100,
    });
    // Clients are built for the configured account.
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledWith({
      accountId: '123456789012',
    });

    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const mutation = connection.applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    expect(
      mutation.entities.map((e: any) => [
        e.entity.metadata.name,
        e.locationKey,
      ]),
    ).toEqual([
      ['storefront-web', location],
      ['ledger-db', location],
      ['search-cache', location],
    ]);
    expect(mutation.entities[1].entity.spec.owner).toBe(
      'group:default/payments',
    );
  });

  it('gives stacks with unknown owners to the fallback owner, says so on the entity and logs it once', async () => {
    sc.on(SearchProvisionedProductsCommand).resolves({
      ProvisionedProducts: [
        {
          Id: 'pp-9',
          Name: 'orphan',
          Status: 'AVAILABLE',
          Tags: suiteTags('Payments Team', 'payments-api', 'RFC-000009'),
        },
        {
          Id: 'pp-10',
          Name: 'untagged',
          Status: 'AVAILABLE',
          Tags: [{ Key: 'cost-center', Value: 'CC-1001' }],
        },
      ],
    });
    const { provider, taskRunner, connection, logger } = setup(awsGateway());
    await provider.connect(connection);
    await taskRunner.tick();
    await taskRunner.tick();

    expect(sc).toHaveReceivedCommandTimes(SearchProvisionedProductsCommand, 2);
    const [first, second] = connection.applyMutation.mock.calls;
    expect(second).toEqual(first);
    const [orphan, untagged] = first[0].entities.map((e: any) => e.entity);
    expect(orphan.spec.owner).toBe('group:default/central-it');
    expect(orphan.metadata.annotations['cloud-ops.io/owner-fallback']).toBe(
      'AWS tag cloud-ops.io/owner is "Payments Team", not a group reference; owned by the fallback owner group:default/central-it',
    );
    // Drift names the owner AWS has and the one the catalog shows.
    expect(orphan.metadata.annotations['cloud-ops.io/tag-drift']).toBe(
      '1 difference: Tag "cloud-ops.io/owner" is "Payments Team" in AWS but "group:default/central-it" on the entity',
    );
    expect(untagged.spec.owner).toBe('group:default/central-it');
    expect(untagged.metadata.annotations['cloud-ops.io/owner-fallback']).toBe(
      'No AWS tag cloud-ops.io/owner; owned by the fallback owner group:default/central-it',
    );

    const warnings = logger.warn.mock.calls.map(c => c[0]);
    expect(
      warnings.filter(w => w.includes('resource:default/orphan:')),
    ).toEqual([
      'Stack resource:default/orphan: AWS tag cloud-ops.io/owner is "Payments Team", not a group reference; owned by the fallback owner group:default/central-it',
    ]);
    expect(
      warnings.filter(w => w.includes('resource:default/untagged:')),
    ).toHaveLength(1);
  });

  it('reads owner and system from configured tags and reports drift against the tag policy', async () => {
    sc.on(SearchProvisionedProductsCommand).resolves({
      ProvisionedProducts: [
        {
          Id: 'pp-5',
          Name: 'shop-cache',
          Status: 'AVAILABLE',
          Tags: [
            { Key: 'team', Value: 'web' },
            { Key: 'system', Value: 'online-store' },
            { Key: 'cost-center', Value: 'marketing' },
            { Key: 'aws:cloudformation:stack-name', Value: 'SC-1' },
            { Key: 'Cost Owner', Value: 'ana' },
          ],
        },
      ],
    });
    const { provider, taskRunner, connection, logger } = setup(awsGateway(), {
      ownerTag: 'team',
      systemTag: 'system',
      tagPolicy: {
        rules: [
          {
            kind: 'Resource',
            type: 'stack',
            severity: 'warning',
            required: ['cost-center', 'environment'],
            keys: { 'cost-center': { pattern: 'CC-[0-9]{4}' } },
          },
        ],
      },
    });
    await provider.connect(connection);
    await taskRunner.tick();

    const { entity } = connection.applyMutation.mock.calls[0][0].entities[0];
    expect(entity.spec).toEqual({
      type: 'stack',
      owner: 'group:default/web',
      system: 'online-store',
      dependencyOf: [],
    });
    expect(entity.metadata.annotations).not.toHaveProperty(
      'cloud-ops.io/owner-fallback',
    );
    expect(entity.metadata.annotations['cloud-ops.io/tag-drift']).toBe(
      '3 differences: ' +
        'AWS tag "environment" is required by the tag policy but missing on the stack; ' +
        'AWS tag "cost-center" is "marketing", which does not match ^(?:CC-[0-9]{4})$; ' +
        'AWS tag key "Cost Owner" cannot be carried on an entity: use 1-63 letters, digits, "-", "_" or "."',
    );
    expect(logger.warn).toHaveBeenCalledWith(
      `Stack resource:default/shop-cache tag drift: ${entity.metadata.annotations['cloud-ops.io/tag-drift']}`,
    );
  });

  it('applies nothing when AWS cannot be read, so the last good stacks stay', async () => {
    sc.on(SearchProvisionedProductsCommand, { PageToken: undefined })
      .resolves({
        ProvisionedProducts: [
          { Id: 'pp-1', Name: 'one', Status: 'AVAILABLE', Tags: [] },
        ],
        NextPageToken: 'page-2',
      })
      .on(SearchProvisionedProductsCommand, { PageToken: 'page-2' })
      .rejects(new Error('AccessDeniedException: not authorized'));
    const { provider, taskRunner, connection } = setup(awsGateway());
    await provider.connect(connection);

    await expect(taskRunner.tick()).rejects.toThrow(/not authorized/);
    expect(sc).toHaveReceivedCommandTimes(SearchProvisionedProductsCommand, 2);
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });
});

describe('StackEntityProvider with the sandbox gateway', () => {
  const ec2 = SANDBOX_PRODUCTS[0];
  const provision = (
    g: SandboxServiceCatalogGateway,
    name: string,
    extra: Partial<
      Parameters<SandboxServiceCatalogGateway['provisionProduct']>[0]
    > = {},
  ) =>
    g.provisionProduct({
      productId: ec2.productId,
      provisioningArtifactId: ec2.provisioningArtifactId,
      provisionedProductName: name,
      provisionToken: `ops-${name}`,
      parameters: { InstanceType: 't3.small' },
      tags: [
        ...suiteTags(
          'group:default/web',
          'component:default/storefront',
          'RFC-000042',
        ),
        { Key: 'environment', Value: 'dev' },
      ],
      ...extra,
    });

  it('emits the full mutation of the sandbox stacks of its account and region', async () => {
    let now = 1_000_000;
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 1000,
      now: () => now,
      defaultAccount: target.accountId,
      defaultRegion: target.region,
    });
    const record = await provision(gateway, 'shop-1');
    await provision(gateway, 'elsewhere', { region: 'us-east-1' });
    await provision(gateway, 'failing', {
      parameters: {
        InstanceType: 't3.small',
        [SANDBOX_FAILURE_PARAMETER]: 'Subnet is full',
      },
    });
    now += 1000;
    const { provider, taskRunner, connection } = setup(gateway);
    await provider.connect(connection);
    expect(connection.applyMutation).not.toHaveBeenCalled();
    await taskRunner.tick();

    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: location,
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: 'shop-1',
              title: 'shop-1 (sandbox)',
              description:
                'Stack provisioned from Service Catalog product prod-sandboxec2linux in the sandbox account.',
              annotations: {
                'backstage.io/managed-by-location': location,
                'backstage.io/managed-by-origin-location': location,
                'cloud-ops.io/provisioned-product-id':
                  record.provisionedProductId,
                'cloud-ops.io/rfc': 'RFC-000042',
                'cloud-ops.io/aws-account': '123456789012',
                'cloud-ops.io/aws-region': 'eu-west-1',
                'cloud-ops.io/aws-tag-selector': `aws:servicecatalog:provisionedProductArn=arn:aws:servicecatalog:eu-west-1:123456789012:stack/shop-1/${record.provisionedProductId}`,
                'cloud-ops.io/sandbox': 'true',
                'tags.cloud-ops.io/cost-center': 'CC-1001',
                'tags.cloud-ops.io/environment': 'dev',
              },
              tags: ['stack', 'sandbox'],
            },
            spec: {
              type: 'stack',
              owner: 'group:default/web',
              dependencyOf: ['component:default/storefront'],
            },
          },
        },
      ],
    });
  });

  it('picks up a stack provisioned after it started on its next run', async () => {
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 0,
      defaultAccount: target.accountId,
      defaultRegion: target.region,
    });
    const { provider, taskRunner, connection } = setup(gateway);
    await provider.connect(connection);
    await taskRunner.tick();
    await provision(gateway, 'late-stack');
    await taskRunner.tick();

    const names = connection.applyMutation.mock.calls.map(([m]) =>
      m.entities.map((e: any) => e.entity.metadata.name),
    );
    expect(names).toEqual([[], ['late-stack']]);
  });

  it('reads its stacks at once when an execution provisioned one, without waiting for its schedule', async () => {
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 0,
      defaultAccount: target.accountId,
      defaultRegion: target.region,
    });
    const events = mockServices.events.mock();
    const { provider, connection } = setup(gateway, { events });
    await provider.connect(connection);
    expect(events.subscribe).toHaveBeenCalledWith(
      expect.objectContaining({ topics: ['cloud-ops.stack.provisioned'] }),
    );
    await provision(gateway, 'fresh-stack');
    const { onEvent } = events.subscribe.mock.calls[0][0];
    await onEvent({
      topic: 'cloud-ops.stack.provisioned',
      eventPayload: { provisionedProductId: 'pp-1' },
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    expect(
      connection.applyMutation.mock.calls[0][0].entities.map(
        (e: any) => e.entity.metadata.name,
      ),
    ).toEqual(['fresh-stack']);
  });

  it('tells two products of one name apart', async () => {
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 0,
      defaultAccount: target.accountId,
      defaultRegion: target.region,
    });
    await provision(gateway, 'twin');
    const second = await provision(gateway, 'twin', {
      provisionToken: 'ops-twin-2',
    });
    const { provider, taskRunner, connection } = setup(gateway);
    await provider.connect(connection);
    await taskRunner.tick();

    expect(
      connection.applyMutation.mock.calls[0][0].entities.map(
        (e: any) => e.entity.metadata.name,
      ),
    ).toEqual(['twin', `twin-${second.provisionedProductId}`]);
  });
});

describe('StackEntityProvider.fromConfig', () => {
  const deps = (implementation: 'aws' | 'sandbox') => {
    const scheduler = mockServices.scheduler.mock();
    return {
      logger: mockServices.logger.mock(),
      scheduler,
      gateway:
        implementation === 'aws'
          ? awsGateway()
          : new SandboxServiceCatalogGateway(),
    };
  };

  it('reads the sandbox account every 10 seconds when nothing is configured', () => {
    const d = deps('sandbox');
    const providers = StackEntityProvider.fromConfig(
      new ConfigReader({
        ops: { centralIt: { group: 'group:default/central-it' } },
      }),
      d,
    );
    expect(providers.map(p => p.getProviderName())).toEqual([
      'StackEntityProvider:000000000000/eu-west-1',
    ]);
    expect(d.scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { seconds: 10 },
      timeout: { minutes: 1 },
      initialDelay: { seconds: 5 },
    });
  });

  it('makes one provider per configured account with its schedule', () => {
    const d = deps('aws');
    const providers = StackEntityProvider.fromConfig(
      new ConfigReader({
        ops: { aws: { region: 'eu-west-1' } },
        catalog: {
          providers: {
            opsStacks: {
              fallbackOwner: 'group:default/platform',
              accounts: [
                { accountId: '111111111111' },
                { accountId: '222222222222', region: 'us-east-1' },
              ],
              schedule: { frequency: { minutes: 30 }, timeout: { minutes: 3 } },
            },
          },
        },
      }),
      d,
    );
    expect(providers.map(p => p.getProviderName())).toEqual([
      'StackEntityProvider:111111111111/eu-west-1',
      'StackEntityProvider:222222222222/us-east-1',
    ]);
    expect(d.scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 30 },
      timeout: { minutes: 3 },
    });
  });

  it('reads nothing from AWS without an account, and says so', () => {
    const d = deps('aws');
    expect(
      StackEntityProvider.fromConfig(
        new ConfigReader({ ops: { centralIt: { group: 'group:default/x' } } }),
        d,
      ),
    ).toEqual([]);
    expect(d.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog.providers.opsStacks.accounts'),
    );
  });

  it.each([
    [
      { accounts: [{ accountId: '1234', region: 'eu-west-1' }] },
      /"1234" is not a 12-digit AWS account id/,
    ],
    [
      { accounts: [{ accountId: '123456789012', region: 'Ireland' }] },
      /"Ireland" is not an AWS region/,
    ],
  ])('refuses wrong accounts: %j', (opsStacks, message) => {
    expect(() =>
      StackEntityProvider.fromConfig(
        new ConfigReader({
          ops: { centralIt: { group: 'group:default/central-it' } },
          catalog: { providers: { opsStacks } },
        }),
        deps('aws'),
      ),
    ).toThrow(message);
  });

  it('refuses a fallback owner that is not a group', () => {
    expect(() =>
      StackEntityProvider.fromConfig(
        new ConfigReader({
          catalog: {
            providers: { opsStacks: { fallbackOwner: 'user:default/omar' } },
          },
        }),
        deps('sandbox'),
      ),
    ).toThrow(/must be a group ref.*"user:default\/omar"/);
  });

  it('needs a fallback owner', () => {
    expect(() =>
      StackEntityProvider.fromConfig(new ConfigReader({}), deps('sandbox')),
    ).toThrow(/fallbackOwner or ops\.centralIt\.group/);
  });
});
