import type {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type express from 'express';
import { DatabaseOperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { createOperationsRouter } from '../../routes/operations';
import { createOperationsData } from './index';
import type { RecentRfcsSource } from './OperationsService';

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
    recentRfcs: deps.recentRfcs,
  });
  await operations.schedule(deps.scheduler);
  return createOperationsRouter({
    httpAuth: deps.httpAuth,
    operations: operations.service,
  });
}
