import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { serviceCatalogGatewayServiceRef } from '@cloud-ops/plugin-ops-node';
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
      },
      async init({ processing, config, logger, scheduler, gateway, events }) {
        processing.addProcessor(new ChangeTypeTemplateProcessor());
        processing.addProcessor(TagPolicyProcessor.fromConfig(config));
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
