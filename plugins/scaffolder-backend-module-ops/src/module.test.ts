import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleOps } from './module';

describe('scaffolderModuleOps', () => {
  const dir = createMockDirectory();

  it('registers the intake, the follow and the automation actions, and no waiting or reconciling', async () => {
    const addActions = jest.fn();
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleOps,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            ops: {
              aws: {
                implementation: 'sandbox',
                sandbox: {
                  stateFile: dir.resolve('sc.json'),
                  settingsStateFile: dir.resolve('settings.json'),
                },
              },
            },
          },
        }),
      ],
    });
    const ids = addActions.mock.calls.flat().map((a: { id: string }) => a.id);
    expect(ids).toEqual([
      'ops:rfc:create',
      'ops:rfc:follow',
      'aws:servicecatalog:provision',
      'aws:ssm:set-maintenance-window',
      'aws:ssm:exclude-from-patching',
      'aws:ssm:include-in-patching',
      'aws:ssm:reject-patch',
      'aws:ssm:apply-patch',
      'aws:backup:set-schedule',
      'aws:backup:take-snapshot',
      'aws:backup:restore',
    ]);
    // The executor in the ops backend follows executions; nothing here polls.
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });
});
