import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ChangeTypeTemplateProcessor } from './processors/ChangeTypeTemplateProcessor';

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
      },
      async init({ processing }) {
        processing.addProcessor(new ChangeTypeTemplateProcessor());
      },
    });
  },
});
