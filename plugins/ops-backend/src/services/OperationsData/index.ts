import {
  AuthService,
  CacheService,
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  compileTagPolicy,
  RaciOverrides,
  TagPolicy,
  validateRaciOverrides,
} from '@cloud-ops/plugin-ops-common';
import {
  AwsClientFactory,
  type SettingsReader,
} from '@cloud-ops/plugin-ops-node';
import type { OperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import { AwsOperationsReader } from './AwsOperationsReader';
import { AlarmReadListener, OperationsRefresher } from './OperationsRefresher';
import { provisionedStacksFromCatalog } from './provisionedStacks';
import {
  EntityIncidentsSource,
  EntitySettingsSource,
  OperationsService,
  RecentRfcsSource,
} from './OperationsService';
import {
  SandboxOperationsReader,
  SandboxOperationsReaderOptions,
} from './SandboxOperationsReader';
import type { AwsLocation, OperationsReader } from './types';

export { AwsOperationsReader } from './AwsOperationsReader';
export { SandboxOperationsReader } from './SandboxOperationsReader';
export { OperationsRefresher } from './OperationsRefresher';
export {
  OperationsService,
  RefreshRateLimitedError,
} from './OperationsService';
export type {
  RecentRfcsSource,
  EntitySettingsSource,
  EntityIncidentsSource,
} from './OperationsService';
export type { AlarmReadListener } from './OperationsRefresher';
export type { OperationsReader, OperationsTarget, AwsLocation } from './types';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 15 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 15 },
};

/** Reads `ops.aws.implementation`; anything but `aws` or `sandbox` stops startup with a clear message. */
function readImplementation(config: Config): 'aws' | 'sandbox' {
  const value = config.getOptionalString('ops.aws.implementation') ?? 'sandbox';
  if (value !== 'aws' && value !== 'sandbox') {
    throw new Error(
      `ops.aws.implementation must be "aws" or "sandbox", not "${value}"`,
    );
  }
  return value;
}

function readStackLocations(config: Config): AwsLocation[] {
  const locations: AwsLocation[] = [];
  const accountId = config.getOptionalString('ops.aws.accountId');
  const region = config.getOptionalString('ops.aws.region');
  if (accountId && region) locations.push({ accountId, region });
  for (const c of config.getOptionalConfigArray(
    'ops.operations.stackLocations',
  ) ?? []) {
    locations.push({
      accountId: c.getString('accountId'),
      region: c.getString('region'),
    });
  }
  return locations;
}

/**
 * Builds the operations data services from config: the reader for the
 * configured implementation, the refresher and the service behind the route.
 * With a `settingsReader`, each refresh also reads the settings in force and
 * compares them with what `settings` says the entities' RFCs set.
 */
export function createOperationsData(options: {
  config: Config;
  logger: LoggerService;
  auth: AuthService;
  cache?: CacheService;
  catalog: CatalogService;
  store: OperationsSnapshotStore;
  recentRfcs?: RecentRfcsSource;
  settings?: EntitySettingsSource;
  incidents?: EntityIncidentsSource;
  alarmListener?: AlarmReadListener;
  listProvisionedStacks?: SandboxOperationsReaderOptions['listProvisionedStacks'];
  reader?: OperationsReader;
  /**
   * The AWS clients of the `aws` reader, e.g. the factory the settings
   * gateways use, so that all of them share one credential provider per
   * account. Built from config otherwise, with
   * `ops.operations.requestTimeoutSeconds`.
   */
  awsClients?: AwsClientFactory;
  /** Reads the patch and backup settings in force; needs `settings`. */
  settingsReader?: SettingsReader;
  /** The sandbox account the settings gateways write, read by the sandbox reader. */
  sandboxAccount?: SandboxOperationsReaderOptions['account'];
}) {
  const { config, logger } = options;
  const operations = config.getOptionalConfig('ops.operations');

  const raciConfig = config.getOptional('ops.raci.overrides');
  if (raciConfig !== undefined) {
    const problems = validateRaciOverrides(raciConfig);
    if (problems.length) {
      throw new Error(`Invalid ops.raci.overrides: ${problems.join('; ')}`);
    }
  }
  const tagPolicy = compileTagPolicy(
    (config.getOptional('ops.tagPolicy') as TagPolicy | undefined) ?? {
      rules: [],
    },
  );

  const reader =
    options.reader ??
    (readImplementation(config) === 'aws'
      ? new AwsOperationsReader({
          clients:
            options.awsClients ??
            AwsClientFactory.fromConfig(config, {
              requestTimeoutMs:
                (operations?.getOptionalNumber('requestTimeoutSeconds') ?? 10) *
                1000,
            }),
          logger,
          stackLocations: readStackLocations(config),
          defaultBackupIntervalHours: operations?.getOptionalNumber(
            'backupIntervalHours',
          ),
        })
      : new SandboxOperationsReader({
          listProvisionedStacks:
            options.listProvisionedStacks ??
            provisionedStacksFromCatalog({
              catalog: options.catalog,
              auth: options.auth,
            }),
          account: options.sandboxAccount,
        }));

  const refresher = new OperationsRefresher({
    reader,
    store: options.store,
    catalog: options.catalog,
    auth: options.auth,
    logger,
    alarmListener: options.alarmListener,
    settingsReader: options.settingsReader,
    rfcSettings: options.settings,
  });
  const service = new OperationsService({
    catalog: options.catalog,
    auth: options.auth,
    cache: options.cache,
    store: options.store,
    refresher,
    centralItGroup:
      config.getOptionalString('ops.centralIt.group') ??
      'group:default/central-it',
    raciOverrides: raciConfig as RaciOverrides | undefined,
    tagPolicy,
    recentRfcs: options.recentRfcs,
    settings: options.settings,
    incidents: options.incidents,
    refreshIntervalMs:
      (operations?.getOptionalNumber('refreshIntervalSeconds') ?? 60) * 1000,
  });
  const schedule = operations?.has('schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        operations.getConfig('schedule'),
      )
    : DEFAULT_SCHEDULE;

  return {
    reader,
    refresher,
    service,
    /** Schedules the refresh of every mapped entity; scope global, so one replica runs it. */
    async schedule(scheduler: SchedulerService) {
      await scheduler.scheduleTask({
        id: 'ops-operations-refresh',
        scope: 'global',
        ...schedule,
        fn: async () => {
          try {
            await refresher.refreshAll();
          } catch (e) {
            // A failed run leaves the stored snapshots as they were; the next run retries.
            logger.error('Operations refresh failed', e as Error);
          }
        },
      });
    },
  };
}
