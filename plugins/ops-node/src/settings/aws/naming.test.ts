import { InputError } from '@backstage/errors';
import {
  selectorPairs,
  stackResourceNames,
  stackSlug,
  suffixedToken,
} from './naming';
import { dbSnapshotIdentifier } from './snapshots';

describe('naming', () => {
  it('derives the slug from kind, namespace and name, lower-cased and cleaned', () => {
    expect(stackSlug('resource:default/orders-db')).toBe(
      'resource-default-orders-db',
    );
    expect(stackSlug('Resource:Payments/Orders DB#1')).toBe(
      'resource-payments-orders-db-1',
    );
    expect(stackSlug('component:storefront_web.v2')).toBe(
      'component-default-storefront_web.v2',
    );
    expect(() => stackSlug('orders-db')).toThrow(InputError);
  });

  it('keeps names within each API limit, telling long names apart', () => {
    const long = `resource:default/${'x'.repeat(200)}`;
    const longer = `resource:default/${'x'.repeat(201)}`;
    expect(stackSlug(long)).toHaveLength(128);
    const names = stackResourceNames(long);
    expect(names.window).toHaveLength(128);
    expect(names.window.startsWith('ops-patch-resource-default-xxx')).toBe(
      true,
    );
    expect(names.plan).toHaveLength(50);
    expect(names.selection).toHaveLength(50);
    expect(stackResourceNames(longer).plan).not.toBe(names.plan);
    expect(stackResourceNames('resource:default/orders-db')).toEqual({
      window: 'ops-patch-resource-default-orders-db',
      baseline: 'ops-resource-default-orders-db',
      patchGroup: 'ops-resource-default-orders-db',
      plan: 'ops-resource-default-orders-db',
      selection: 'ops-resource-default-orders-db',
    });
  });

  it('suffixes tokens stably within 64 characters', () => {
    expect(suffixedToken('ops-RFC-000042-a1', 'target')).toBe(
      'ops-RFC-000042-a1-target',
    );
    const long = 't'.repeat(64);
    expect(suffixedToken(long, 'target')).toHaveLength(64);
    expect(suffixedToken(long, 'target')).toBe(suffixedToken(long, 'target'));
    expect(suffixedToken(long, 'target')).not.toBe(suffixedToken(long, 'task'));
  });

  it('names DB snapshots as RDS allows', () => {
    expect(dbSnapshotIdentifier('ops-RFC-000042-a1', 'orders-db')).toBe(
      'ops-rfc-000042-a1-orders-db',
    );
    expect(dbSnapshotIdentifier('9_tok--en', 'db')).toBe('ops-9-tok-en-db');
  });

  it('refuses a stack without a selector, or with more pairs than SSM takes', () => {
    const stack = {
      account: '1',
      region: 'eu-west-1',
      entityRef: 'resource:default/x',
      selector: {},
    };
    expect(() => selectorPairs(stack)).toThrow(/has no tag selector/);
    const six = Object.fromEntries([1, 2, 3, 4, 5, 6].map(n => [`k${n}`, 'v']));
    expect(() => selectorPairs({ ...stack, selector: six }, 5)).toThrow(
      /6 tag selector pairs; SSM targets take at most 5/,
    );
  });
});
