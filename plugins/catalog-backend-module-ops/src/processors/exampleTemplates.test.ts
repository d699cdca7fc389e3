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
    return r.entity;
  });
}

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
      const processed =
        await new ChangeTypeTemplateProcessor().postProcessEntity(
          template,
          { type: 'file', target: 'x' },
          emit,
        );
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
      expect(properties.environment.enum).toEqual(['dev', 'staging', 'prod']);
      expect(properties.costCenter.pattern).toBeDefined();
      expect(required).toEqual(
        expect.arrayContaining([
          'owner',
          'component',
          'environment',
          'costCenter',
        ]),
      );
      // Beyond the shared fields, each change type asks for its own.
      expect(Object.keys(properties).length).toBeGreaterThan(5);

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

  it('has four change types that provision; the rest record an RFC, and close it at once when pre-approved and automated', () => {
    expect(provisioning).toHaveLength(4);
    const others = templates.filter(
      t => !provisioning.some(([name]) => name === t.metadata.name),
    );
    for (const t of others) {
      const parsed = parseChangeType(t);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const expected =
        parsed.changeType.automation === 'automated'
          ? ['ops:rfc:create', 'ops:rfc:await-approval', 'ops:rfc:complete']
          : ['ops:rfc:create'];
      expect({
        name: t.metadata.name,
        steps: (t.spec!.steps as any[]).map(s => s.action),
      }).toEqual({ name: t.metadata.name, steps: expected });
    }
    expect(others).toHaveLength(9);
  });

  it.each(provisioning)(
    '%s provisions the product its annotations name, which the sandbox offers',
    (_name, template, serviceCatalog) => {
      const steps = template.spec!.steps as Array<{
        action: string;
        input: any;
      }>;
      expect(steps.map(s => s.action)).toEqual([
        'ops:rfc:create',
        'ops:rfc:await-approval',
        'aws:servicecatalog:provision',
        'ops:rfc:complete',
      ]);
      // The task can be retried once the RFC is approved (docs/change-types.md).
      expect(template.spec!.EXPERIMENTAL_recovery).toEqual({
        EXPERIMENTAL_strategy: 'startOver',
      });
      const provision = steps[2];
      expect(provision.input).toMatchObject({
        productId: serviceCatalog.productId,
        provisioningArtifactId: serviceCatalog.provisioningArtifactId,
      });
      const product = SANDBOX_PRODUCTS.find(
        p => p.productId === serviceCatalog.productId,
      );
      expect(Object.keys(provision.input.parameters)).toEqual(
        expect.arrayContaining(product!.requiredParameters),
      );
    },
  );
});
