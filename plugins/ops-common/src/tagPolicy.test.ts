import type { Entity } from '@backstage/catalog-model';
import {
  compileTagPolicy,
  evaluateTagPolicy,
  TagPolicy,
  validateTagPolicy,
} from './tagPolicy';

const policy: TagPolicy = {
  rules: [
    {
      kind: 'Component',
      required: ['cost-center', 'environment'],
      keys: {
        environment: { allowed: ['production', 'staging', 'development'] },
        'cost-center': { pattern: 'CC-[0-9]{4}' },
      },
    },
    {
      kind: 'Resource',
      type: 'database',
      severity: 'warning',
      required: ['data-classification'],
    },
  ],
};

function entity(
  kind: string,
  tags: Record<string, string>,
  spec: Record<string, string> = {
    type: 'service',
    owner: 'group:default/payments',
  },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name: 'x',
      annotations: Object.fromEntries(
        Object.entries(tags).map(([k, v]) => [`tags.cloud-ops.io/${k}`, v]),
      ),
    },
    spec,
  };
}

describe('tag policy', () => {
  const evaluate = compileTagPolicy(policy);

  it('passes a compliant component', () => {
    expect(
      evaluate(
        entity('Component', {
          'cost-center': 'CC-1234',
          environment: 'production',
        }),
        {
          ownerIsGroup: true,
        },
      ),
    ).toEqual([]);
  });

  it('reports each missing required tag', () => {
    const violations = evaluate(
      entity('Component', { environment: 'staging' }),
    );
    expect(violations).toEqual([
      expect.objectContaining({
        rule: 'required-tag',
        key: 'cost-center',
        severity: 'error',
      }),
    ]);
    expect(violations[0].message).toContain('tags.cloud-ops.io/cost-center');
  });

  it('treats an empty value as missing', () => {
    expect(
      evaluate(
        entity('Component', { 'cost-center': 'CC-1234', environment: '' }),
      ),
    ).toEqual([
      expect.objectContaining({ rule: 'required-tag', key: 'environment' }),
    ]);
  });

  it('rejects values outside the allowed list', () => {
    expect(
      evaluate(
        entity('Component', { 'cost-center': 'CC-1234', environment: 'prod' }),
      ),
    ).toEqual([
      expect.objectContaining({
        rule: 'allowed-values',
        key: 'environment',
        message: expect.stringContaining('production, staging, development'),
      }),
    ]);
  });

  it('anchors patterns to the whole value', () => {
    expect(
      evaluate(
        entity('Component', {
          'cost-center': 'xCC-12345',
          environment: 'staging',
        }),
      ),
    ).toEqual([
      expect.objectContaining({ rule: 'pattern', key: 'cost-center' }),
    ]);
  });

  it('matches kind case-insensitively and type exactly', () => {
    const db = entity(
      'resource',
      {},
      { type: 'database', owner: 'group:default/a' },
    );
    expect(evaluate(db)).toEqual([
      expect.objectContaining({
        rule: 'required-tag',
        key: 'data-classification',
        severity: 'warning',
      }),
    ]);
    const bucket = entity(
      'Resource',
      {},
      { type: 's3-bucket', owner: 'group:default/a' },
    );
    expect(evaluate(bucket)).toEqual([]);
  });

  it('ignores kinds without rules', () => {
    expect(evaluate(entity('System', {}))).toEqual([]);
  });

  it('applies the owner rule only when the owner was checked', () => {
    const e = entity('System', {});
    expect(evaluate(e)).toEqual([]);
    expect(evaluate(e, { ownerIsGroup: false })).toEqual([
      expect.objectContaining({ rule: 'owner', severity: 'error' }),
    ]);
    expect(evaluate(entity('System', {}, {}), { ownerIsGroup: true })).toEqual([
      expect.objectContaining({
        rule: 'owner',
        message: expect.stringContaining('no owner'),
      }),
    ]);
  });

  it('lets the owner rule be disabled or downgraded', () => {
    const e = entity('System', {});
    expect(
      evaluateTagPolicy({ rules: [], owner: { enabled: false } }, e, {
        ownerIsGroup: false,
      }),
    ).toEqual([]);
    expect(
      evaluateTagPolicy({ rules: [], owner: { severity: 'warning' } }, e, {
        ownerIsGroup: false,
      }),
    ).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('lets a key override the rule severity', () => {
    const evaluator = compileTagPolicy({
      rules: [
        {
          kind: 'Component',
          required: ['team-email'],
          keys: { 'team-email': { severity: 'warning' } },
        },
      ],
    });
    expect(evaluator(entity('Component', {}))).toEqual([
      expect.objectContaining({ key: 'team-email', severity: 'warning' }),
    ]);
  });

  it('validates policies and names every problem', () => {
    expect(validateTagPolicy(policy)).toEqual([]);
    expect(validateTagPolicy(null)).toHaveLength(1);
    expect(
      validateTagPolicy({
        rules: [
          {
            kind: '',
            severity: 'fatal',
            required: [1],
            keys: { a: { pattern: '(' } },
          },
        ],
        owner: { severity: 'loud' },
      }),
    ).toEqual([
      expect.stringContaining('rules[0].kind'),
      expect.stringContaining('rules[0].severity'),
      expect.stringContaining('rules[0].required'),
      expect.stringContaining('rules[0].keys.a.pattern'),
      expect.stringContaining('owner.severity'),
    ]);
    expect(() =>
      compileTagPolicy({
        rules: [{ kind: 'Component', keys: { a: { pattern: '[' } } }],
      }),
    ).toThrow(/rules\[0\]\.keys\.a\.pattern/);
  });
});
