import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';
import {
  RELATION_REQUESTABLE_BY,
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
  opsCatalogConditions,
} from './rules';
import { changeTypeTemplate } from './__testUtils__/changeTypeTemplate';

const payments = ['user:default/ana', 'group:default/payments'];
const web = ['user:default/wei', 'group:default/web'];
const apply = isChangeTypeAllowedForRule.apply;

describe('IS_CHANGE_TYPE_ALLOWED_FOR', () => {
  it('allows everyone an entity without the annotation', () => {
    expect(apply(changeTypeTemplate('open'), { claims: web })).toBe(true);
    expect(
      apply(
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'api' },
        },
        { claims: [] },
      ),
    ).toBe(true);
  });

  it('allows members of a listed group, in any of the ref forms the annotation accepts', () => {
    const entity = changeTypeTemplate('db-admin', {
      allowedGroups: 'group:default/dba, payments',
    });
    expect(apply(entity, { claims: payments })).toBe(true);
    expect(apply(entity, { claims: ['group:default/dba'] })).toBe(true);
    expect(apply(entity, { claims: web })).toBe(false);
  });

  it('hides an entity whose annotation cannot be read as a change type', () => {
    const malformed = changeTypeTemplate('db-admin', {
      allowedGroups: 'payments, not a group',
    });
    expect(apply(malformed, { claims: payments })).toBe(false);
    const notATemplate = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'api',
        annotations: { [CHANGE_TYPE_ANNOTATIONS.allowedGroups]: 'payments' },
      },
    };
    expect(apply(notATemplate, { claims: payments })).toBe(false);
  });

  it('queries the catalog for entities without the annotation or with a relation to one of the claims', () => {
    expect(isChangeTypeAllowedForRule.toQuery({ claims: payments })).toEqual({
      anyOf: [
        {
          not: {
            key: 'metadata.annotations.cloud-ops.io/allowed-groups',
          },
        },
        {
          key: `relations.${RELATION_REQUESTABLE_BY}`,
          values: payments,
        },
      ],
    });
  });

  it('exports a condition for policies, on the catalog plugin', () => {
    expect(
      opsCatalogConditions.isChangeTypeAllowedFor({ claims: payments }),
    ).toEqual({
      rule: 'IS_CHANGE_TYPE_ALLOWED_FOR',
      resourceType: 'catalog-entity',
      params: { claims: payments },
    });
  });
});

describe('IS_NOT_REFUSED_CHANGE_TYPE', () => {
  const refused = changeTypeTemplate('forged', {
    annotations: { [CHANGE_TYPE_ANNOTATIONS.refused]: 'true' },
  });

  it('hides a template the catalog refused, whatever the annotation holds, and nothing else', () => {
    expect(isNotRefusedChangeTypeRule.apply(refused, {})).toBe(false);
    expect(
      isNotRefusedChangeTypeRule.apply(
        changeTypeTemplate('forged', {
          annotations: { [CHANGE_TYPE_ANNOTATIONS.refused]: 'false' },
        }),
        {},
      ),
    ).toBe(false);
    expect(
      isNotRefusedChangeTypeRule.apply(changeTypeTemplate('governed'), {}),
    ).toBe(true);
  });

  it('queries the catalog for entities without the annotation, and exports a condition', () => {
    expect(isNotRefusedChangeTypeRule.toQuery({})).toEqual({
      not: { key: 'metadata.annotations.cloud-ops.io/change-type-refused' },
    });
    expect(opsCatalogConditions.isNotRefusedChangeType({})).toEqual({
      rule: 'IS_NOT_REFUSED_CHANGE_TYPE',
      resourceType: 'catalog-entity',
      params: {},
    });
  });
});
