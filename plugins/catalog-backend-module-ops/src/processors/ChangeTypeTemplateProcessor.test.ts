import type { Entity } from '@backstage/catalog-model';
import type { AlphaEntity } from '@backstage/catalog-model/alpha';
import { ChangeTypeTemplateProcessor } from './ChangeTypeTemplateProcessor';

const location = { type: 'file', target: 'examples/templates/ec2.yaml' };

const STEPS = [
  {
    id: 'rfc',
    action: 'ops:rfc:create',
    input: { changeTypeId: 'ec2-linux-stack', parameters: '${{ parameters }}' },
  },
  {
    id: 'provision',
    if: '${{ steps.rfc.output.execution }}',
    action: 'aws:servicecatalog:provision',
  },
];

function template(
  annotations: Record<string, string>,
  steps: unknown[] = STEPS,
): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'ec2-linux-stack', title: 'EC2 stack', annotations },
    spec: {
      type: 'stack',
      owner: 'group:default/central-it',
      steps: steps as any,
    },
  };
}

const TRUSTED = 'file:/srv/change-types/all.yaml';
const governance = {
  centralItGroup: 'group:default/central-it',
  trustedLocations: ['file:/srv/change-types/*'],
};

const valid = {
  'backstage.io/managed-by-origin-location': TRUSTED,
  'backstage.io/managed-by-location': 'file:/srv/change-types/ec2.yaml',
  'cloud-ops.io/change-type-id': 'ec2-linux-stack',
  'cloud-ops.io/change-type-version': '1.0',
  'cloud-ops.io/classification': 'Deployment/Standard stacks/EC2 stack/Create',
  'cloud-ops.io/automation': 'automated',
  'cloud-ops.io/approval': 'none',
  'cloud-ops.io/expected-duration': 'PT30M',
  'cloud-ops.io/risk': 'low',
  'cloud-ops.io/servicecatalog-product-id': 'prod-sandboxec2linux',
  'cloud-ops.io/servicecatalog-artifact-id': 'pa-sandboxec2linuxv1',
};

