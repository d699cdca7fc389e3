import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleOps } from '../module';
import { StackEntityProvider } from './StackEntityProvider';

describe('catalogModuleOps stack provider registration', () => {
  it('adds one stack provider for the sandbox account of a local run', async () => {
    const processing = {
      addProcessor: jest.fn(),
      addEntityProvider: jest.fn(),
      addPlaceholderResolver: jest.fn(),
      setOnProcessingErrorHandler: jest.fn(),
    };
    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, processing]],
      features: [
        catalogModuleOps,
        mockServices.rootConfig.factory({
          data: {
            ops: {
              // A state file of its own: the test must not see local stacks.
              aws: {
                implementation: 'sandbox',
                sandbox: { stateFile: '/nonexistent/service-catalog.json' },
              },
              centralIt: { group: 'group:default/central-it' },
            },
          },
        }),
      ],
    });

    const providers = processing.addEntityProvider.mock.calls.flat(2);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toBeInstanceOf(StackEntityProvider);
    expect(providers[0].getProviderName()).toBe(
      'StackEntityProvider:000000000000/eu-west-1',
    );
  });
});
