import { createDevApp } from '@backstage/frontend-dev-utils';
import opsPlugin from '../src/alpha';

// Serves the plugin on its own: yarn start in this package.
createDevApp({ features: [opsPlugin] });
