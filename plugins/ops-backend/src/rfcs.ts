import type {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { opsPermissions } from '@cloud-ops/plugin-ops-common';
import type express from 'express';
import { DatabaseRfcStore } from './database/DatabaseRfcStore';
import { rfcPermissionRules, rfcResourceRef } from './permissions/rules';
import { createRfcRoutes } from './routes/rfcRoutes';
import {
  CatalogChangeTypeService,
  type ChangeTypeService,
} from './services/ChangeTypes/ChangeTypeService';
import type { RfcStore } from './database/RfcStore';
import { RfcService } from './services/Rfcs/RfcService';
import type { OpsNotifier } from './services/Notifications';

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/**
 * Sets up change management: the RFC store and service, its permissions and
 * conditional rules, the scheduled rejection of RFCs unapproved at their start
 * time, and the routes.
 */
export async function setupRfcs(deps: {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  catalog: CatalogService;
  userInfo: UserInfoService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  scheduler: SchedulerService;
  notifier?: OpsNotifier;
  /** Shared with the rest of the plugin when given; created otherwise. */
  store?: RfcStore;
  changeTypes?: ChangeTypeService;
}): Promise<express.Router> {
  const centralItGroup =
    deps.config.getOptionalString('ops.centralIt.group') ??
    DEFAULT_CENTRAL_IT_GROUP;
  const store =
    deps.store ?? (await DatabaseRfcStore.create({ database: deps.database }));
  const changeTypes =
    deps.changeTypes ??
    new CatalogChangeTypeService({
      catalog: deps.catalog,
      logger: deps.logger,
    });
  const rfcs = new RfcService({
    store,
    changeTypes,
    catalog: deps.catalog,
    userInfo: deps.userInfo,
    permissions: deps.permissions,
    auth: deps.auth,
    logger: deps.logger,
    centralItGroup,
    notifier: deps.notifier,
  });

  deps.permissionsRegistry.addPermissions(opsPermissions);
  deps.permissionsRegistry.addResourceType({
    resourceRef: rfcResourceRef,
    permissions: opsPermissions.filter(p => p.type === 'resource'),
    rules: Object.values(rfcPermissionRules),
    getResources: async refs => Promise.all(refs.map(ref => store.get(ref))),
  });

  // Runs on one replica at a time; acts as the system with no user
  // credentials, since nobody asked for it.
  await deps.scheduler.scheduleTask({
    id: 'ops-rfc-reject-unapproved-at-start',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 5 },
    fn: async () => {
      const rejected = await rfcs.rejectUnapprovedAtStart();
      if (rejected > 0) {
        deps.logger.info(
          `Rejected ${rejected} RFC(s) not approved by their requested start time`,
        );
      }
    },
  });

  return createRfcRoutes({ httpAuth: deps.httpAuth, rfcs, changeTypes });
}
