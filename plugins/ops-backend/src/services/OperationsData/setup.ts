import type {
  AuthService,
  CacheService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SettingsReader } from '@cloud-ops/plugin-ops-node';
import type express from 'express';
import {
  DatabaseOperationsSnapshotStore,
  type OperationsSnapshotStore,
} from '../../database/OperationsSnapshotStore';
import type { RfcStore } from '../../database/RfcStore';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import { createOperationsRouter } from '../../routes/operations';
import { createOperationsData } from './index';
import type { SandboxOperationsReaderOptions } from './SandboxOperationsReader';
import type {
  EntityIncidentsSource,
  EntitySettingsSource,
  RecentRfcsSource,
} from './OperationsService';
import type { AlarmReadListener } from './OperationsRefresher';
import { StoredRecentRfcs } from './recentRfcs';
import type { Callers } from '../Callers/Callers';

/**
 * Wires operations data into the plugin: the snapshot store, the reader for
 * `ops.aws.implementation`, the scheduled refresh and the routes.
 */
export async function setupOperations(deps: {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  catalog: CatalogService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  scheduler: SchedulerService;
  /** Keeps answers shared by all callers (does the owner group exist). */
  cache?: CacheService;
  /** When given, recent RFCs come from the RFC store behind `ops.rfc.read`. */
  permissions?: PermissionsService;
  recentRfcs?: RecentRfcsSource;
  /** Patch and backup settings the entities' successful RFCs set. */
  settings?: EntitySettingsSource;
  /**
   * Reads the patch and backup settings in force on every refresh, compared
   * with `settings`; without it they are not read.
   */
  settingsReader?: SettingsReader;
  /**
   * The sandbox account the settings gateways write, so the sandbox reader
   * shows what they set; for `ops.aws.implementation: sandbox`.
   */
  sandboxAccount?: SandboxOperationsReaderOptions['account'];
  /** Incident history per entity. */
  incidents?: EntityIncidentsSource;
  /** Opens and resolves incidents from alarm states. */
  alarmListener?: AlarmReadListener;
  /** Shared with the rest of the plugin when given; created otherwise. */
  store?: OperationsSnapshotStore;
  rfcStore?: Pick<RfcStore, 'list'>;
  /** Limits the tab's recent RFCs to those the caller may read. */
  callers?: Callers;
}): Promise<{
  router: express.Router;
  /**
   * Reads AWS for one entity now, e.g. after an execution changed its
   * settings, so the tab shows what AWS holds without waiting for the
   * scheduled read. Acts as the plugin: nobody asked for it.
   */
  refreshTarget: (entityRef: string) => Promise<void>;
}> {
  const store =
    deps.store ??
    (await DatabaseOperationsSnapshotStore.create({
      database: deps.database,
    }));
  const operations = createOperationsData({
    config: deps.config,
    logger: deps.logger,
    auth: deps.auth,
    cache: deps.cache,
    catalog: deps.catalog,
    store,
    settings: deps.settings,
    settingsReader: deps.settingsReader,
    sandboxAccount: deps.sandboxAccount,
    incidents: deps.incidents,
    alarmListener: deps.alarmListener,
    recentRfcs:
      deps.recentRfcs ??
      (deps.permissions
        ? new StoredRecentRfcs(
            deps.rfcStore ??
              (await DatabaseRfcStore.create({ database: deps.database })),
            deps.permissions,
            deps.callers,
          )
        : undefined),
  });
  await operations.schedule(deps.scheduler);
  return {
    router: await createOperationsRouter({
      httpAuth: deps.httpAuth,
      operations: operations.service,
    }),
    refreshTarget: async entityRef => {
      const entity = await deps.catalog.getEntityByRef(entityRef, {
        credentials: await deps.auth.getOwnServiceCredentials(),
      });
      if (entity) await operations.refresher.refreshEntity(entity);
    },
  };
}
