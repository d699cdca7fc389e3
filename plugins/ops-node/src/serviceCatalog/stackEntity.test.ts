import {
  stackEntityFromProvisionedProduct,
  stackEntityRefFor,
} from './stackEntity';

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

  it('finds the stack by its provisioned product ARN and takes the system from its tag', () => {
    const entity = stackEntityFromProvisionedProduct({
      ...stack,
      arn: 'arn:aws:servicecatalog:eu-west-1:000000000000:stack/storefront-dev/pp-abc',
      tags: [
        ...stack.tags,
        { Key: 'cloud-ops.io/system', Value: 'online-store' },
      ],
    });
    expect(entity?.spec.system).toBe('online-store');
    expect(entity?.metadata.annotations['cloud-ops.io/aws-tag-selector']).toBe(
      'aws:servicecatalog:provisionedProductArn=arn:aws:servicecatalog:eu-west-1:000000000000:stack/storefront-dev/pp-abc',
    );
    expect(Object.keys(entity!.metadata.annotations)).not.toContain(
      'tags.cloud-ops.io/cloud-ops.io/system',
    );
  });

  it('reads the owner from a configured tag and completes short group refs', () => {
    const entity = stackEntityFromProvisionedProduct(
      {
        ...stack,
        tags: [{ Key: 'team', Value: 'payments' }, ...stack.tags.slice(1)],
      },
      { ownerTag: 'team' },
    );
    expect(entity?.spec.owner).toBe('group:default/payments');
    // The owner tag is a spec field, not a tag annotation.
    expect(entity?.metadata.annotations).not.toHaveProperty(
      'tags.cloud-ops.io/team',
    );
  });

  it.each([
    [
      'user:default/ana',
      'AWS tag cloud-ops.io/owner is "user:default/ana", not a group reference',
    ],
    [
      'the web team',
      'AWS tag cloud-ops.io/owner is "the web team", not a group reference',
    ],
    [undefined, 'No AWS tag cloud-ops.io/owner'],
  ])(
    'gives a stack whose owner tag is %p to the fallback owner and says why',
    (value, reason) => {
      const tags = stack.tags.slice(1);
      const entity = stackEntityFromProvisionedProduct(
        {
          ...stack,
          tags:
            value === undefined
              ? tags
              : [{ Key: 'cloud-ops.io/owner', Value: value }, ...tags],
        },
        { fallbackOwner: 'group:default/central-it' },
      );
      expect(entity?.spec.owner).toBe('group:default/central-it');
      expect(entity?.metadata.annotations['cloud-ops.io/owner-fallback']).toBe(
        `${reason}; owned by the fallback owner group:default/central-it`,
      );
    },
  );

  it('leaves a valid owner alone even when a fallback is configured', () => {
    const entity = stackEntityFromProvisionedProduct(stack, {
      fallbackOwner: 'group:default/central-it',
    });
    expect(entity?.spec.owner).toBe('group:default/web');
    expect(entity?.metadata.annotations).not.toHaveProperty(
      'cloud-ops.io/owner-fallback',
    );
  });
});

describe('stackEntityRefFor', () => {
  it.each(['shop-dev', 'My Stack!', '-edge-', 'x'.repeat(80)])(
    'names the entity %s becomes',
    name => {
      const entity = stackEntityFromProvisionedProduct({
        ...stack,
        name,
      })!;
      expect(stackEntityRefFor(name)).toBe(
        `resource:default/${entity.metadata.name}`,
      );
    },
  );
});
