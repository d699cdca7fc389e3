import type { Entity } from '@backstage/catalog-model';
import {
  CHANGE_TYPE_ANNOTATIONS as K,
  changeTypeGovernanceProblems,
  isChangeTypeAllowedFor,
  isTrustedLocation,
  parseChangeType,
  validateChangeTypeSteps,
} from './changeType';

const intake = (changeTypeId = 'ec2-linux-stack') => ({
  id: 'rfc',
  action: 'ops:rfc:create',
  input: { changeTypeId, parameters: '${{ parameters }}' },
});
const provision = {
  id: 'provision',
  if: '${{ steps.rfc.output.execution }}',
  action: 'aws:servicecatalog:provision',
};

const template = (
  annotations: Record<string, string>,
  steps: unknown[] = [intake(annotations[K.id]), provision],
): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'ec2-linux-stack', title: 'EC2 Linux stack', annotations },
  spec: { steps: steps as any },
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
      template({ ...valid, [K.operation]: 'set-maintenance-window' }, [
        intake(),
        provision,
        {
          id: 'window',
          if: '${{ steps.rfc.output.execution }}',
          action: 'aws:ssm:set-maintenance-window',
        },
      ]),
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

describe('validateChangeTypeSteps', () => {
  const automated = { id: 'ec2-linux-stack', automation: 'automated' as const };
  const product = {
    ...automated,
    serviceCatalog: {
      productId: 'prod-abcd',
      provisioningArtifactId: 'pa-abcd',
    },
  };
  const follow = {
    id: 'follow',
    if: '${{ not steps.rfc.output.execution }}',
    action: 'ops:rfc:follow',
  };
  const check = (steps: unknown[], changeType: any = product) =>
    validateChangeTypeSteps(template(valid, steps), changeType);

  it('accepts the intake, a follow for the person and automation for the execution', () => {
    expect(check([intake(), follow, provision])).toEqual([]);
    // Any scaffolder action may carry a change type out.
    expect(
      check(
        [
          intake(),
          {
            id: 'notify',
            if: '${{steps.rfc.output.execution}}',
            action: 'notification:send',
          },
        ],
        automated,
      ),
    ).toEqual([]);
  });

  it('needs the intake first, storing the whole form', () => {
    expect(check([provision])).toEqual([
      expect.stringContaining('the first step must be ops:rfc:create'),
    ]);
    expect(check([])).toEqual([
      expect.stringContaining('starts with an ops:rfc:create step'),
    ]);
    const partial = {
      ...intake(),
      input: { changeTypeId: 'ec2-linux-stack', parameters: { a: 1 } },
    };
    expect(check([partial, provision])).toEqual([
      expect.stringContaining(
        'spec.steps[0].input.parameters: must be ${{ parameters }}',
      ),
    ]);
    expect(check([intake('another'), provision])).toEqual([
      expect.stringContaining('spec.steps[0].input.changeTypeId'),
    ]);
  });

  it("refuses an automation step that would run in the person's run", () => {
    const unguarded = {
      id: 'provision',
      action: 'aws:servicecatalog:provision',
    };
    expect(check([intake(), unguarded])).toEqual([
      expect.stringMatching(
        /spec.steps\[1\] \(provision\): aws:servicecatalog:provision is an automation step .* add if: \$\{\{ steps.rfc.output.execution \}\}/,
      ),
    ]);
    const wrongStep = {
      ...provision,
      if: '${{ steps.other.output.execution }}',
    };
    expect(check([intake(), wrongStep])).toHaveLength(1);
    const widened = {
      ...provision,
      if: '${{ steps.rfc.output.execution or parameters.force }}',
    };
    expect(check([intake(), widened])).toHaveLength(1);
  });

  it('keeps the follow out of the execution run, and a second intake out', () => {
    expect(check([intake(), { ...follow, if: undefined }, provision])).toEqual([
      expect.stringContaining("ops:rfc:follow runs only in the person's run"),
    ]);
    expect(check([intake(), intake(), provision])).toEqual([
      expect.stringContaining('may only be the first step'),
    ]);
  });

  it('gives manual change types no automation and automated ones at least one', () => {
    expect(
      check([intake(), provision], { ...product, automation: 'manual' }),
    ).toEqual([
      expect.stringContaining('a manual change type has no automation steps'),
    ]);
    expect(check([intake()], automated)).toEqual([
      expect.stringContaining('needs at least one automation step'),
    ]);
  });

  it('ties provisioning and settings actions to the annotations', () => {
    expect(check([intake(), follow, { ...provision }], automated)).toEqual([
      expect.stringContaining('name none'),
    ]);
    expect(
      check([intake(), { ...provision, action: 'debug:log' }], product),
    ).toEqual([
      expect.stringContaining('needs a aws:servicecatalog:provision step'),
    ]);
    const window = { ...provision, action: 'aws:ssm:set-maintenance-window' };
    expect(check([intake(), window], automated)).toEqual([
      expect.stringContaining(
        'set annotation cloud-ops.io/operation to set-maintenance-window',
      ),
    ]);
    expect(
      check([intake(), { ...provision, action: 'debug:log' }], {
        ...automated,
        operation: 'set-maintenance-window',
      }),
    ).toEqual([
      expect.stringContaining('carried out by aws:ssm:set-maintenance-window'),
    ]);
  });

  it('makes parseChangeType refuse a template with these problems', () => {
    const result = parseChangeType(template(valid, [intake()]));
    expect(result.ok).toBe(false);
  });
});

