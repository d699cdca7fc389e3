import { ChangeTypeAllowedGroupsProcessor } from './ChangeTypeAllowedGroupsProcessor';
import { changeTypeTemplate } from './__testUtils__/changeTypeTemplate';

const location = { type: 'file', target: 'templates/db-admin.yaml' };

describe('ChangeTypeAllowedGroupsProcessor', () => {
  const processor = new ChangeTypeAllowedGroupsProcessor();

  it('relates a role-based change type to each allowed group, by full ref', async () => {
    const emit = jest.fn();
    const entity = changeTypeTemplate('db-admin', {
      allowedGroups: 'group:default/dba, ops/payments',
    });
    await expect(
      processor.postProcessEntity(entity, location, emit),
    ).resolves.toBe(entity);
    const source = { kind: 'Template', namespace: 'default', name: 'db-admin' };
    expect(emit.mock.calls).toEqual([
      [
        {
          type: 'relation',
          relation: {
            source,
            type: 'requestableBy',
            target: { kind: 'group', namespace: 'default', name: 'dba' },
          },
        },
      ],
      [
        {
          type: 'relation',
          relation: {
            source,
            type: 'requestableBy',
            target: { kind: 'group', namespace: 'ops', name: 'payments' },
          },
        },
      ],
    ]);
  });

  it('relates nothing for change types open to everyone, nor for invalid ones', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(
      changeTypeTemplate('open'),
      location,
      emit,
    );
    await processor.postProcessEntity(
      changeTypeTemplate('broken', { allowedGroups: 'payments, not a group' }),
      location,
      emit,
    );
    expect(emit).not.toHaveBeenCalled();
  });
});
