import { stackEntityFromProvisionedProduct } from './stackEntity';

const stack = {
  provisionedProductId: 'pp-abc',
  name: 'storefront-dev',
  productId: 'prod-sandboxec2linux',
  status: 'AVAILABLE',
  account: '000000000000',
  region: 'eu-west-1',
  sandbox: true,
  tags: [
    { Key: 'cloud-ops.io/owner', Value: 'group:default/web' },
    { Key: 'cloud-ops.io/entity-ref', Value: 'component:default/storefront' },
    { Key: 'cloud-ops.io/rfc', Value: 'RFC-000007' },
    { Key: 'cost-center', Value: 'CC-1001' },
    { Key: 'environment', Value: 'dev' },
    { Key: 'aws:cloudformation:stack-name', Value: 'SC-123' },
  ],
};

describe('stackEntityFromProvisionedProduct', () => {
  it('makes a stack Resource with owner, component, RFC, product and tags', () => {
    expect(stackEntityFromProvisionedProduct(stack)).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'storefront-dev',
        title: 'storefront-dev (sandbox)',
        description:
          'Stack provisioned from Service Catalog product prod-sandboxec2linux in the sandbox account.',
        annotations: {
          'cloud-ops.io/provisioned-product-id': 'pp-abc',
          'cloud-ops.io/rfc': 'RFC-000007',
          'cloud-ops.io/aws-account': '000000000000',
          'cloud-ops.io/aws-region': 'eu-west-1',
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
    });
  });

  it('skips products not provisioned through the suite and failed ones', () => {
    expect(
      stackEntityFromProvisionedProduct({
        ...stack,
        tags: stack.tags.slice(3),
      }),
    ).toBeUndefined();
    expect(
      stackEntityFromProvisionedProduct({ ...stack, status: 'ERROR' }),
    ).toBeUndefined();
  });
});
