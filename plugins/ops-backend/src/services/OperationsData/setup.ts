import type {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type express from 'express';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import { createOperationsRouter } from '../../routes/operations';
import { createOperationsData } from './index';
import type { RecentRfcsSource } from './OperationsService';
import { StoredRecentRfcs } from './recentRfcs';

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
  /** When given, recent RFCs come from the RFC store behind `ops.rfc.read`. */
  permissions?: PermissionsService;
  recentRfcs?: RecentRfcsSource;
}): Promise<express.Router> {
  const store = await DatabaseOperationsSnapshotStore.create({
    database: deps.database,
  });
  const operations = createOperationsData({
    config: deps.config,
    logger: deps.logger,
    auth: deps.auth,
    catalog: deps.catalog,
    store,
    recentRfcs:
      deps.recentRfcs ??
      (deps.permissions
        ? new StoredRecentRfcs(
            await DatabaseRfcStore.create({ database: deps.database }),
            deps.permissions,
          )
        : undefined),
  });
  await operations.schedule(deps.scheduler);
  return createOperationsRouter({
    httpAuth: deps.httpAuth,
    operations: operations.service,
  });
}
