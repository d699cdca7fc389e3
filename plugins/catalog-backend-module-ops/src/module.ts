import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  readChangeTypeGovernance,
  serviceCatalogGatewayServiceRef,
} from '@cloud-ops/plugin-ops-node';
import {
  ChangeTypeAllowedGroupsProcessor,
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
} from './permissions';
import { ChangeTypeTemplateProcessor } from './processors/ChangeTypeTemplateProcessor';
import { TagPolicyProcessor } from './processors/TagPolicyProcessor';
import { StackEntityProvider } from './providers';

/**
 * Catalog processing for the cloud operations suite. Each processor and
 * provider is added in `init`; they share nothing but this module.
 *
 * @public
 */
export const catalogModuleOps = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ops',
  register({ registerInit }) {
    registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        gateway: serviceCatalogGatewayServiceRef,
        events: eventsServiceRef,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        processing,
        config,
        logger,
        scheduler,
        gateway,
        events,
        permissionsRegistry,
      }) {
        const governance = readChangeTypeGovernance(config);
        if (governance.trustedLocations.length === 0) {
          logger.warn(
            'No Template counts as a change type: set ops.changeTypes.trustedLocations to the catalog locations of the approved change types',
          );
        }
        processing.addProcessor(
          new ChangeTypeTemplateProcessor({ governance }),
        );
        processing.addProcessor(TagPolicyProcessor.fromConfig(config));
        // Role-based change types: the relations the rule's query matches.
        processing.addProcessor(new ChangeTypeAllowedGroupsProcessor());
        permissionsRegistry.addPermissionRules([
          isChangeTypeAllowedForRule,
          isNotRefusedChangeTypeRule,
        ]);
        processing.addEntityProvider(
          StackEntityProvider.fromConfig(config, {
            logger,
            scheduler,
            gateway,
            events,
          }),
        );
      },
    });
  },
});
