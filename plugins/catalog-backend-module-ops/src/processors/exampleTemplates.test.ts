import fs from 'node:fs';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import {
  CatalogProcessorResult,
  parseEntityYaml,
} from '@backstage/plugin-catalog-node';
import { parseChangeType } from '@cloud-ops/plugin-ops-common';
import { SANDBOX_PRODUCTS } from '@cloud-ops/plugin-ops-node';
import { ChangeTypeTemplateProcessor } from './ChangeTypeTemplateProcessor';

const dir = path.resolve(__dirname, '../../../../examples/templates');

function load(file: string): Entity[] {
  const location = { type: 'file', target: path.join(dir, file) };
  const results = [
    ...parseEntityYaml(fs.readFileSync(location.target), location),
  ] as CatalogProcessorResult[];
  return results.map(r => {
    if (r.type !== 'entity') throw new Error(`${file}: ${JSON.stringify(r)}`);
    // As the catalog records where it read them, through all.yaml.
    r.entity.metadata.annotations = {
      ...r.entity.metadata.annotations,
      'backstage.io/managed-by-origin-location': `file:${path.join(
        dir,
        'all.yaml',
      )}`,
      'backstage.io/managed-by-location': `file:${location.target}`,
    };
    return r.entity;
  });
}

/** What app-config.yaml trusts, resolved as the backend resolves it. */
const governance = {
  centralItGroup: 'group:default/central-it',
  trustedLocations: [`file:${dir}${path.sep}*`],
};

const templates = fs
  .readdirSync(dir)
  .filter(f => f.endsWith('.yaml') && f !== 'all.yaml')
  .flatMap(load);

