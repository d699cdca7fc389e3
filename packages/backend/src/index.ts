// The Cloud Operations Portal backend: Backstage core plugins plus the ops
// plugin, its scaffolder actions and its catalog module.

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Replicas started together on an empty database wait for each other's
// migrations instead of failing (see src/database).
backend.add(import('./database/databaseWaitingForMigrationLock'));

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// Sign-in through the company's identity provider (OpenID Connect), used in
// production; configured under auth.providers.oidc.
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));
// Sign-in as a demo user for local runs: on only where
// auth.providers.demo.<auth.environment> is configured, and the backend
// refuses to start with it on under NODE_ENV=production.
backend.add(import('./auth/demoAuthProvider'));

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// search engine
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-pg'));

// search collators
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// cloud operations: RFCs, operations data, change types and stacks
backend.add(import('@cloud-ops/plugin-ops-backend'));
backend.add(import('@cloud-ops/plugin-scaffolder-backend-module-ops'));
backend.add(import('@cloud-ops/plugin-catalog-backend-module-ops'));

backend.start();
