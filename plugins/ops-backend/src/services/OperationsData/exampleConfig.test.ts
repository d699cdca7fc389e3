import type { Entity } from '@backstage/catalog-model';
import {
  compileTagPolicy,
  validateTagPolicy,
} from '@cloud-ops/plugin-ops-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '../../../../..');

describe('the shipped tag policy against the example entities', () => {
  const policy = parse(
    fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
  ).ops.tagPolicy;
  const entities = parseAllDocuments(
    fs.readFileSync(path.join(root, 'examples/entities.yaml'), 'utf8'),
  ).map(d => d.toJSON() as Entity);

  it('is a valid policy', () => {
    expect(validateTagPolicy(policy)).toEqual([]);
  });

  it('passes the tagged components and flags the untagged ones', () => {
    const evaluate = compileTagPolicy(policy);
    const byName = Object.fromEntries(
      entities.map(e => [e.metadata.name, evaluate(e, { ownerIsGroup: true })]),
    );
    expect(byName['payments-api']).toEqual([]);
    expect(byName['payments-ledger']).toEqual([]);
    expect(byName.storefront).toEqual([]);
    expect(byName['catalog-search']).toEqual([
      expect.objectContaining({
        rule: 'required-tag',
        key: 'cost-center',
        severity: 'error',
      }),
    ]);
    expect(byName['payments-db']).toEqual([]);
    expect(byName['storefront-assets']).toEqual([
      expect.objectContaining({
        rule: 'required-tag',
        key: 'cost-center',
        severity: 'warning',
      }),
    ]);
  });
});