describe('ChangeTypeTemplateProcessor', () => {
  let processor: ChangeTypeTemplateProcessor;
  beforeEach(() => {
    processor = new ChangeTypeTemplateProcessor({ governance });
  });

  it('accepts a valid change type without errors and leaves it unchanged', async () => {
    const emit = jest.fn();
    const entity = template(valid);
    await expect(
      processor.postProcessEntity(entity, location, emit),
    ).resolves.toBe(entity);
    expect(emit).not.toHaveBeenCalled();
  });

  it("reports an automation step that would run in the person's run as a processing error", async () => {
    const emit = jest.fn();
    const processed = (await processor.postProcessEntity(
      template(valid, [
        STEPS[0],
        { id: 'provision', action: 'aws:servicecatalog:provision' },
      ]),
      location,
      emit,
    )) as AlphaEntity;
    expect(processed.status?.items).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({
          name: 'ChangeTypeError',
          message: expect.stringMatching(
            /spec.steps\[1\] \(provision\).*runs only in the execution of the approved RFC/,
          ),
        }),
      }),
    ]);
  });

  it('accepts a deprecated change type: it stays in the catalog, out of the approved list', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(
      template({
        ...valid,
        'cloud-ops.io/deprecated': 'Use ec2-linux-stack-v2',
      }),
      location,
      emit,
    );
    expect(emit).not.toHaveBeenCalled();
  });

  it('reports every problem as its own processing error on the entity, naming the annotation', async () => {
    const emit = jest.fn();
    const processed = (await processor.postProcessEntity(
      template({
        ...valid,
        'cloud-ops.io/automation': 'sometimes',
        'cloud-ops.io/risk': '',
        'cloud-ops.io/classification': 'Deployment/EC2',
        'cloud-ops.io/servicecatalog-artifact-id': 'v1',
      }),
      location,
      emit,
    )) as AlphaEntity;
    // The entity is kept (not an input error), so its page shows the problems.
    expect(emit).not.toHaveBeenCalled();
    const items = processed.status?.items ?? [];
    expect(
      items.every(
        i =>
          i.type === 'backstage.io/catalog-processing' &&
          i.level === 'error' &&
          i.error?.name === 'ChangeTypeError',
      ),
    ).toBe(true);
    expect(items.map(i => i.error?.message)).toEqual([
      'Change type template:default/ec2-linux-stack is refused: annotation cloud-ops.io/classification must be category/subcategory/item/operation; got "Deployment/EC2"',
      'Change type template:default/ec2-linux-stack is refused: annotation cloud-ops.io/automation must be one of automated, manual; got "sometimes"',
      'Change type template:default/ec2-linux-stack is refused: annotation cloud-ops.io/risk is required',
      'Change type template:default/ec2-linux-stack is refused: annotation cloud-ops.io/servicecatalog-artifact-id must be a provisioning artifact id such as pa-abcd1234 when cloud-ops.io/servicecatalog-product-id is set',
    ]);
  });

  it('clears its own errors once the template is fixed, keeping other status items', async () => {
    const other = {
      type: 'backstage.io/catalog-processing',
      level: 'error' as const,
      message: 'TagPolicyError: x',
      error: { name: 'TagPolicyError', message: 'x' },
    };
    const broken = (await processor.postProcessEntity(
      {
        ...template({ ...valid, 'cloud-ops.io/risk': 'huge' }),
        status: { items: [other] },
      } as AlphaEntity,
      location,
      jest.fn(),
    )) as AlphaEntity;
    expect(broken.status?.items).toHaveLength(2);
    expect(
      broken.metadata.annotations?.['cloud-ops.io/change-type-refused'],
    ).toBe('true');
    const fixed = (await processor.postProcessEntity(
      {
        ...broken,
        metadata: {
          ...broken.metadata,
          // Keeps the refused mark the last run left.
          annotations: {
            ...broken.metadata.annotations,
            'cloud-ops.io/risk': valid['cloud-ops.io/risk'],
          },
        },
      },
      location,
      jest.fn(),
    )) as AlphaEntity;
    expect(fixed.status?.items).toEqual([other]);
    expect(fixed.metadata.annotations).not.toHaveProperty(
      'cloud-ops.io/change-type-refused',
    );
  });

  const messages = (entity: Entity) =>
    ((entity as AlphaEntity).status?.items ?? []).map(i => i.error?.message);

  it('refuses a change type not owned by Central IT', async () => {
    const processed = await processor.postProcessEntity(
      {
        ...template(valid),
        spec: { ...template(valid).spec, owner: 'group:default/payments' },
      },
      location,
      jest.fn(),
    );
    expect(messages(processed)).toEqual([
      expect.stringMatching(
        /spec.owner: a change type must be owned by group:default\/central-it.*owned by group:default\/payments/,
      ),
    ]);
  });

  it('refuses a change type registered through an untrusted location, or pulled in from one', async () => {
    for (const annotation of [
      'backstage.io/managed-by-origin-location',
      'backstage.io/managed-by-location',
    ]) {
      const processed = await processor.postProcessEntity(
        template({ ...valid, [annotation]: 'url:https://evil.example/x.yaml' }),
        location,
        jest.fn(),
      );
      expect(messages(processed)).toEqual([
        `Change type template:default/ec2-linux-stack is refused: ${annotation}: url:https://evil.example/x.yaml is not a trusted location for change types (config ops.changeTypes.trustedLocations)`,
      ]);
    }
  });

  it('refuses two templates with one id and version, both of them', async () => {
    const first = template(valid);
    const second = {
      ...template(valid),
      metadata: { ...template(valid).metadata, name: 'ec2-linux-stack-copy' },
    };
    await processor.postProcessEntity(first, location, jest.fn());
    const copy = await processor.postProcessEntity(second, location, jest.fn());
    expect(messages(copy)).toEqual([
      expect.stringContaining(
        'change type ec2-linux-stack version 1.0 is also defined by template:default/ec2-linux-stack',
      ),
    ]);
    // The first one is refused too once it is processed again.
    const again = await processor.postProcessEntity(first, location, jest.fn());
    expect(messages(again)).toEqual([
      expect.stringContaining(
        'also defined by template:default/ec2-linux-stack-copy',
      ),
    ]);
  });

  it('does not let an ungoverned copy knock the approved change type out', async () => {
    const copy = template({
      ...valid,
      'backstage.io/managed-by-location': 'url:https://evil.example/x.yaml',
    });
    copy.metadata.name = 'ec2-linux-stack-fork';
    const refused = await processor.postProcessEntity(
      copy,
      location,
      jest.fn(),
    );
    expect(messages(refused)).toEqual([
      expect.stringContaining('is not a trusted location'),
    ]);
    const approved = await processor.postProcessEntity(
      template(valid),
      location,
      jest.fn(),
    );
    expect(messages(approved)).toEqual([]);
  });

  it('forgets a duplicate that has not been seen for a while', async () => {
    let now = 0;
    const timed = new ChangeTypeTemplateProcessor({
      governance,
      now: () => now,
    });
    const copy = {
      ...template(valid),
      metadata: { ...template(valid).metadata, name: 'gone' },
    };
    await timed.postProcessEntity(copy, location, jest.fn());
    now = 16 * 60_000;
    const kept = await timed.postProcessEntity(
      template(valid),
      location,
      jest.fn(),
    );
    expect(messages(kept)).toEqual([]);
  });

  it('ignores templates and other entities that are not change types', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(template({}), location, emit);
    await processor.postProcessEntity(
      { ...template(valid), kind: 'Component' },
      location,
      emit,
    );
    expect(emit).not.toHaveBeenCalled();
  });
});
