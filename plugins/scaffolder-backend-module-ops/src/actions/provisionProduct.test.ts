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
import { FakeOpsExecutions, TARGET } from '../__testUtils__/executions';
import { createServiceCatalogProvisionAction } from './provisionProduct';
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
  provisionedProductName: 'storefront-dev-app',
  parameters: { InstanceType: 't3.small', Count: 2 },
  costCenter: 'CC-1001',
  environment: 'dev',
};

const SANDBOX_BINDING = {
  templateRef: 'template:default/ec2-linux-stack',
  serviceCatalog: {
    productId: 'prod-sandboxec2linux',
    provisioningArtifactId: 'pa-sandboxec2linuxv1',
  },
};

const BINDING = {
  templateRef: 'template:default/ec2-linux-stack',
  serviceCatalog: {
    productId: 'prod-abcd1234',
    provisioningArtifactId: 'pa-abcd1234',
  },
};

const expectedProvision = {
  ProductId: 'prod-abcd1234',
  ProvisioningArtifactId: 'pa-abcd1234',
  ProvisionedProductName: 'storefront-dev-app',
  ProvisionToken: 'ops-RFC-000101-a1',
  ProvisioningParameters: [
    { Key: 'InstanceType', Value: 't3.small' },
    { Key: 'Count', Value: '2' },
  ],
  Tags: [
    { Key: 'cloud-ops.io/entity-ref', Value: TARGET.entityRef },
    { Key: 'cloud-ops.io/owner', Value: TARGET.ownerGroup },
    { Key: 'cloud-ops.io/rfc', Value: 'RFC-000101' },
    { Key: 'cost-center', Value: 'CC-1001' },
    { Key: 'environment', Value: 'dev' },
  ],
};

let executions: FakeOpsExecutions;

