import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { createRouter } from './router';
import { setupRfcs } from './rfcs';
import { setupOperations } from './services/OperationsData/setup';
import {
  createTagComplianceRouter,
  TagComplianceService,
} from './routes/tagCompliance';
import { BackstageOpsNotifier } from './services/Notifications';
import { IncidentService } from './services/Incidents';
import { createIncidentRoutes } from './routes/incidentRoutes';

/**
 * The ops backend plugin: RFCs and change management, operations data,
 * incidents and problems, served under `/api/ops`.
 *
 * @public
 */
export const opsPlugin = createBackendPlugin({
  pluginId: 'ops',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
      },
      async init({
        database,
        httpRouter,
        config,
        logger,
        catalog,
        userInfo,
        auth,
        httpAuth,
        permissions,
        permissionsRegistry,
        scheduler,
        notifications,
      }) {
        const db = await database.getClient();
        // Migrations run here, once, before the stores are created.
        const notifier = await BackstageOpsNotifier.create({
          database,
          notifications,
          logger,
        });
        const rfcRoutes = await setupRfcs({
          config,
          logger,
          database,
          catalog,
          userInfo,
          auth,
          httpAuth,
          permissions,
          permissionsRegistry,
          scheduler,
          notifier,
        });
        const incidents = await IncidentService.create({
          config,
          database,
          catalog,
          auth,
          permissions,
          userInfo,
          notifier,
          logger,
        });
        const tagComplianceRoutes = await createTagComplianceRouter({
          httpAuth,
          tagCompliance: TagComplianceService.fromConfig(config, catalog),
        });
        httpRouter.use(
          await createRouter({ db, rfcRoutes, tagComplianceRoutes }),
        );
        httpRouter.use(
          await setupOperations({
            config,
            logger,
            database,
            catalog,
            auth,
            httpAuth,
            scheduler,
            permissions,
            incidents,
            alarmListener: incidents,
          }),
        );
        httpRouter.use(createIncidentRoutes({ httpAuth, incidents }));
      },
    });
  },
});
