import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleOps } from './module';

describe('scaffolderModuleOps', () => {
  const dir = createMockDirectory();

  it('registers the four actions and schedules the reconciler', async () => {
    const addActions = jest.fn();
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleOps,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            ops: {
              aws: {
                implementation: 'sandbox',
                sandbox: { stateFile: dir.resolve('sc.json') },
              },
              scaffolder: { approvalTimeout: 'PT2H' },
            },
          },
        }),
      ],
    });
    const ids = addActions.mock.calls.flat().map((a: { id: string }) => a.id);
    expect(ids).toEqual([
      'ops:rfc:create',
      'ops:rfc:await-approval',
      'aws:servicecatalog:provision',
      'ops:rfc:complete',
    ]);
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'ops-rfc-task-reconciler',
        scope: 'global',
        frequency: { minutes: 1 },
      }),
    );
  });
});
