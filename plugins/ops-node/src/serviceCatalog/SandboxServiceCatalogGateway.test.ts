import { createMockDirectory } from '@backstage/backend-test-utils';
import {
  SANDBOX_FAILURE_PARAMETER,
  SANDBOX_PRODUCTS,
  SandboxServiceCatalogGateway,
} from './SandboxServiceCatalogGateway';

const ec2 = SANDBOX_PRODUCTS[0];
const request = {
  productId: ec2.productId,
  provisioningArtifactId: ec2.provisioningArtifactId,
  provisionedProductName: 'storefront-web',
  provisionToken: 'ops-RFC-000001',
  parameters: { InstanceType: 't3.small' },
  tags: [{ Key: 'cloud-ops.io/owner', Value: 'group:default/web' }],
};

describe('SandboxServiceCatalogGateway', () => {
  const dir = createMockDirectory();
  let now = 1_000_000;
  const clock = () => now;

  it('finishes after the delay with deterministic outputs, and a repeated token returns the same record', async () => {
    const g = new SandboxServiceCatalogGateway({
      provisionDelayMs: 5000,
      now: clock,
    });
    const first = await g.provisionProduct(request);
    expect(first.status).toBe('IN_PROGRESS');
    expect(first.sandbox).toBe(true);
    expect(await g.provisionProduct(request)).toEqual(first);
    expect(await g.listProvisionedProducts()).toHaveLength(1);

    now += 5000;
    const done = await g.describeRecord({ recordId: first.recordId });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outputs.InstanceType).toBe('t3.small');
    expect(done.outputs.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    const [stack] = await g.listProvisionedProducts();
    expect(stack).toMatchObject({
      status: 'AVAILABLE',
      sandbox: true,
      tags: request.tags,
    });
  });

  it('fails a record with the injected message', async () => {
    const g = new SandboxServiceCatalogGateway({
      provisionDelayMs: 0,
      now: clock,
    });
    const record = await g.provisionProduct({
      ...request,
      provisionToken: 'ops-RFC-000002',
      parameters: {
        ...request.parameters,
        [SANDBOX_FAILURE_PARAMETER]: 'No capacity for t3.small',
      },
    });
    const failed = await g.describeRecord({ recordId: record.recordId });
    expect(failed.status).toBe('FAILED');
    expect(failed.errors).toEqual(['No capacity for t3.small']);
  });

  it('rejects unknown products, wrong artifacts and missing parameters, recording nothing', async () => {
    const g = new SandboxServiceCatalogGateway({ now: clock });
    await expect(
      g.provisionProduct({ ...request, productId: 'prod-nope' }),
    ).rejects.toThrow(/no product prod-nope/);
    await expect(
      g.provisionProduct({ ...request, provisioningArtifactId: 'pa-nope' }),
    ).rejects.toThrow(/pa-sandboxec2linuxv1/);
    await expect(
      g.provisionProduct({ ...request, parameters: {} }),
    ).rejects.toThrow(/InstanceType/);
    expect(await g.listProvisionedProducts()).toEqual([]);
  });

  it('keeps its account in the state file across instances', async () => {
    const stateFile = dir.resolve('sandbox/service-catalog.json');
    const a = new SandboxServiceCatalogGateway({ stateFile, now: clock });
    const record = await a.provisionProduct(request);
    const b = new SandboxServiceCatalogGateway({ stateFile, now: clock });
    expect(
      (await b.describeRecord({ recordId: record.recordId })).recordId,
    ).toBe(record.recordId);
    await expect(b.describeRecord({ recordId: 'rec-unknown' })).rejects.toThrow(
      /no record/,
    );
  });

  it('lists only the products of the account and region asked for', async () => {
    const g = new SandboxServiceCatalogGateway({
      now: clock,
      defaultAccount: '111111111111',
      defaultRegion: 'eu-west-1',
    });
    await g.provisionProduct(request);
    await g.provisionProduct({
      ...request,
      provisionToken: 'ops-RFC-000002',
      provisionedProductName: 'other-region',
      region: 'us-east-1',
    });

    const home = await g.listProvisionedProducts();
    expect(home.map(s => s.name)).toEqual(['storefront-web']);
    expect(home[0].arn).toBe(
      `arn:aws:servicecatalog:eu-west-1:111111111111:stack/storefront-web/${home[0].provisionedProductId}`,
    );
    expect(
      (await g.listProvisionedProducts({ region: 'us-east-1' })).map(
        s => s.name,
      ),
    ).toEqual(['other-region']);
    expect(
      await g.listProvisionedProducts({ account: '222222222222' }),
    ).toEqual([]);
  });
});
