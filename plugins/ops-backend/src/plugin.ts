import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import { opsAwsGatewaysServiceRef } from '@cloud-ops/plugin-ops-node';
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
import {
  DatabaseOperationsSnapshotStore,
  migrateOpsDatabase,
} from './database/OperationsSnapshotStore';
import { DatabaseServiceRequestStore } from './database/ServiceRequestStore';
import { ServiceRequestService } from './services/ServiceRequests';
import { ReportService } from './services/Reports';
import { CatalogChangeTypeService } from './services/ChangeTypes/ChangeTypeService';
import { createServiceRequestRoutes } from './routes/serviceRequestRoutes';
import { createReportRoutes } from './routes/reportRoutes';
import { DatabaseRfcStore } from './database/DatabaseRfcStore';
import {
  EntitySettingsService,
  MaintenanceNotifier,
  readNotifyBeforeHours,
  scheduleMaintenanceNotifier,
} from './services/Settings';

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/**
 * The ops backend plugin: RFCs and change management, operations data,
 * incidents and problems, service requests and monthly reports, served
 * under `/api/ops`.
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
        scaffolder: scaffolderServiceRef,
        events: eventsServiceRef,
        gateways: opsAwsGatewaysServiceRef,
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
        scaffolder,
        events,
        gateways,
      }) {
        const db = await database.getClient();
        // One instance of each store and of the change-type reader serves
        // every part of the plugin. Each store's factory runs the (idempotent)
        // migrations before first use.
        const rfcStore = await DatabaseRfcStore.create({ database });
        const opsDb = await migrateOpsDatabase(database);
        const snapshotStore = new DatabaseOperationsSnapshotStore(opsDb);
        const changeTypes = new CatalogChangeTypeService({ catalog, logger });
        const notifier = await BackstageOpsNotifier.create({
          database,
          notifications,
          logger,
        });
        // Set once operations data is wired, below.
        let refreshTarget = async (_entityRef: string) => {};
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
          scaffolder,
          events,
          refreshTarget: entityRef => refreshTarget(entityRef),
          store: rfcStore,
          changeTypes,
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
        await scheduleMaintenanceNotifier(
          scheduler,
          new MaintenanceNotifier({
            store: rfcStore,
            notifier,
            logger,
            snapshots: snapshotStore,
            notifyBeforeHours: readNotifyBeforeHours(config),
          }),
          logger,
        );
        const operations = await setupOperations({
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
          settings: new EntitySettingsService({ store: rfcStore }),
          // What AWS (or the sandbox) holds is what the tab shows in force.
          settingsReader: gateways.settings,
          sandboxAccount: gateways.sandbox,
          store: snapshotStore,
          rfcStore,
        });
        httpRouter.use(operations.router);
        refreshTarget = operations.refreshTarget;
        httpRouter.use(createIncidentRoutes({ httpAuth, incidents }));

        const centralItGroup =
          config.getOptionalString('ops.centralIt.group') ??
          DEFAULT_CENTRAL_IT_GROUP;
        const serviceRequestStore = new DatabaseServiceRequestStore(opsDb);
        httpRouter.use(
          await createServiceRequestRoutes({
            httpAuth,
            serviceRequests: new ServiceRequestService({
              store: serviceRequestStore,
              userInfo,
              permissions,
              auth,
              notifier,
              centralItGroup,
            }),
          }),
        );
        httpRouter.use(
          await createReportRoutes({
            httpAuth,
            reports: new ReportService({
              db: opsDb,
              snapshots: snapshotStore,
              serviceRequests: serviceRequestStore,
              incidents,
              catalog,
              auth,
              userInfo,
              permissions,
              centralItGroup,
              changeTypeAutomation: async id =>
                (
                  await changeTypes.get(
                    id,
                    undefined,
                    await auth.getOwnServiceCredentials(),
                  )
                )?.automation,
            }),
          }),
        );
      },
    });
  },
});
