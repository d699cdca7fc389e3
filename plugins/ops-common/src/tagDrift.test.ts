import type { Entity } from '@backstage/catalog-model';
import { tagDrift } from './tagDrift';
import { compileTagPolicy, TagPolicy } from './tagPolicy';

const policy: TagPolicy = {
  rules: [
    {
      kind: 'Resource',
      type: 'stack',
      severity: 'warning',
      required: ['cost-center', 'environment'],
      keys: {
        'cost-center': { pattern: 'CC-[0-9]{4}', severity: 'error' },
        environment: { allowed: ['production', 'staging'] },
      },
    },
  ],
};

function stack(
  annotations: Record<string, string>,
  spec: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'payments-db-stack', annotations },
    spec: {
      type: 'stack',
      owner: 'group:default/payments',
      dependencyOf: ['component:default/payments-api'],
      ...spec,
    },
  };
}

const inSync = stack({
  'tags.cloud-ops.io/cost-center': 'CC-1001',
  'tags.cloud-ops.io/environment': 'production',
  'cloud-ops.io/rfc': 'RFC-000042',
});

const awsInSync = [
  { Key: 'cost-center', Value: 'CC-1001' },
  { Key: 'environment', Value: 'production' },
  { Key: 'cloud-ops.io/owner', Value: 'group:default/payments' },
  { Key: 'cloud-ops.io/entity-ref', Value: 'component:default/payments-api' },
  { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
];

describe('tagDrift', () => {
  it('finds no drift when AWS, the entity and the policy agree', () => {
    expect(tagDrift({ awsTags: awsInSync, entity: inSync, policy })).toEqual(
      [],
    );
  });

  it('accepts a compiled evaluator as well as a policy', () => {
    const awsTags = awsInSync.filter(t => t.Key !== 'environment');
    const entity = stack({
      'tags.cloud-ops.io/cost-center': 'CC-1001',
      'cloud-ops.io/rfc': 'RFC-000042',
    });
    const fromPolicy = tagDrift({ awsTags, entity, policy });
    expect(fromPolicy).toHaveLength(1);
    expect(
      tagDrift({ awsTags, entity, policy: compileTagPolicy(policy) }),
    ).toEqual(fromPolicy);
  });

  it('reports required keys missing in AWS, judged on the AWS tags and not the entity', () => {
    // The entity has the tag; the stack does not: that is drift on both counts.
    const drift = tagDrift({
      awsTags: awsInSync.filter(t => t.Key !== 'environment'),
      entity: inSync,
      policy,
    });
    expect(drift).toEqual([
      {
        type: 'missing-required',
        key: 'environment',
        severity: 'warning',
        message:
          'AWS tag "environment" is required by the tag policy but missing on the stack',
      },
      {
        type: 'differs-from-entity',
        key: 'environment',
        awsValue: undefined,
        entityValue: 'production',
        message:
          'Tag "environment" is "production" on the entity but not tagged in AWS',
      },
    ]);
  });

  it('reports AWS values outside the allowed list or pattern, with the key severity', () => {
    const changed: Record<string, string> = {
      environment: 'prod',
      'cost-center': '1001',
    };
    const awsTags = awsInSync.map(t => ({
      ...t,
      Value: changed[t.Key] ?? t.Value,
    }));
    const entity = stack({
      'tags.cloud-ops.io/cost-center': '1001',
      'tags.cloud-ops.io/environment': 'prod',
      'cloud-ops.io/rfc': 'RFC-000042',
    });
    expect(tagDrift({ awsTags, entity, policy })).toEqual([
      expect.objectContaining({
        type: 'value-not-allowed',
        key: 'cost-center',
        awsValue: '1001',
        severity: 'error',
      }),
      {
        type: 'value-not-allowed',
        key: 'environment',
        awsValue: 'prod',
        severity: 'warning',
        message:
          'AWS tag "environment" is "prod"; allowed values are production, staging',
      },
    ]);
  });

  it('applies policy rules only to the kind and type they name', () => {
    const component: Entity = { ...inSync, kind: 'Component' };
    expect(
      tagDrift({
        awsTags: awsInSync.filter(t => t.Key !== 'environment'),
        entity: {
          ...component,
          metadata: {
            ...component.metadata,
            annotations: {
              'cloud-ops.io/rfc': 'RFC-000042',
              'tags.cloud-ops.io/cost-center': 'CC-1001',
            },
          },
        },
        policy,
      }),
    ).toEqual([]);
  });

  it('reports tags that differ between AWS and the entity, in key order', () => {
    const drift = tagDrift({
      awsTags: [
        ...awsInSync.filter(t => t.Key !== 'cost-center'),
        { Key: 'cost-center', Value: 'CC-2002' },
        { Key: 'team', Value: 'payments' },
      ],
      entity: stack({
        'tags.cloud-ops.io/cost-center': 'CC-1001',
        'tags.cloud-ops.io/environment': 'production',
        'tags.cloud-ops.io/app': 'ledger',
        'cloud-ops.io/rfc': 'RFC-000042',
      }),
      policy,
    });
    expect(drift).toEqual([
      {
        type: 'differs-from-entity',
        key: 'app',
        awsValue: undefined,
        entityValue: 'ledger',
        message: 'Tag "app" is "ledger" on the entity but not tagged in AWS',
      },
      {
        type: 'differs-from-entity',
        key: 'cost-center',
        awsValue: 'CC-2002',
        entityValue: 'CC-1001',
        message:
          'Tag "cost-center" is "CC-2002" in AWS but "CC-1001" on the entity',
      },
      {
        type: 'differs-from-entity',
        key: 'team',
        awsValue: 'payments',
        entityValue: undefined,
        message: 'Tag "team" is "payments" in AWS but missing on the entity',
      },
    ]);
  });

  it('compares the reserved owner tag with spec.owner as entity refs', () => {
    const shortOwner = stack(inSync.metadata.annotations!, {
      owner: 'Payments',
    });
    expect(
      tagDrift({ awsTags: awsInSync, entity: shortOwner, policy }),
    ).toEqual([]);

    const otherOwner = stack(inSync.metadata.annotations!, {
      owner: 'group:default/web',
    });
    expect(
      tagDrift({ awsTags: awsInSync, entity: otherOwner, policy }),
    ).toEqual([
      {
        type: 'differs-from-entity',
        key: 'cloud-ops.io/owner',
        awsValue: 'group:default/payments',
        entityValue: 'group:default/web',
        message:
          'Tag "cloud-ops.io/owner" is "group:default/payments" in AWS but "group:default/web" on the entity',
      },
    ]);

    expect(
      tagDrift({
        awsTags: awsInSync.filter(t => t.Key !== 'cloud-ops.io/owner'),
        entity: inSync,
        policy,
      }),
    ).toEqual([
      expect.objectContaining({
        key: 'cloud-ops.io/owner',
        awsValue: undefined,
        entityValue: 'group:default/payments',
      }),
    ]);
  });

  it('compares the RFC tag with the RFC annotation', () => {
    const drift = tagDrift({
      awsTags: awsInSync.map(t =>
        t.Key === 'cloud-ops.io/rfc' ? { ...t, Value: 'RFC-000043' } : t,
      ),
      entity: inSync,
      policy,
    });
    expect(drift).toEqual([
      expect.objectContaining({
        type: 'differs-from-entity',
        key: 'cloud-ops.io/rfc',
        awsValue: 'RFC-000043',
        entityValue: 'RFC-000042',
      }),
    ]);
  });

  it('reports an owning component the entity does not depend on', () => {
    expect(
      tagDrift({
        awsTags: awsInSync,
        entity: stack(inSync.metadata.annotations!, {
          dependencyOf: ['payments-api', 'component:default/other'],
        }),
        policy,
      }),
    ).toEqual([]);

    const drift = tagDrift({
      awsTags: awsInSync,
      entity: stack(inSync.metadata.annotations!, { dependencyOf: [] }),
      policy,
    });
    expect(drift).toEqual([
      expect.objectContaining({
        type: 'differs-from-entity',
        key: 'cloud-ops.io/entity-ref',
        awsValue: 'component:default/payments-api',
        entityValue: undefined,
      }),
    ]);
  });

  it('names AWS keys that cannot be carried on an entity', () => {
    const drift = tagDrift({
      awsTags: [
        ...awsInSync,
        { Key: 'aws:cloudformation:stack-name', Value: 'SC-1234' },
        { Key: 'Cost Center', Value: 'CC-1001' },
      ],
      entity: inSync,
      policy,
    });
    expect(drift).toEqual([
      {
        type: 'unrepresentable-key',
        key: 'aws:cloudformation:stack-name',
        awsValue: 'SC-1234',
        message:
          'AWS tag key "aws:cloudformation:stack-name" cannot be carried on an entity: use 1-63 letters, digits, "-", "_" or "."',
      },
      expect.objectContaining({
        type: 'unrepresentable-key',
        key: 'Cost Center',
      }),
    ]);
  });
});