function action(
  gateway: ServiceCatalogGateway,
  options: {
    sleeps?: number[];
    now?: () => number;
    timeoutMs?: number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
) {
  return createServiceCatalogProvisionAction({
    gateway,
    guard: executions.guard,
    timeoutMs: options.timeoutMs ?? 60_000,
    pollIntervalMs: 1_000,
    now: options.now,
    sleep:
      options.sleep ??
      (async ms => {
        options.sleeps?.push(ms);
      }),
  });
}

/** A step in the execution run of a fresh approved RFC. */
function step(
  stepInput: Record<string, unknown> = input,
  options: {
    checkpoints?: Map<string, unknown>;
    attempt?: number;
    signal?: AbortSignal;
    secrets?: Record<string, string>;
    binding?: typeof BINDING | { templateRef: string };
  } = {},
) {
  const { secrets } = executions.start({
    attempt: options.attempt,
    binding: options.binding ?? BINDING,
  });
  const ctx = actionContext(stepInput, {
    stepId: 'provision',
    checkpoints: options.checkpoints,
    signal: options.signal,
  });
  return Object.assign(ctx, { secrets: options.secrets ?? secrets });
}

const detail = (Status: RecordStatus) => ({
  RecordId: 'rec-1',
  ProvisionedProductId: 'pp-1',
  ProvisionedProductName: 'storefront-dev-app',
  Status,
});

describe('aws:servicecatalog:provision', () => {
  beforeEach(() => {
    sc.reset();
    executions = new FakeOpsExecutions();
  });

  it('refuses to run outside an execution and provisions nothing', async () => {
    const ctx = actionContext(input, { stepId: 'provision' });
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      /acts only inside the execution of an approved RFC/,
    );
    const forged = Object.assign(actionContext(input), {
      secrets: {
        opsExecution: JSON.stringify({ rfcId: 'RFC-000101', secret: 'guess' }),
      },
    });
    executions.start({ binding: BINDING });
    await expect(action(awsGateway()).handler(forged as any)).rejects.toThrow(
      /403/,
    );
    expect(sc.calls()).toHaveLength(0);
  });

  it('takes the product from the pinned binding and the owner, component, account and region from the RFC', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('SUCCEEDED'),
    });
    const { secrets } = executions.start({
      binding: BINDING,
      target: { account: '444455556666', region: 'us-east-1' },
    });
    // Inputs a crafted template might try: the action has no such inputs.
    const ctx = Object.assign(
      actionContext({ ...input }, { stepId: 'provision' }),
      { secrets },
    );
    await action(awsGateway()).handler(ctx as any);
    const sent = sc.commandCalls(ProvisionProductCommand)[0];
    expect(sent.args[0].input).toMatchObject({
      ProductId: 'prod-abcd1234',
      ProvisioningArtifactId: 'pa-abcd1234',
    });
    expect(await sc.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it('fails clearly, provisioning nothing, when the change type names no product', async () => {
    const ctx = step(input, {
      binding: { templateRef: 'template:default/x' },
    });
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      /has no Service Catalog product .* so nothing was provisioned/,
    );
    expect(sc.calls()).toHaveLength(0);
  });

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
    const ctx = step();
    await action(awsGateway(), { sleeps }).handler(ctx as any);

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
    expect(ctx.output).toHaveBeenCalledWith(
      'stackEntityRef',
      'resource:default/storefront-dev-app',
    );
    expect(ctx.logs).toContain('Record rec-1 is IN_PROGRESS');
    expect(ctx.logs).toContain('Record rec-1 is SUCCEEDED');
    // The RFC page shows what was provisioned, and where the stack will be.
    expect(executions.reports.map(r => r.outputs)).toEqual([
      { provisionedProductId: 'pp-1', recordId: 'rec-1' },
      { stackEntityRef: 'resource:default/storefront-dev-app' },
    ]);
  });

  it("sends the attempt's ProvisionToken: the same when the task is recovered, a new one on a retry of the RFC, none when resumed from its checkpoint", async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('SUCCEEDED'),
    });
    const gateway = awsGateway();
    const { secrets } = executions.start({ binding: BINDING });
    const run = (checkpoints?: Map<string, unknown>, s = secrets) =>
      action(gateway).handler(
        Object.assign(
          actionContext(input, { stepId: 'provision', checkpoints }),
          {
            secrets: s,
          },
        ) as any,
      );

    // A recovered task that lost its checkpoints calls AWS again with the
    // same token, which AWS answers with the record it already has.
    await run();
    await run();
    // An explicit retry of the RFC is a new attempt with its own token.
    const retry = executions.start({ binding: BINDING, attempt: 2 });
    await run(undefined, retry.secrets);
    const tokens = sc
      .commandCalls(ProvisionProductCommand)
      .map(c => c.args[0].input.ProvisionToken);
    expect(tokens).toEqual([
      'ops-RFC-000101-a1',
      'ops-RFC-000101-a1',
      'ops-RFC-000102-a2',
    ]);

    // A resumed task with its checkpoint does not call ProvisionProduct at all.
    sc.resetHistory();
    const checkpoints = new Map();
    await run(checkpoints);
    await run(checkpoints);
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
    const ctx = step();
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      'Provisioning storefront-dev-app failed: ROLLBACK_COMPLETE: Subnet subnet-1 does not exist',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it("fails the step with AWS's error when ProvisionProduct is refused, reporting no record", async () => {
    sc.on(ProvisionProductCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/portal/ops is not authorized to perform: servicecatalog:ProvisionProduct',
        ),
        { name: 'AccessDeniedException' },
      ),
    );
    const ctx = step();

    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      'servicecatalog:ProvisionProduct in 123456789012/eu-west-1 failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/portal/ops is not authorized to perform: servicecatalog:ProvisionProduct (allow servicecatalog:ProvisionProduct for the role the portal uses in account 123456789012)',
    );
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 1);
    expect(sc).not.toHaveReceivedCommand(DescribeRecordCommand);
    expect(executions.reports).toEqual([]);
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it("fails the step with AWS's error when polling the record is throttled, having reported the record", async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
      }),
    );
    const ctx = step();

    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      'servicecatalog:DescribeRecord in 123456789012/eu-west-1 failed: ThrottlingException: Rate exceeded (AWS throttled the call; try again later)',
    );
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 1);
    // The record started is on the RFC, so a person can follow it in AWS.
    expect(executions.reports.map(r => r.outputs)).toEqual([
      expect.objectContaining({ recordId: 'rec-1' }),
    ]);
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('refuses a reserved or malformed tag key before calling AWS', async () => {
    const ctx = step({
      ...input,
      tags: { 'cloud-ops.io/owner': 'group:default/payments' },
    });
    await expect(action(awsGateway()).handler(ctx as any)).rejects.toThrow(
      /Tag key "cloud-ops.io\/owner" is not allowed/,
    );
    expect(sc).toHaveReceivedCommandTimes(ProvisionProductCommand, 0);
  });

  it('stops waiting at the timeout and says a retry provisions anew', async () => {
    sc.on(ProvisionProductCommand).resolves({
      RecordDetail: detail('CREATED'),
    });
    sc.on(DescribeRecordCommand).resolves({
      RecordDetail: detail('IN_PROGRESS'),
    });
    let clock = 0;
    const a = action(awsGateway(), {
      timeoutMs: 3_000,
      now: () => clock,
      sleep: async ms => {
        clock += ms;
      },
    });
    await expect(a.handler(step() as any)).rejects.toThrow(
      /record rec-1 is still IN_PROGRESS. A retry of the RFC provisions anew/,
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
    const a = action(awsGateway(), { sleep: async () => controller.abort() });
    await expect(
      a.handler(step(input, { signal: controller.signal }) as any),
    ).rejects.toThrow(/the task was cancelled; record rec-1 was IN_PROGRESS/);
    expect(sc).toHaveReceivedCommandTimes(DescribeRecordCommand, 1);
  });

  it('makes no AWS call in a dry run', async () => {
    const ctx = actionContext(input, { isDryRun: true });
    await action(awsGateway()).handler(ctx as any);
    expect(sc.calls()).toHaveLength(0);
    expect(executions.verified).toHaveLength(0);
    expect(ctx.output).toHaveBeenCalledWith('recordId', 'rec-dry-run');
  });

  it('provisions in the sandbox and labels the result as sandbox', async () => {
    let clock = 0;
    const gateway = new SandboxServiceCatalogGateway({
      provisionDelayMs: 2_000,
      now: () => clock,
    });
    const ctx = step(input, { binding: SANDBOX_BINDING });
    await action(gateway, {
      timeoutMs: 10_000,
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
    const ctx = step(
      {
        ...input,
        parameters: {
          InstanceType: 't3.small',
          [SANDBOX_FAILURE_PARAMETER]: 'Insufficient capacity',
        },
      },
      { binding: SANDBOX_BINDING },
    );
    await expect(action(gateway).handler(ctx as any)).rejects.toThrow(
      'Provisioning storefront-dev-app failed: Insufficient capacity',
    );
  });

  // The sandbox products the example change types bind.
  const exampleBindings = [
    SANDBOX_BINDING,
    {
      templateRef: 'template:default/s3-bucket',
      serviceCatalog: {
        productId: 'prod-sandboxs3bucket',
        provisioningArtifactId: 'pa-sandboxs3bucketv1',
      },
    },
  ];
  it.each(examples.map((e, i) => [e.description, e.step, i] as const))(
    'runs the example: %s',
    async (_description, example, i) => {
      const gateway = new SandboxServiceCatalogGateway({ provisionDelayMs: 0 });
      expect(example.if).toBe('${{ steps.rfc.output.execution }}');
      // The template's expressions, rendered from an RFC's parameters.
      const rendered = JSON.parse(
        JSON.stringify(example.input).replace(/\$\{\{[^}]*\}\}/g, 'x1'),
      );
      const ctx = step(rendered, { binding: exampleBindings[i] });
      await action(gateway).handler(ctx as any);
      const [stack] = await gateway.listProvisionedProducts();
      expect(stack.tags).toContainEqual({
        Key: 'cloud-ops.io/rfc',
        Value: 'RFC-000101',
      });
    },
  );
});
