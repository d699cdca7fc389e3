import type { Entity } from '@backstage/catalog-model';
import {
  fromAwsTags,
  getEntityTags,
  toAwsTags,
  toTagAnnotations,
} from './tags';

describe('entity <-> AWS tag mapping', () => {
  it('round-trips key/value tags through annotations and AWS tags', () => {
    const tags = { 'cost-center': 'CC-1001', environment: 'production' };
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        annotations: { ...toTagAnnotations(tags), other: 'x' },
      },
    };
    expect(entity.metadata.annotations).toMatchObject({
      'tags.cloud-ops.io/cost-center': 'CC-1001',
      'tags.cloud-ops.io/environment': 'production',
    });
    expect(getEntityTags(entity)).toEqual(tags);
    expect(toAwsTags(getEntityTags(entity))).toEqual([
      { Key: 'cost-center', Value: 'CC-1001' },
      { Key: 'environment', Value: 'production' },
    ]);
    expect(fromAwsTags(toAwsTags(tags)).tags).toEqual(tags);
  });

  it('separates reserved and unrepresentable AWS tags', () => {
    expect(
      fromAwsTags([
        { Key: 'cloud-ops.io/owner', Value: 'group:default/payments' },
        { Key: 'cloud-ops.io/rfc', Value: 'RFC-000007' },
        { Key: 'aws:cloudformation:stack-name', Value: 'SC-1234' },
        { Key: 'Name', Value: 'payments-api-1' },
      ]),
    ).toEqual({
      reserved: { owner: 'group:default/payments', rfc: 'RFC-000007' },
      tags: { Name: 'payments-api-1' },
      unrepresentable: { 'aws:cloudformation:stack-name': 'SC-1234' },
    });
  });

  it('refuses keys and values an entity cannot carry', () => {
    expect(() => toTagAnnotations({ 'cost center': 'x' })).toThrow(
      /Tag key "cost center" cannot be stored/,
    );
    expect(() => toTagAnnotations({ notes: 'x'.repeat(257) })).toThrow(
      /longer than 256/,
    );
  });
});
