import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  durationToMs,
  DurationParts,
  serviceCatalogGatewayServiceRef,
} from '@cloud-ops/plugin-ops-node';
import { createRfcAwaitApprovalAction } from './actions/awaitApproval';
import { createRfcCompleteAction } from './actions/completeRfc';
import { createRfcCreateAction } from './actions/createRfc';
import { createServiceCatalogProvisionAction } from './actions/provisionProduct';
import {
  createScaffolderTaskReader,
  RfcTaskReconciler,
} from './reconciler/RfcTaskReconciler';

function durationMs(config: Config, key: string, fallback: DurationParts) {
  return durationToMs(
    config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

/**
 * Scaffolder actions that carry out change types: record the RFC, wait for
 * its approval, provision the Service Catalog product, close the RFC.
 *
 * @public
 */
export const scaffolderModuleOps = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ops',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        gateway: serviceCatalogGatewayServiceRef,
      },
      async init({
        scaffolderActions,
        config,
        discovery,
        auth,
        logger,
        scheduler,
        gateway,
      }) {
        scaffolderActions.addActions(
          createRfcCreateAction({ discovery, auth }),
          createRfcAwaitApprovalAction({
            discovery,
            auth,
            timeoutMs: durationMs(config, 'ops.scaffolder.approvalTimeout', {
              hours: 1,
            }),
            pollIntervalMs: durationMs(
              config,
              'ops.scaffolder.approvalPollInterval',
              { seconds: 10 },
            ),
          }),
          createServiceCatalogProvisionAction({
            gateway,
            timeoutMs: durationMs(config, 'ops.scaffolder.provisionTimeout', {
              hours: 2,
            }),
            pollIntervalMs: durationMs(
              config,
              'ops.scaffolder.provisionPollInterval',
              { seconds: 5 },
            ),
          }),
          createRfcCompleteAction({ discovery, auth }),
        );

        const reconciler = new RfcTaskReconciler({
          discovery,
          auth,
          logger,
          readTask: createScaffolderTaskReader({ discovery, auth }),
        });
        const frequency = config.has('ops.scaffolder.reconcileInterval')
          ? readDurationFromConfig(config, {
              key: 'ops.scaffolder.reconcileInterval',
            })
          : { minutes: 1 };
        await scheduler.scheduleTask({
          id: 'ops-rfc-task-reconciler',
          frequency,
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          scope: 'global',
          fn: async () => {
            await reconciler.reconcile();
          },
        });
        if (gateway.implementation === 'sandbox') {
          logger.info(
            'aws:servicecatalog:provision uses the sandbox Service Catalog (ops.aws.implementation: sandbox)',
          );
        }
      },
    });
  },
});