describe('allowed groups', () => {
  it('reads them as full group refs and decides who may request', () => {
    const result = parseChangeType(
      template({
        ...valid,
        [K.allowedGroups]: 'payments, group:default/Central-IT,group:ops/dba',
      }),
    );
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.changeType.allowedGroups).toEqual([
      'group:default/payments',
      'group:default/central-it',
      'group:ops/dba',
    ]);
    expect(
      isChangeTypeAllowedFor(result.changeType, [
        'user:default/ana',
        'group:default/payments',
      ]),
    ).toBe(true);
    expect(
      isChangeTypeAllowedFor(result.changeType, [
        'user:default/wei',
        'group:default/web',
      ]),
    ).toBe(false);
    expect(isChangeTypeAllowedFor({}, ['user:default/wei'])).toBe(true);
  });

  it('names a malformed entry', () => {
    const result = parseChangeType(
      template({ ...valid, [K.allowedGroups]: 'payments, user:default/ana' }),
    );
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringContaining('got "user:default/ana"'),
    ]);
  });
});

describe('governance of the approved catalog', () => {
  const trusted = [
    'url:https://github.com/acme/change-types/blob/main/*',
    'file:/srv/portal/templates/rds.yaml',
  ];

  it('trusts a location under a trusted prefix or equal to a trusted ref', () => {
    expect(
      isTrustedLocation(
        'url:https://github.com/acme/change-types/blob/main/rds/template.yaml',
        trusted,
      ),
    ).toBe(true);
    expect(
      isTrustedLocation('file:/srv/portal/templates/rds.yaml', trusted),
    ).toBe(true);
    expect(
      isTrustedLocation('file:/srv/portal/templates/rds.yaml.bak', trusted),
    ).toBe(false);
    expect(
      isTrustedLocation(
        'url:https://github.com/acme/change-types-fork/blob/main/t.yaml',
        trusted,
      ),
    ).toBe(false);
    expect(isTrustedLocation('url:https://x/t.yaml', [])).toBe(false);
  });

  it('never trusts a ref that climbs out of the prefix with dot segments', () => {
    for (const climb of [
      'url:https://github.com/acme/change-types/blob/main/../../evil/blob/main/t.yaml',
      'url:https://github.com/acme/change-types/blob/main/%2e%2e/%2E%2E/evil/t.yaml',
      'url:https://github.com/acme/change-types/blob/main/./t.yaml',
      'url:https://github.com/acme/change-types/blob/main/..',
    ]) {
      expect(isTrustedLocation(climb, trusted)).toBe(false);
    }
    // A dot inside a name is no segment of its own.
    expect(
      isTrustedLocation(
        'url:https://github.com/acme/change-types/blob/main/rds..v2/t.yaml',
        trusted,
      ),
    ).toBe(true);
  });

  const governed = (owner: string | number, location?: string): Entity => ({
    ...template(valid),
    metadata: {
      ...template(valid).metadata,
      annotations: {
        ...template(valid).metadata.annotations,
        ...(location
          ? {
              'backstage.io/managed-by-location': location,
              'backstage.io/managed-by-origin-location': location,
            }
          : {}),
      },
    },
    spec: { ...template(valid).spec, owner },
  });
  const governance = {
    centralItGroup: 'group:default/central-it',
    trustedLocations: trusted,
  };

  it('accepts a Central IT template from a trusted location, in any owner ref form', () => {
    const at = 'file:/srv/portal/templates/rds.yaml';
    expect(
      changeTypeGovernanceProblems(governed('central-it', at), governance),
    ).toEqual([]);
    expect(
      changeTypeGovernanceProblems(
        governed('group:default/Central-IT', at),
        governance,
      ),
    ).toEqual([]);
  });

  it('names each problem: another owner, no owner, an untrusted or unknown location', () => {
    expect(
      changeTypeGovernanceProblems(
        governed('group:default/payments', 'file:/tmp/t.yaml'),
        governance,
      ),
    ).toEqual([
      expect.stringContaining('it is owned by group:default/payments'),
      expect.stringContaining(
        'backstage.io/managed-by-origin-location: file:/tmp/t.yaml is not a trusted location',
      ),
      expect.stringContaining(
        'backstage.io/managed-by-location: file:/tmp/t.yaml is not a trusted location',
      ),
    ]);
    expect(changeTypeGovernanceProblems(governed(42), governance)).toEqual([
      expect.stringContaining('it is owned by nobody'),
      expect.stringContaining('did not say where this template comes from'),
      expect.stringContaining('did not say where this template comes from'),
    ]);
  });
});

describe('schedule annotations', () => {
  it('reads emergency, maintenance-window and critical-security-update flags', () => {
    const result = parseChangeType(
      template({
        ...valid,
        [K.approval]: 'by-origin',
        [K.emergency]: 'true',
        [K.maintenanceWindow]: 'required',
        [K.criticalSecurityUpdate]: 'true',
      }),
    );
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.changeType).toMatchObject({
      emergency: true,
      needsMaintenanceWindow: true,
      criticalSecurityUpdate: true,
    });
    const plain = parseChangeType(template(valid));
    expect(plain.ok && plain.changeType).not.toHaveProperty('emergency');
  });

  it('names a flag with another value, and an emergency that needs no approval', () => {
    const result = parseChangeType(
      template({
        ...valid,
        [K.emergency]: 'yes',
        [K.maintenanceWindow]: 'true',
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual([
      'annotation cloud-ops.io/emergency must be "true" when set; got "yes"',
      'annotation cloud-ops.io/maintenance-window must be "required" when set; got "true"',
    ]);
    const preApproved = parseChangeType(
      template({ ...valid, [K.emergency]: 'true' }),
    );
    expect(preApproved.ok ? [] : preApproved.errors).toEqual([
      expect.stringContaining('an emergency change needs one approval'),
    ]);
  });
});
