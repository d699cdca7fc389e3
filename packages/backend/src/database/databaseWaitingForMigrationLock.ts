// The database service of every plugin in this backend, with knex's
// `migrate.latest` made to wait (with backoff, up to a minute) while another
// process holds the migration lock or is creating knex's migration tables.
// Without it, two replicas started at the same moment on an empty database
// fail: one of them finds the lock taken, in the catalog, the scaffolder,
// auth or any plugin's scheduler tables.
import {
  coreServices,
  createServiceFactory,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { migrateLatestWaitingForLock } from '@cloud-ops/plugin-ops-backend';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;
type Migrator = Knex['migrate'];
type MigratorConfig = Parameters<Migrator['latest']>[0];

const patched = new WeakSet<Knex>();

function waitingForMigrationLock(knex: Knex, pluginId: string): Knex {
  if (patched.has(knex)) return knex;
  patched.add(knex);
  const original = Object.getOwnPropertyDescriptor(knex, 'migrate')!.get!;
  Object.defineProperty(knex, 'migrate', {
    configurable: true,
    get() {
      const migrator: Migrator = original.call(knex);
      migrator.latest = (config?: MigratorConfig) =>
        migrateLatestWaitingForLock(knex, config ?? {}, {
          owner: `Plugin ${pluginId}'s`,
          migrator: () => original.call(knex),
        }) as any;
      return migrator;
    },
  });
  return knex;
}

/** coreServices.database as Backstage builds it, with the waiting migrations. */
export const databaseWaitingForMigrationLock = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    return DatabaseManager.fromConfig(config, { rootLifecycle, rootLogger });
  },
  async factory({ pluginMetadata, lifecycle, logger }, manager) {
    const pluginId = pluginMetadata.getId();
    const database = manager.forPlugin(pluginId, { lifecycle, logger });
    return {
      ...database,
      migrations: database.migrations,
      getClient: async () =>
        waitingForMigrationLock(await database.getClient(), pluginId),
    };
  },
});
export default databaseWaitingForMigrationLock;
