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
import { readDurationFromConfig } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  DEFAULT_EMERGENCY_REVIEW_DAYS,
  EXECUTION_OUTPUTS,
  opsPermissions,
  STACK_PROVISIONED_TOPIC,
} from '@cloud-ops/plugin-ops-common';
import {
  durationToMs,
  readChangeTypeGovernance,
  type DurationParts,
} from '@cloud-ops/plugin-ops-node';
import type express from 'express';
import { DatabaseRfcStore } from './database/DatabaseRfcStore';
import { rfcPermissionRules, rfcResourceRef } from './permissions/rules';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import type { PolicyDecision } from '@backstage/plugin-permission-common';
import { createRfcRoutes } from './routes/rfcRoutes';
import {
  CatalogChangeTypeService,
  type ChangeTypeService,
} from './services/ChangeTypes/ChangeTypeService';
import type { RfcStore } from './database/RfcStore';
import {
  RfcService,
  type EmergencyIncidents,
  type RfcScheduleChecks,
} from './services/Rfcs/RfcService';
import type { OpsNotifier } from './services/Notifications';
import type { Callers } from './services/Callers/Callers';
import { ExecutionService } from './services/Execution/ExecutionService';
import {
  RfcExecutor,
  type ExecutionScaffolder,
  type ExecutorFreezeChecks,
} from './services/Execution/RfcExecutor';

const EXECUTOR_TASK_ID = 'ops-rfc-executor';

