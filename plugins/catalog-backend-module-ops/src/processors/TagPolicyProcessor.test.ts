import { ConfigReader } from '@backstage/config';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import type { AlphaEntity } from '@backstage/catalog-model/alpha';
import { processingResult } from '@backstage/plugin-catalog-node';
import type { TagPolicy } from '@cloud-ops/plugin-ops-common';
import {
  TAG_POLICY_STATUS_TYPE,
  TagPolicyProcessor,
} from './TagPolicyProcessor';

const location = { type: 'file', target: 'examples/entities.yaml' };

// The catalog's status item type for processing errors, which its entity
// page shows in the processing-error panel.
const ENTITY_STATUS_CATALOG_PROCESSING_TYPE = 'backstage.io/catalog-processing';

const policy: TagPolicy = {
  rules: [
    {
      kind: 'Component',
      severity: 'error',
      required: ['cost-center', 'environment'],
      keys: {
        'cost-center': { pattern: 'CC-[0-9]{4}' },
        environment: { allowed: ['production', 'staging', 'development'] },
      },
    },
    {
      kind: 'Component',
      type: 'website',
      severity: 'warning',
      required: ['data-classification'],
    },
    {
      kind: 'Resource',
      severity: 'warning',
      required: ['cost-center'],
    },
  ],
  owner: { severity: 'error' },
};

function entity(
  kind: string,
  options: {
    type?: string;
    owner?: string;
    tags?: Record<string, string>;
    namespace?: string;
  } = {},
): Entity {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.tags ?? {})) {
    annotations[`tags.cloud-ops.io/${key}`] = value;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name: 'payments-api',
      namespace: options.namespace,
      annotations,
    },
    spec: {
      type: options.type ?? 'service',
      lifecycle: 'production',
      owner: 'owner' in options ? options.owner : 'group:default/payments',
    },
  };
}

const compliantTags = { 'cost-center': 'CC-1001', environment: 'production' };

/** Messages of the processing-error items the entity page's error panel shows. */
function errorsOn(result: Entity): string[] {
  return ((result as AlphaEntity).status?.items ?? [])
    .filter(
      i =>
        i.type === ENTITY_STATUS_CATALOG_PROCESSING_TYPE &&
        i.level === 'error' &&
        i.error,
    )
    .map(i => i.error!.message);
}

async function run(e: Entity, p: TagPolicy = policy) {
  const emit = jest.fn();
  const result = await new TagPolicyProcessor({ policy: p }).postProcessEntity(
    e,
    location,
    emit,
  );
  // By default nothing is emitted: violations travel on the entity.
  expect(emit).not.toHaveBeenCalled();
  const errors = errorsOn(result);
  const warnings = ((result as AlphaEntity).status?.items ?? [])
    .filter(i => i.type === TAG_POLICY_STATUS_TYPE)
    .map(i => i.message);
  return { result, emit, errors, warnings };
}

