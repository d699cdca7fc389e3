import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import {
  opsAwsGatewaysServiceRef,
  readChangeTypeGovernance,
} from '@cloud-ops/plugin-ops-node';
import { createInputGuard, createRouter } from './router';
import {
  createWriteRateLimit,
  DEFAULT_WRITE_RATE_LIMIT,
} from './routes/rateLimit';
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
import { DatabaseAuditLog } from './services/Audit';
import { createAuditRoutes } from './routes/auditRoutes';
import { cachedCatalogReads } from './services/Callers/CachedCatalogReads';
import { CachedPermissions } from './services/Callers/CachedPermissions';
import { CachedUserInfo } from './services/Callers/CachedUserInfo';
import { Callers } from './services/Callers/Callers';
import { DatabaseFreezeStore } from './database/FreezeStore';
import { CalendarFeedTokenStore } from './database/CalendarFeedTokenStore';
import { DatabaseIncidentStore } from './database/IncidentStore';
import { FreezeService } from './services/Schedule/FreezeService';
import { ChangeScheduleService } from './services/Schedule/ChangeScheduleService';
import { createScheduleRoutes } from './routes/scheduleRoutes';
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
        discovery: coreServices.discovery,
        cache: coreServices.cache,
      },
      async init({
        database,
        httpRouter,
        config,
        logger,
        catalog: catalogService,
        userInfo: userInfoLookup,
        auth,
        httpAuth,
        permissions: permissionBackend,
        permissionsRegistry,
        scheduler,
        notifications,
        scaffolder,
        events,
        gateways,
        discovery,
        cache,
      }) {
        const db = await database.getClient();
        // Who a token's user is and which groups they are in, looked up once
        // per token (for its lifetime) instead of on every request.
        const userInfo = new CachedUserInfo({
          userInfo: userInfoLookup,
          cache,
        });
        // Decisions on basic permissions, reused per token for a few seconds.
        const permissions = new CachedPermissions({
          permissions: permissionBackend,
          cache,
        });
        // What a user's requests read of the catalog, reused per token for a
        // few seconds: a change's steps read the same entities again.
        const catalog = cachedCatalogReads(catalogService);
        const callers = new Callers({
          auth,
          userInfo,
          centralItGroup:
            config.getOptionalString('ops.centralIt.group') ??
            DEFAULT_CENTRAL_IT_GROUP,
        });
        // One instance of each store and of the change-type reader serves
        // every part of the plugin. Each store's factory runs the (idempotent)
        // migrations before first use.
        // The audit log: each RFC change appends to it in its own transaction.
        const audit = new DatabaseAuditLog({ db });
        const rfcStore = await DatabaseRfcStore.create({ database, audit });
        const opsDb = await migrateOpsDatabase(database);
        const snapshotStore = new DatabaseOperationsSnapshotStore(opsDb);
        const changeTypes = new CatalogChangeTypeService({
          catalog,
          logger,
          governance: readChangeTypeGovernance(config),
          callers,
          onDecision: async decision => {
            await audit.appendGovernanceDecision(decision);
          },
        });
        // What governance decided about each change-type template goes to
        // the audit log when it changes; the catalog is read as the backend,
        // so templates hidden from people are judged too.
        await scheduler.scheduleTask({
          id: 'ops-change-type-governance-audit',
          scope: 'global',
          frequency: { minutes: 5 },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 20 },
          fn: async () => {
            const recorded = await changeTypes.recordDecisions(
              await auth.getOwnServiceCredentials(),
            );
            if (recorded > 0) {
              logger.info(
                `Recorded ${recorded} change-type governance decision(s) in the audit log`,
              );
            }
          },
        });
        const notifier = await BackstageOpsNotifier.create({
          database,
          notifications,
          logger,
        });
        // The change schedule: freezes hold changes, and are in the audit log.
        const freezeStore = await DatabaseFreezeStore.create({
          database,
          audit,
        });
        const freezes = new FreezeService({
          store: freezeStore,
          rfcs: rfcStore,
          catalog,
          auth,
          permissions,
          callers,
          notifier,
          logger,
        });
        const schedule = new ChangeScheduleService({
          rfcs: rfcStore,
          freezes: freezeStore,
          snapshots: snapshotStore,
          tokens: await CalendarFeedTokenStore.create({ database, audit }),
          catalog,
          auth,
          permissions,
          callers,
          appBaseUrl: config.getOptionalString('app.baseUrl') ?? '',
          feedUrl: async token =>
            `${await discovery.getExternalBaseUrl(
              'ops',
            )}/calendar/feed/${token}.ics`,
          feedPastDays: config.getOptionalNumber('ops.calendar.feedPastDays'),
          feedFutureDays: config.getOptionalNumber(
            'ops.calendar.feedFutureDays',
          ),
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
          callers,
          schedule: freezes,
          incidents: await DatabaseIncidentStore.create({ database }),
          conflicts: (id, rfc, credentials) =>
            schedule.conflicts(id, rfc, credentials),
        });
        // Before every route: malformed input is answered here, 4xx, and
        // each caller's writes are limited.
        httpRouter.use(
          createInputGuard({
            maxBodyBytes: config.getOptionalNumber(
              'ops.limits.requestBodyBytes',
            ),
          }),
        );
        httpRouter.use(
          createWriteRateLimit({
            httpAuth,
            cache,
            limit: {
              writesPerWindow:
                config.getOptionalNumber('ops.limits.writesPerWindow') ??
                DEFAULT_WRITE_RATE_LIMIT.writesPerWindow,
              windowSeconds:
                config.getOptionalNumber('ops.limits.windowSeconds') ??
                DEFAULT_WRITE_RATE_LIMIT.windowSeconds,
            },
          }),
        );
        httpRouter.use(createScheduleRoutes({ httpAuth, freezes, schedule }));
        // Mail clients subscribe without a Backstage token: the feed's own
        // per-user token is checked by the route.
        httpRouter.addAuthPolicy({
          path: '/calendar/feed',
          allow: 'unauthenticated',
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
          cache,
          permissions,
          incidents,
          alarmListener: incidents,
          settings: new EntitySettingsService({ store: rfcStore }),
          // What AWS (or the sandbox) holds is what the tab shows in force.
          settingsReader: gateways.settings,
          sandboxAccount: gateways.sandbox,
          store: snapshotStore,
          rfcStore,
          callers,
        });
        httpRouter.use(operations.router);
        refreshTarget = operations.refreshTarget;
        httpRouter.use(createIncidentRoutes({ httpAuth, incidents }));
        httpRouter.use(createAuditRoutes({ httpAuth, permissions, audit }));

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
