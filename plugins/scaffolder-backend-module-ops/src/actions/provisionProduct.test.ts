import {
  DescribeRecordCommand,
  RecordStatus,
  ProvisionProductCommand,
  ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';
import {
  AwsServiceCatalogGateway,
  SANDBOX_FAILURE_PARAMETER,
  SandboxServiceCatalogGateway,
  ServiceCatalogGateway,
} from '@cloud-ops/plugin-ops-node';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { actionContext } from '../__testUtils__/context';
import {
  createServiceCatalogProvisionAction,
  provisionTokenFor,
} from './provisionProduct';
import { examples } from './provisionProduct.examples';

const sc = mockClient(ServiceCatalogClient);

const awsGateway = () =>
  new AwsServiceCatalogGateway({
    credentialsManager: {
      getCredentialProvider: async () => ({
        sdkCredentialProvider: async () => ({
          accessKeyId: 'AKIA',
          secretAccessKey: 's',
        }),
      }),
    },
    defaultRegion: 'eu-west-1',
  });

const input = {
  rfcId: 'RFC-000042',
  productId: 'prod-abcd1234',
  provisioningArtifactId: 'pa-abcd1234',
  provisionedProductName: 'storefront-dev-app',
  parameters: { InstanceType: 't3.small', Count: 2 },
  owner: 'group:default/web',
  entityRef: 'component:default/storefront',
  costCenter: 'CC-1001',
  environment: 'dev',
};

const expectedProvision = {
  ProductId: 'prod-abcd1234',
  ProvisioningArtifactId: 'pa-abcd1234',
  ProvisionedProductName: 'storefront-dev-app',
  ProvisionToken: 'ops-RFC-000042-provision',
  ProvisioningParameters: [
    { Key: 'InstanceType', Value: 't3.small' },
    { Key: 'Count', Value: '2' },
  ],
  Tags: [
    { Key: 'cloud-ops.io/entity-ref', Value: 'component:default/storefront' },
    { Key: 'cloud-ops.io/owner', Value: 'group:default/web' },
    { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
    { Key: 'cost-center', Value: 'CC-1001' },
    { Key: 'environment', Value: 'dev' },
  ],
};

function action(gateway: ServiceCatalogGateway, sleeps: number[] = []) {
  return createServiceCatalogProvisionAction({
    gateway,
    timeoutMs: 60_000,
    pollIntervalMs: 1_000,
    sleep: async ms => {
      sleeps.push(ms);
    },
  });
}

const detail = (Status: RecordStatus) => ({
  RecordId: 'rec-1',
  ProvisionedProductId: 'pp-1',
  ProvisionedProductName: 'storefront-dev-app',
  Status,
});

describe('aws:servicecatalog:provision', () => {
  beforeEach(() => sc.reset());

  it('provisions with a token from the RFC and the stack tags, polls DescribeRecord and outputs the stack outputs', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand)
      .resolvesOnce({ RecordDetail: detail('IN_PROGRESS') })
      .resolves({
        RecordDetail: detail('SUCCEEDED'),
        RecordOutputs: [{ OutputKey: 'InstanceId', OutputValue: 'i-0abc' }],
      });
    const sleeps: number[] = [];
    const ctx = actionContext(input, { stepId: 'provision' });
    await action(awsGateway(), sleeps).handler(ctx as any);

    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 1);
    expect(sc.commandCalls(ProvisionProductCommand)[0].args[0].input).toEqual(
      expectedProvision,
    );
    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 2);
    expect(
      sc.commandCalls(DescribeRecordCommand).map(c => c.args[0].input),
    ).toEqual([{ Id: 'rec-1' }, { Id: 'rec-1' }]);
    expect(sleeps).toEqual([1_000]);
    expect(ctx.output).toHaveBeenCalledWith('recordId', 'rec-1');
    expect(ctx.output).toHaveBeenCalledWith('provisionedProductId', 'pp-1');
    expect(ctx.output).toHaveBeenCalledWith('outputs', {
      InstanceId: 'i-0abc',
    });
    expect(ctx.output).toHaveBeenCalledWith('sandbox', false);
    expect(ctx.logs).toContain('Record rec-1 is IN_PROGRESS');
    expect(ctx.logs).toContain('Record rec-1 is SUCCEEDED');
  });

  it('sends the same ProvisionToken when a retried task provisions again, and none when resumed from its checkpoint', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('SUCCEEDED'),
    });
    const gateway = awsGateway();

    // A retry that lost its checkpoints calls AWS again with the same token,
    // which AWS answers with the record it already has.
    await action(gateway).handler(
      actionContext(input, { stepId: 'provision' }) as any,
    );
    await action(gateway).handler(
      actionContext(input, { stepId: 'provision' }) as any,
    );
    const tokens = sc
      .commandCalls(ProvisionProductCommand)
      .map(c => c.args[0].input.ProvisionToken);
    expect(tokens).toEqual([
      'ops-RFC-000042-provision',
      'ops-RFC-000042-provision',
    ]);

    // A resumed task with its checkpoint does not call ProvisionProduct at all.
    sc.resetHistory();
    const checkpoints = new Map();
    await action(gateway).handler(
      actionContext(input, { stepId: 'provision', checkpoints }) as any,
    );
    await action(gateway).handler(
      actionContext(input, { stepId: 'provision', checkpoints }) as any,
    );
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 1);
    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 2);
  });

  it("fails the step with AWS's message when the record fails", async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: {
        ...detail('FAILED'),
        RecordErrors: [
          {
            Code: 'ROLLBACK_COMPLETE',
            Description: 'Subnet subnet-1 does not exist',
          },
        ],
      },
    });
    const ctx = actionContext(input, { stepId: 'provision' });
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      'Provisioning storefront-dev-app failed: ROLLBACK_COMPLETE: Subnet subnet-1 does not exist',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('refuses a reserved or malformed tag key before calling AWS', async () => {
    const ctx = actionContext(
      { ...input, tags: { 'cloud-ops.io/owner': 'group:default/payments' } },
      { stepId: 'provision' },
    );
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      /Tag key "cloud-ops.io\/owner" is not allowed/,
    );
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 0);
  });

  it('stops waiting at the timeout and says the retry resumes the record', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('IN_PROGRESS'),
    });
    let clock = 0;
    const a = createServiceCatalogProvisionAction({
      gateway: awsGateway(),
      timeoutMs: 3_000,
      pollIntervalMs: 1_000,
      now: () => clock,
      sleep: async ms => {
        clock += ms;
      },
    });
    await expect(
      a.handler(actionContext(input, { stepId: 'provision' }) as any),
    ).rejects.toThrow(
      /record rec-1 is still IN_PROGRESS. Retrying the task resumes the same record/,
    );
    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 4);
  });

  it('stops polling when the task is cancelled', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('IN_PROGRESS'),
    });
    const controller = new AbortController();
    const a = createServiceCatalogProvisionAction({
      gateway: awsGateway(),
      timeoutMs: 60_000,
      pollIntervalMs: 1_000,
      sleep: async () => controller.abort(),
    });
    await expect(
      a.handler(
        actionContext(input, {
          stepId: 'provision',
          signal: controller.signal,
        }) as any,
      ),
    ).rejects.toThrow(/the task was cancelled; record rec-1 was IN_PROGRESS/);
    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 1);
  });

  it('makes no AWS call in a dry run', async () => {
    const ctx = actionContext(input, { isDryRun: true });
    await action(awsGateway()).handler(ctx as any);
    expect(sc.calls()).toHaveLength(0);
    expect(ctx.output).toHaveBeenCalledWith('recordId', 'rec-dry-run');
  });

  it('provisions in the sandbox and labels the result as sandbox', async () => {
    let clock = 0;
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 2_000,
      now: () => clock,
    });
    const ctx = actionContext(
      {
        ...input,
        productId: 'prod-sandboxec2linux',
        provisioningArtifactId: 'pa-sandboxec2linuxv1',
      },
      { stepId: 'provision' },
    );
    await createServiceCatalogProvisionAction({
      gateway,
      timeoutMs: 10_000,
      pollIntervalMs: 1_000,
      now: () => clock,
      sleep: async ms => {
        clock += ms;
      },
    }).handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('sandbox', true);
    const [stack] = await gateway.listProvisionedProducts();
    expect(stack.tags).toEqual(expectedProvision.Tags);
    expect(stack.status).toBe('AVAILABLE');
  });

  it('fails in the sandbox with the injected message', async () => {
    const gateway = new SandboxServiceCatalogGateway({ provisionDelayMs: 0 });
    const ctx = actionContext(
      {
        ...input,
        productId: 'prod-sandboxec2linux',
        provisioningArtifactId: 'pa-sandboxec2linuxv1',
        parameters: {
          InstanceType: 't3.small',
          [SANDBOX_FAILURE_PARAMETER]: 'Insufficient capacity',
        },
      },
      { stepId: 'provision' },
    );
    await expect(action(gateway).handler(ctx as any)).rejects.toThrow(
      'Provisioning storefront-dev-app failed: Insufficient capacity',
    );
  });

  it('derives a token AWS accepts from any step id', () => {
    expect(provisionTokenFor('RFC-000001', 'make stack!')).toBe(
      'ops-RFC-000001-make_stack_',
    );
    expect(provisionTokenFor('RFC-000001', 'x'.repeat(200))).toHaveLength(128);
  });

  it.each(examples.map(e => [e.description, e.step] as const))(
    'runs the example: %s',
    async (_description, step) => {
      const gateway = new SandboxServiceCatalogGateway({ provisionDelayMs: 0 });
      const rfcId = String(step.input.rfcId).replace(
        '${{ steps.rfc.output.rfcId }}',
        'RFC-000123',
      );
      const ctx = actionContext({ ...step.input, rfcId }, { stepId: step.id });
      await action(gateway).handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'provisionedProductName',
        step.input.provisionedProductName,
      );
      const [stack] = await gateway.listProvisionedProducts();
      expect(stack.tags).toContainEqual({
        Key: 'cloud-ops.io/rfc',
        Value: rfcId,
      });
    },
  );
});
