import type { Entity } from '@backstage/catalog-model';
import { CHANGE_TYPE_ANNOTATIONS as K, parseChangeType } from './changeType';

const template = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'ec2-linux-stack', title: 'EC2 Linux stack', annotations },
  spec: {},
});

const valid = {
  [K.id]: 'ec2-linux-stack',
  [K.version]: '1.2.0',
  [K.classification]: 'Deployment/Standard stacks/EC2 stack/Create',
  [K.automation]: 'automated',
  [K.approval]: 'none',
  [K.expectedDuration]: 'PT15M',
  [K.risk]: 'low',
  [K.productId]: 'prod-ec2linux01',
  [K.artifactId]: 'pa-ec2linux01v1',
  [K.region]: 'eu-west-1',
};

describe('parseChangeType', () => {
  it('reads every field of a valid change type', () => {
    const result = parseChangeType(template(valid));
    expect(result).toEqual({
      ok: true,
      changeType: {
        templateRef: 'template:default/ec2-linux-stack',
        id: 'ec2-linux-stack',
        version: '1.2.0',
        title: 'EC2 Linux stack',
        classification: {
          category: 'Deployment',
          subcategory: 'Standard stacks',
          item: 'EC2 stack',
          operation: 'Create',
        },
        automation: 'automated',
        approval: 'none',
        expectedDuration: 'PT15M',
        risk: 'low',
        serviceCatalog: {
          productId: 'prod-ec2linux01',
          provisioningArtifactId: 'pa-ec2linux01v1',
          region: 'eu-west-1',
        },
      },
    });
  });

  it('reports every invalid field at once, naming the annotation', () => {
    const result = parseChangeType(
      template({
        [K.id]: 'EC2 Stack',
        [K.classification]: 'Deployment/Create',
        [K.automation]: 'sometimes',
        [K.approval]: 'whoever',
        [K.expectedDuration]: '15 minutes',
        [K.risk]: 'low',
        [K.productId]: 'prod-abcd1234',
      }),
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual([
      `annotation ${K.id} must be lowercase words joined by dashes; got "EC2 Stack"`,
      `annotation ${K.version} is required`,
      `annotation ${K.classification} must be category/subcategory/item/operation; got "Deployment/Create"`,
      `annotation ${K.automation} must be one of automated, manual; got "sometimes"`,
      `annotation ${K.approval} must be one of by-origin, central-it, owning-team, none, none-if-submitter-approves; got "whoever"`,
      `annotation ${K.expectedDuration} must be an ISO 8601 duration such as PT30M or P1DT2H; got "15 minutes"`,
      `annotation ${K.artifactId} must be a provisioning artifact id such as pa-abcd1234 when ${K.productId} is set`,
    ]);
  });

  it('marks deprecated change types with their message', () => {
    const result = parseChangeType(
      template({ ...valid, [K.deprecated]: 'Use ec2-linux-stack 2.0' }),
    );
    expect(result.ok && result.changeType.deprecated).toEqual({
      message: 'Use ec2-linux-stack 2.0',
    });
    const notDeprecated = parseChangeType(
      template({ ...valid, [K.deprecated]: 'false' }),
    );
    expect(notDeprecated.ok && notDeprecated.changeType.deprecated).toBe(
      undefined,
    );
  });

  it('reads the operation a change type performs', () => {
    const result = parseChangeType(
      template({ ...valid, [K.operation]: 'set-maintenance-window' }),
    );
    expect(result.ok && result.changeType.operation).toBe(
      'set-maintenance-window',
    );
    const without = parseChangeType(template(valid));
    expect(without.ok && 'operation' in without.changeType).toBe(false);
  });

  it('refuses an unknown operation, naming the allowed ones', () => {
    const result = parseChangeType(
      template({ ...valid, [K.operation]: 'reboot' }),
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      `annotation ${K.operation} must be one of set-maintenance-window, exclude-from-patching, include-in-patching, reject-update, apply-update, set-backup-schedule, restore-from-recovery-point, take-snapshot; got "reboot"`,
    ]);
  });

  it('refuses entities that are not templates', () => {
    const result = parseChangeType({ ...template(valid), kind: 'Component' });
    expect(result).toEqual({
      ok: false,
      errors: ['a change type must be a Template entity, not Component'],
    });
  });
});
