// The database service of every plugin in this backend, with knex's
// `migrate.latest` made to wait (with backoff, up to a minute) while another
// process holds the migration lock or is creating knex's migration tables.
// Without it, two replicas started at the same moment on an empty database
// fail: one of them finds the lock taken, in the catalog, the scaffolder,
// auth or any plugin's scheduler tables, or loses the race to create a
// plugin's schema or database, which is tried again.
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

const CREATE_RACE_TIMEOUT_MS = 30_000;

/** Two processes created the same schema or database at once. */
function isCreateRace(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return (
    /pg_namespace_nspname_index|pg_database_datname_index/.test(text) ||
    (/make sure that/.test(text) && /already exists/.test(text))
  );
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
  async factory(
    { config, pluginMetadata, lifecycle, logger, rootLifecycle, rootLogger },
    manager,
  ) {
    const pluginId = pluginMetadata.getId();
    const database = manager.forPlugin(pluginId, { lifecycle, logger });
    let client: Promise<Knex> | undefined;
    // PostgreSQL's CREATE SCHEMA / DATABASE IF NOT EXISTS is not safe
    // against another process doing the same: the loser fails on the
    // catalog's unique index. The manager keeps that failure for the plugin,
    // so a retry asks a manager of its own.
    const connect = async (): Promise<Knex> => {
      const deadline = Date.now() + CREATE_RACE_TIMEOUT_MS;
      let attempt = database;
      for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
        try {
          return waitingForMigrationLock(await attempt.getClient(), pluginId);
        } catch (error) {
          if (!isCreateRace(error) || Date.now() > deadline) throw error;
          logger.info(
            `Another process is creating the database or schema of plugin ${pluginId}; trying again`,
          );
          await new Promise(resolve => setTimeout(resolve, wait));
          attempt = DatabaseManager.fromConfig(config, {
            rootLifecycle,
            rootLogger,
          }).forPlugin(pluginId, { lifecycle, logger });
        }
      }
    };
    return {
      ...database,
      migrations: database.migrations,
      getClient: () => {
        client ??= connect().catch(error => {
          client = undefined;
          throw error;
        });
        return client;
      },
    };
  },
});

export default databaseWaitingForMigrationLock;
