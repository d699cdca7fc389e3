import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  durationToMs,
  DurationParts,
  opsAwsGatewaysServiceRef,
  serviceCatalogGatewayServiceRef,
} from '@cloud-ops/plugin-ops-node';
import { createRfcCreateAction } from './actions/createRfc';
import { createRfcFollowAction } from './actions/followRfc';
import { createServiceCatalogProvisionAction } from './actions/provisionProduct';
import { createSettingsActions } from './actions/settings';
import { ExecutionGuard } from './execution/executionGuard';
import { OpsExecutionClient } from './execution/OpsExecutionClient';

function durationMs(config: Config, key: string, fallback: DurationParts) {
  return durationToMs(
    config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

/**
 * Scaffolder actions of change types: the intake step that records the RFC
 * (`ops:rfc:create`), a bounded follow of its execution (`ops:rfc:follow`),
 * and the automation steps that act only inside the execution of an
 * approved RFC: Service Catalog provisioning and the SSM and AWS Backup
 * settings.
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
        serviceCatalog: serviceCatalogGatewayServiceRef,
        gateways: opsAwsGatewaysServiceRef,
      },
      async init({
        scaffolderActions,
        config,
        discovery,
        auth,
        logger,
        serviceCatalog,
        gateways,
      }) {
        const guard = new ExecutionGuard(
          new OpsExecutionClient({ discovery, auth }),
        );
        const appBaseUrl = config.getOptionalString('app.baseUrl');
        scaffolderActions.addActions(
          createRfcCreateAction({ discovery, auth, guard, appBaseUrl }),
          createRfcFollowAction({
            discovery,
            auth,
            appBaseUrl,
            maxFollowMs: durationMs(config, 'ops.scaffolder.followTimeout', {
              minutes: 10,
            }),
            pollIntervalMs: durationMs(
              config,
              'ops.scaffolder.followPollInterval',
              { seconds: 2 },
            ),
          }),
          createServiceCatalogProvisionAction({
            gateway: serviceCatalog,
            guard,
            timeoutMs: durationMs(config, 'ops.scaffolder.provisionTimeout', {
              hours: 2,
            }),
            pollIntervalMs: durationMs(
              config,
              'ops.scaffolder.provisionPollInterval',
              { seconds: 5 },
            ),
          }),
          ...createSettingsActions({
            guard,
            patching: gateways.patching,
            backup: gateways.backup,
          }),
        );
        if (gateways.implementation === 'sandbox') {
          logger.info(
            'The provisioning and settings actions write the sandbox account (ops.aws.implementation: sandbox)',
          );
        }
      },
    });
  },
});