function duration(
  config: RootConfigService,
  key: string,
  fallback: DurationParts,
): number {
  return durationToMs(
    config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/**
 * Sets up change management: the RFC store and service, its permissions and
 * conditional rules, the scheduled rejection of RFCs unapproved at their start
 * time, the executor that carries out approved RFCs, and the routes.
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
  /** The scaffolder, which runs the executions. */
  scaffolder: ExecutionScaffolder;
  /** Tells the catalog about provisioned stacks; optional. */
  events?: EventsService;
  /** Reads the target's settings from AWS again once an execution ended. */
  refreshTarget?: (entityRef: string) => Promise<void>;
  /** Who is calling and what they may read; built from userInfo when absent. */
  callers?: Callers;
  /** Shared with the rest of the plugin when given; created otherwise. */
  store?: RfcStore;
  changeTypes?: ChangeTypeService;
  /** Freeze windows: submissions are refused and executions held by them. */
  schedule?: RfcScheduleChecks & ExecutorFreezeChecks;
  /** The incidents emergency changes answer. */
  incidents?: EmergencyIncidents;
  /** What an approver should know about an RFC's window. */
  conflicts?: Parameters<typeof createRfcRoutes>[0]['conflicts'];
}): Promise<express.Router> {
  const { config, scheduler, logger } = deps;
  const centralItGroup =
    config.getOptionalString('ops.centralIt.group') ?? DEFAULT_CENTRAL_IT_GROUP;
  const emergencyReviewDays =
    config.getOptionalNumber('ops.emergency.reviewWithinDays') ??
    DEFAULT_EMERGENCY_REVIEW_DAYS;
  if (!(emergencyReviewDays > 0)) {
    throw new Error(
      `ops.emergency.reviewWithinDays must be a positive number of days, not ${emergencyReviewDays}`,
    );
  }
  const store =
    deps.store ?? (await DatabaseRfcStore.create({ database: deps.database }));
  const changeTypes =
    deps.changeTypes ??
    new CatalogChangeTypeService({
      catalog: deps.catalog,
      logger: deps.logger,
      governance: readChangeTypeGovernance(config),
      callers: deps.callers,
    });
  // Conditional decisions on an RFC (the policy's isRequester, isOwner, ...)
  // are applied here with the rules registered below, saving the permission
  // backend's call back to this plugin.
  let authorizer: ((decision: PolicyDecision, rfc: Rfc) => boolean) | undefined;
  const rfcs = new RfcService({
    store,
    changeTypes,
    catalog: deps.catalog,
    userInfo: deps.userInfo,
    permissions: deps.permissions,
    applyConditions: (decision, rfc) => {
      authorizer ??= createConditionAuthorizer(
        deps.permissionsRegistry.getPermissionRuleset(rfcResourceRef),
      );
      return authorizer(decision, rfc);
    },
    auth: deps.auth,
    logger: deps.logger,
    centralItGroup,
    callers: deps.callers,
    notifier: deps.notifier,
    schedule: deps.schedule,
    incidents: deps.incidents,
    emergencyReviewDays,
    wakeExecutor: () => {
      // Already running or about to: that run picks the RFC up.
      Promise.resolve()
        .then(() => scheduler.triggerTask(EXECUTOR_TASK_ID))
        .catch(() => undefined);
    },
  });

  const executor = new RfcExecutor({
    store,
    scaffolder: deps.scaffolder,
    auth: deps.auth,
    logger,
    changeTypes,
    centralItGroup,
    notifier: deps.notifier,
    freezes: deps.schedule,
    emergencyReviewDays,
    leaseMs: duration(config, 'ops.execution.lease', { minutes: 2 }),
    executionTimeoutMs: duration(config, 'ops.execution.timeout', {
      hours: 3,
    }),
    onEnded: async rfc => {
      if (rfc.operation) await deps.refreshTarget?.(rfc.targetEntityRef);
    },
    onSucceeded: async (rfc, outputs) => {
      if (outputs[EXECUTION_OUTPUTS.provisionedProductId] && deps.events) {
        await deps.events.publish({
          topic: STACK_PROVISIONED_TOPIC,
          eventPayload: {
            provisionedProductId:
              outputs[EXECUTION_OUTPUTS.provisionedProductId],
            stackEntityRef: outputs[EXECUTION_OUTPUTS.stackEntityRef],
            rfcId: rfc.id,
          },
        });
      }
    },
  });
  const executions = new ExecutionService({
    store,
    rfcs,
    scaffolder: deps.scaffolder,
    catalog: deps.catalog,
    auth: deps.auth,
    sandbox:
      (config.getOptionalString('ops.aws.implementation') ?? 'sandbox') ===
      'sandbox',
    defaultAccount: config.getOptionalString('ops.aws.accountId'),
    defaultRegion: config.getOptionalString('ops.aws.region'),
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

  // Emergencies whose review is overdue: Central IT hears of each once.
  await scheduler.scheduleTask({
    id: 'ops-emergency-review-overdue',
    scope: 'global',
    frequency: { minutes: 30 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 30 },
    fn: async () => {
      const overdue = await store.listEmergencyReviews({
        overdueAt: new Date(),
        limit: 500,
      });
      for (const rfc of overdue) {
        await deps.notifier?.notifyOnce(`emergency-review-overdue:${rfc.id}`, {
          recipients: [centralItGroup],
          topic: 'emergency-review-overdue',
          title: `The review of emergency ${rfc.id} is overdue`,
          description: `${rfc.title} on ${rfc.targetEntityRef} ended; its post-implementation review was due ${rfc.reviewDueAt}.`,
          link: `/ops/rfcs/${encodeURIComponent(rfc.id)}`,
          severity: 'high',
        });
      }
    },
  });

  // One replica runs it at a time; the per-RFC lease keeps a slow run and
  // the next one apart, and lets another replica take over a dead one's RFCs.
  await scheduler.scheduleTask({
    id: EXECUTOR_TASK_ID,
    scope: 'global',
    frequency: config.has('ops.execution.frequency')
      ? readDurationFromConfig(config, { key: 'ops.execution.frequency' })
      : { seconds: 10 },
    // A replica that dies in a run holds the executor this long.
    timeout: config.has('ops.execution.runTimeout')
      ? readDurationFromConfig(config, { key: 'ops.execution.runTimeout' })
      : { minutes: 2 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      const summary = await executor.runOnce();
      if (
        summary.started +
          summary.relaunched +
          summary.succeeded +
          summary.failed >
        0
      ) {
        logger.info(
          `Executor: ${summary.started} started, ${summary.relaunched} relaunched, ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.running} running`,
        );
      }
    },
  });

  return createRfcRoutes({
    httpAuth: deps.httpAuth,
    rfcs,
    changeTypes,
    executions,
    conflicts: deps.conflicts,
  });
}
