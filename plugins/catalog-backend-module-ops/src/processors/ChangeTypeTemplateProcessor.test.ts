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
    spec: { type: 'stack', steps: steps as any },
  };
}

const valid = {
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
  const processor = new ChangeTypeTemplateProcessor();

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
      'Change type template:default/ec2-linux-stack is invalid: annotation cloud-ops.io/classification must be category/subcategory/item/operation; got "Deployment/EC2"',
      'Change type template:default/ec2-linux-stack is invalid: annotation cloud-ops.io/automation must be one of automated, manual; got "sometimes"',
      'Change type template:default/ec2-linux-stack is invalid: annotation cloud-ops.io/risk is required',
      'Change type template:default/ec2-linux-stack is invalid: annotation cloud-ops.io/servicecatalog-artifact-id must be a provisioning artifact id such as pa-abcd1234 when cloud-ops.io/servicecatalog-product-id is set',
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
    const fixed = (await processor.postProcessEntity(
      { ...broken, metadata: { ...broken.metadata, annotations: valid } },
      location,
      jest.fn(),
    )) as AlphaEntity;
    expect(fixed.status?.items).toEqual([other]);
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