describe('example change types', () => {
  it('covers the required change types', () => {
    const byId = Object.fromEntries(
      templates.map(t => {
        const parsed = parseChangeType(t);
        if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
        return [parsed.changeType.id, parsed.changeType];
      }),
    );
    expect(byId['ec2-linux-stack']).toMatchObject({
      automation: 'automated',
      approval: 'none',
    });
    expect(byId['s3-bucket']).toMatchObject({
      automation: 'automated',
      approval: 'none',
    });
    expect(byId['rds-postgres']).toMatchObject({ approval: 'central-it' });
    expect(byId['access-request']).toMatchObject({ automation: 'manual' });
    expect(byId['restore-stack-from-snapshot'].serviceCatalog).toBeDefined();
    expect(byId['exclude-stack-from-patching']).toBeDefined();
  });

  it('lists every template in the catalog location file', () => {
    const [location] = load('all.yaml');
    const targets = (location.spec!.targets as string[]).map(t =>
      path.basename(t),
    );
    expect(targets.sort()).toEqual(
      fs
        .readdirSync(dir)
        .filter(f => f.endsWith('.yaml') && f !== 'all.yaml')
        .sort(),
    );
  });

  it.each(templates.map(t => [t.metadata.name, t] as const))(
    '%s passes the processor and has a real form',
    async (_name, template) => {
      const emit = jest.fn();
      const processed = await new ChangeTypeTemplateProcessor({
        governance,
      }).postProcessEntity(template, { type: 'file', target: 'x' }, emit);
      expect(emit).not.toHaveBeenCalled();
      // A valid change type comes back untouched: no processing errors.
      expect(processed).toBe(template);

      const steps = template.spec!.parameters as Array<{
        properties: Record<string, any>;
        required?: string[];
      }>;
      const properties = Object.assign({}, ...steps.map(s => s.properties));
      const required = steps.flatMap(s => s.required ?? []);
      expect(properties.owner['ui:field']).toBe('OwnerPicker');
      expect(properties.component['ui:field']).toBe('EntityPicker');
      expect(required).toEqual(expect.arrayContaining(['owner', 'component']));
      // Beyond the shared fields, each change type asks for its own.
      expect(Object.keys(properties).length).toBeGreaterThan(4);

      expect((template.spec!.steps as any[])[0]).toMatchObject({
        action: 'ops:rfc:create',
        input: {
          changeTypeId:
            template.metadata.annotations!['cloud-ops.io/change-type-id'],
        },
      });
    },
  );

  const provisioning = templates.flatMap(t => {
    const parsed = parseChangeType(t);
    return parsed.ok && parsed.changeType.serviceCatalog
      ? [[t.metadata.name, t, parsed.changeType.serviceCatalog] as const]
      : [];
  });

  const changingAws = templates.filter(t => {
    const parsed = parseChangeType(t);
    return (
      parsed.ok &&
      (parsed.changeType.serviceCatalog || parsed.changeType.operation)
    );
  });
  it.each(changingAws.map(t => [t.metadata.name, t] as const))(
    '%s, which changes AWS, asks for the environment and cost center it is tagged with',
    (_name, template) => {
      const steps = template.spec!.parameters as Array<{
        properties: Record<string, any>;
        required?: string[];
      }>;
      const properties = Object.assign({}, ...steps.map(s => s.properties));
      expect(properties.environment.enum).toEqual(['dev', 'staging', 'prod']);
      expect(properties.costCenter.pattern).toBeDefined();
      expect(steps.flatMap(s => s.required ?? [])).toEqual(
        expect.arrayContaining(['environment', 'costCenter']),
      );
    },
  );

  it('has four change types that provision, two manual, and the rest carried out by an action', () => {
    expect(provisioning).toHaveLength(4);
    const kinds = templates.map(t => {
      const parsed = parseChangeType(t);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      return parsed.changeType;
    });
    expect(kinds.filter(k => k.automation === 'manual').map(k => k.id)).toEqual(
      ['access-request', 'emergency-change'],
    );
    // The change schedule's flags, each on the change type it belongs to.
    expect(kinds.filter(k => k.emergency).map(k => k.id)).toEqual([
      'emergency-change',
    ]);
    expect(kinds.filter(k => k.criticalSecurityUpdate).map(k => k.id)).toEqual([
      'apply-critical-security-update',
    ]);
    expect(kinds.filter(k => k.needsMaintenanceWindow).map(k => k.id)).toEqual([
      'restore-stack-from-snapshot',
    ]);
    // One change type is automated with an action from outside the suite.
    const announce = templates.find(
      t => t.metadata.name === 'announce-planned-downtime',
    )!;
    expect((announce.spec!.steps as any[]).map(s => s.action)).toEqual([
      'ops:rfc:create',
      'ops:rfc:follow',
      'notification:send',
    ]);
  });

  it.each(templates.map(t => [t.metadata.name, t] as const))(
    '%s has two runs: the person records the RFC, the execution does the work',
    (_name, template) => {
      const parsed = parseChangeType(template);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const steps = template.spec!.steps as Array<{
        action: string;
        if?: string;
      }>;
      expect(steps[0].action).toBe('ops:rfc:create');
      for (const step of steps.slice(1)) {
        expect(step.if).toBe(
          step.action === 'ops:rfc:follow'
            ? '${{ not steps.rfc.output.execution }}'
            : '${{ steps.rfc.output.execution }}',
        );
      }
      // Only pre-approved change types follow their execution; the others end
      // the person's run at submission, holding no worker while people decide.
      expect(steps.some(s => s.action === 'ops:rfc:follow')).toBe(
        parsed.changeType.approval === 'none',
      );
      // Recovered execution runs start over; checkpoints and tokens keep
      // their writes from repeating. Manual ones have no execution run.
      expect(template.spec!.EXPERIMENTAL_recovery).toEqual(
        parsed.changeType.automation === 'automated'
          ? { EXPERIMENTAL_strategy: 'startOver' }
          : undefined,
      );
    },
  );

  it.each(provisioning)(
    '%s provisions, in the execution run, with inputs only from the RFC and its form',
    (_name, template, serviceCatalog) => {
      const steps = template.spec!.steps as Array<{
        action: string;
        input: any;
      }>;
      const provision = steps.find(
        s => s.action === 'aws:servicecatalog:provision',
      )!;
      // The product comes from the pinned binding, not the step.
      for (const key of [
        'productId',
        'provisioningArtifactId',
        'account',
        'region',
        'owner',
        'entityRef',
        'rfcId',
      ]) {
        expect(provision.input).not.toHaveProperty(key);
      }
      const product = SANDBOX_PRODUCTS.find(
        p => p.productId === serviceCatalog.productId,
      );
      expect(Object.keys(provision.input.parameters)).toEqual(
        expect.arrayContaining(product!.requiredParameters),
      );
    },
  );
});