describe('TagPolicyProcessor', () => {
  it('passes a compliant component untouched', async () => {
    const e = entity('Component', { tags: compliantTags });
    const { result, emit } = await run(e);
    expect(emit).not.toHaveBeenCalled();
    expect(result).toBe(e);
  });

  it('reports a missing required tag as a processing error on the entity, which is still stored', async () => {
    const e = entity('Component', { tags: { environment: 'production' } });
    const { result } = await run(e);
    expect((result as AlphaEntity).status?.items).toEqual([
      {
        type: 'backstage.io/catalog-processing',
        level: 'error',
        message:
          'TagPolicyError: Tag policy: Tag "cost-center" is required on Component entities; add the annotation tags.cloud-ops.io/cost-center',
        error: {
          name: 'TagPolicyError',
          message:
            'Tag policy: Tag "cost-center" is required on Component entities; add the annotation tags.cloud-ops.io/cost-center',
        },
      },
    ]);
    // The rest of the entity is what came in.
    expect({ ...result, status: undefined }).toEqual({
      ...e,
      status: undefined,
    });
  });

  it('fails processing instead when blockOnError is set, at the entity location', async () => {
    const emit = jest.fn();
    const e = entity('Component', {
      type: 'website',
      tags: { environment: 'production' },
    });
    const result = await new TagPolicyProcessor({
      policy,
      blockOnError: true,
    }).postProcessEntity(e, location, emit);
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith(
      processingResult.inputError(
        location,
        'Tag policy: Tag "cost-center" is required on Component entities; add the annotation tags.cloud-ops.io/cost-center',
      ),
    );
    // The warning still travels on the entity; no error item is added.
    expect(errorsOn(result)).toEqual([]);
    expect((result as AlphaEntity).status?.items).toEqual([
      expect.objectContaining({
        type: TAG_POLICY_STATUS_TYPE,
        level: 'warning',
      }),
    ]);
  });

  it('treats an empty value as missing', async () => {
    const { errors } = await run(
      entity('Component', {
        tags: { 'cost-center': '', environment: 'production' },
      }),
    );
    expect(errors).toEqual([
      expect.stringContaining('Tag "cost-center" is required'),
    ]);
  });

  it('reports a value outside the allowed list', async () => {
    const { errors } = await run(
      entity('Component', {
        tags: { 'cost-center': 'CC-1001', environment: 'prod' },
      }),
    );
    expect(errors).toEqual([
      'Tag policy: Tag "environment" is "prod"; allowed values are production, staging, development',
    ]);
  });

  it('reports a value that does not match the pattern, anchored at both ends', async () => {
    for (const value of ['1001', 'CC-10011', 'xCC-1001']) {
      const { errors } = await run(
        entity('Component', {
          tags: { 'cost-center': value, environment: 'production' },
        }),
      );
      expect(errors).toEqual([
        expect.stringContaining(
          `Tag "cost-center" is "${value}", which does not match`,
        ),
      ]);
    }
  });

  it('applies rules by kind, and type-specific rules only to that type', async () => {
    // A website also needs data-classification (a warning rule for websites only).
    const website = await run(
      entity('Component', { type: 'website', tags: compliantTags }),
    );
    expect(website.errors).toEqual([]);
    expect(website.warnings).toEqual([
      expect.stringContaining(
        'Tag "data-classification" is required on Component of type website entities',
      ),
    ]);

    const service = await run(entity('Component', { tags: compliantTags }));
    expect(service.warnings).toEqual([]);

    // No rule names System: only the owner rule applies.
    const system = await run(entity('System'));
    expect(system.errors).toEqual([]);
    expect(system.warnings).toEqual([]);
  });

  it('matches the kind case-insensitively', async () => {
    const { errors } = await run(entity('component', { tags: {} }));
    expect(errors).toHaveLength(2);
  });

  it('publishes warnings as warning-level status items, not as errors', async () => {
    const { errors, warnings, result } = await run(
      entity('Resource', { type: 'database' }),
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'Tag policy: Tag "cost-center" is required on Resource entities; add the annotation tags.cloud-ops.io/cost-center',
    ]);
    expect((result as AlphaEntity).status?.items).toEqual([
      {
        type: TAG_POLICY_STATUS_TYPE,
        level: 'warning',
        message: expect.any(String),
      },
    ]);
  });

  it('honours a per-key severity over the rule severity', async () => {
    const { errors, warnings } = await run(
      entity('Component', {
        tags: { 'cost-center': 'CC-1001', environment: 'prod' },
      }),
      {
        rules: [
          {
            kind: 'Component',
            severity: 'error',
            keys: {
              environment: { allowed: ['production'], severity: 'warning' },
            },
          },
        ],
      },
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('"environment" is "prod"'),
    ]);
  });

  it('replaces its own earlier status items and keeps items from other sources', async () => {
    const other = {
      type: 'example.com/other',
      level: 'info' as const,
      message: 'x',
    };
    const catalogError = {
      type: ENTITY_STATUS_CATALOG_PROCESSING_TYPE,
      level: 'error' as const,
      message: 'InputError: something else',
      error: { name: 'InputError', message: 'something else' },
    };
    const ours = [
      {
        type: TAG_POLICY_STATUS_TYPE,
        level: 'warning' as const,
        message: 'old',
      },
      {
        type: ENTITY_STATUS_CATALOG_PROCESSING_TYPE,
        level: 'error' as const,
        message: 'TagPolicyError: old',
        error: { name: 'TagPolicyError', message: 'old' },
      },
    ];
    const stale: AlphaEntity = {
      ...entity('Resource', { tags: { 'cost-center': 'CC-1' } }),
      status: { items: [other, catalogError, ...ours] },
    };
    const { result } = await run(stale);
    expect((result as AlphaEntity).status?.items).toEqual([
      other,
      catalogError,
    ]);

    // Also for kinds no rule names, once the policy stops applying to them.
    const system: AlphaEntity = {
      ...entity('System'),
      status: { items: ours },
    };
    expect((await run(system)).result).not.toHaveProperty('status');
  });

  describe('owner rule', () => {
    it('accepts a group owner, written in full or as a bare name', async () => {
      for (const owner of [
        'group:default/payments',
        'payments',
        'group:payments',
        'Group:default/payments',
        'default/payments',
      ]) {
        const { errors } = await run(
          entity('Component', { owner, tags: compliantTags }),
        );
        expect({ owner, errors }).toEqual({ owner, errors: [] });
      }
    });

    it('reads owner refs exactly as the catalog parses them', async () => {
      const refs = [
        'group:default/payments',
        'GROUP:payments',
        'payments',
        'ns/payments',
        'group:ns/a:b',
        'user:default/ana',
        'groups:default/payments',
        'grou:payments',
        'a/b:c',
        'group:default/',
        'group:/payments',
        ':payments',
        '/payments',
        'group:',
        'ns/',
      ];
      for (const owner of refs) {
        let expected: boolean;
        try {
          expected =
            parseEntityRef(owner, {
              defaultKind: 'group',
            }).kind.toLowerCase() === 'group';
        } catch {
          expected = false;
        }
        const { errors } = await run(
          entity('Component', { owner, tags: compliantTags }),
        );
        expect({ owner, violation: errors.length > 0 }).toEqual({
          owner,
          violation: !expected,
        });
      }
    });

    it('rejects an owner that is not a group', async () => {
      const { errors } = await run(
        entity('Component', { owner: 'user:default/ana', tags: compliantTags }),
      );
      expect(errors).toEqual([
        'Tag policy: Owner "user:default/ana" is not an existing Group in the catalog',
      ]);
    });

    it('rejects a missing or unparseable owner', async () => {
      const missing = await run(
        entity('Component', { owner: undefined, tags: compliantTags }),
      );
      expect(missing.errors).toEqual([
        'Tag policy: The entity has no owner; set spec.owner to a Group',
      ]);
      const broken = await run(
        entity('Component', { owner: 'group:default/', tags: compliantTags }),
      );
      expect(broken.errors).toEqual([
        expect.stringContaining('is not an existing Group'),
      ]);
    });

    it('uses the configured severity', async () => {
      const { errors, warnings } = await run(
        entity('System', { owner: 'user:default/ana' }),
        { rules: [], owner: { severity: 'warning' } },
      );
      expect(errors).toEqual([]);
      expect(warnings).toEqual([
        expect.stringContaining('not an existing Group'),
      ]);
    });

    it('can be turned off', async () => {
      const { errors } = await run(
        entity('System', { owner: 'user:default/ana' }),
        { rules: [], owner: { enabled: false } },
      );
      expect(errors).toEqual([]);
    });

    it('skips kinds that have no owner', async () => {
      const group: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'payments' },
        spec: { type: 'team', children: [] },
      };
      const { emit, result } = await run(group);
      expect(emit).not.toHaveBeenCalled();
      expect(result).toBe(group);
    });
  });

  describe('fromConfig', () => {
    it('reads ops.tagPolicy', async () => {
      const processor = TagPolicyProcessor.fromConfig(
        new ConfigReader({ ops: { tagPolicy: policy } }),
      );
      const emit = jest.fn();
      const result = await processor.postProcessEntity(
        entity('Component', { tags: {} }),
        location,
        emit,
      );
      expect(emit).not.toHaveBeenCalled();
      expect(errorsOn(result)).toHaveLength(2);
    });

    it('reads ops.tagPolicy.blockOnError', async () => {
      const processor = TagPolicyProcessor.fromConfig(
        new ConfigReader({
          ops: { tagPolicy: { ...policy, blockOnError: true } },
        }),
      );
      const emit = jest.fn();
      await processor.postProcessEntity(
        entity('Component', { tags: {} }),
        location,
        emit,
      );
      expect(emit).toHaveBeenCalledTimes(2);
    });

    it('checks nothing when no policy is configured, not even the owner', async () => {
      const processor = TagPolicyProcessor.fromConfig(new ConfigReader({}));
      const emit = jest.fn();
      const e = entity('Component', { owner: 'user:default/ana' });
      const result = await processor.postProcessEntity(e, location, emit);
      expect(emit).not.toHaveBeenCalled();
      expect(result).toBe(e);
    });

    it('fails with every problem of an invalid policy named', () => {
      expect(() =>
        TagPolicyProcessor.fromConfig(
          new ConfigReader({
            ops: {
              tagPolicy: {
                rules: [
                  { kind: 'Component', severity: 'fatal' },
                  { kind: 'Resource', keys: { env: { pattern: '(' } } },
                ],
              },
            },
          }),
        ),
      ).toThrow(
        /Invalid ops.tagPolicy: rules\[0\].severity must be error or warning; rules\[1\].keys.env.pattern is not a valid regular expression/,
      );
    });
  });
});
