import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ChangeTypeTemplateProcessor } from './processors/ChangeTypeTemplateProcessor';
import { TagPolicyProcessor } from './processors/TagPolicyProcessor';

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
      },
      async init({ processing, config }) {
        processing.addProcessor(new ChangeTypeTemplateProcessor());
        processing.addProcessor(TagPolicyProcessor.fromConfig(config));
      },
    });
  },
});
