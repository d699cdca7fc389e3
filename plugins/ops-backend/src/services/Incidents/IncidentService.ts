import type {
  AuthService,
  BackstageCredentials,
  DatabaseService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  compilePriorityRules,
  incidentResolvePermission,
  parseIncidentId,
  parseProblemId,
  problemUpdatePermission,
  PROBLEM_STATUSES,
  type AlarmSummary,
  type Incident,
  type Problem,
  type ProblemStatus,
  type PriorityMatch,
} from '@cloud-ops/plugin-ops-common';
import {
  DatabaseIncidentStore,
  type IncidentListQuery,
  type IncidentReportData,
  type IncidentStore,
  type ProblemChanges,
  type ProblemListQuery,
} from '../../database/IncidentStore';
import type { OpsNotifier } from '../Notifications/OpsNotifier';
import type {
  AlarmReadListener,
  EntityIncidentsSource,
} from '../OperationsData';
import { readIncidentSettings, type IncidentSettings } from './config';
import { Callers } from '../Callers/Callers';

/** A change to a problem, named against the version it was read at. */
export type ProblemUpdate = {
  version: number;
  status?: ProblemStatus;
  rootCause?: string;
  remediation?: string;
};

const SYSTEM = 'system';
const MAX_NOTES = 20_000;
const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'spec.owner',
  'spec.lifecycle',
];

type AlarmRead = Parameters<AlarmReadListener['onAlarmsRead']>[0][number];

const key = (entityRef: string, alarmArn: string) =>
  `${entityRef}\n${alarmArn}`;

/** An ISO timestamp in the stored format, or undefined when it is not a time. */
function normalizeTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The entity's owner as a lower-cased group ref, as the catalog reads bare names. */
function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

function lifecycleOf(entity: Entity): string | undefined {
  const lifecycle = (entity.spec as { lifecycle?: unknown } | undefined)
    ?.lifecycle;
  return typeof lifecycle === 'string' ? lifecycle : undefined;
}

/**
 * Opens incidents when alarms of mapped resources fire and resolves them when
 * the alarms clear, opens problems when an alarm keeps recurring, and serves
 * the manual resolution of incidents and the recording of problems.
 */
export class IncidentService
  implements AlarmReadListener, EntityIncidentsSource
{
  private readonly now: () => Date;
  private readonly prioritize: (
    alarm: AlarmSummary,
    entity: Entity,
  ) => PriorityMatch;

  /** Reads settings from config (throwing on invalid ones) and the store from the plugin database. */
  static async create(options: {
    config: Config;
    database: DatabaseService;
    catalog: CatalogService;
    auth: AuthService;
    permissions: PermissionsService;
    userInfo: UserInfoService;
    notifier: OpsNotifier;
    logger: LoggerService;
  }): Promise<IncidentService> {
    const settings = readIncidentSettings(options.config);
    return new IncidentService({
      ...options,
      settings,
      store: await DatabaseIncidentStore.create({
        database: options.database,
      }),
    });
  }

  private readonly callers: Callers;

  constructor(
    private readonly options: {
      store: IncidentStore;
      settings: IncidentSettings;
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      notifier: OpsNotifier;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.callers = new Callers({
      auth: options.auth,
      userInfo: options.userInfo,
      centralItGroup: options.settings.centralItGroup,
    });
    const match = compilePriorityRules(
      options.settings.priorityRules,
      options.settings.defaultPriority,
    );
    this.prioritize = (alarm, entity) =>
      match(alarm, { lifecycle: lifecycleOf(entity) });
  }

  /**
   * Opens an incident for each alarm in ALARM that has none open, and
   * resolves the open incidents of the read entities whose alarm is OK or
   * gone. INSUFFICIENT_DATA changes nothing.
   */
  async onAlarmsRead(reads: AlarmRead[]): Promise<void> {
    const { store, logger } = this.options;
    const byEntity = new Map<string, Map<string, AlarmSummary>>();
    for (const read of reads) {
      const alarms = byEntity.get(read.entityRef) ?? new Map();
      for (const alarm of read.alarms) alarms.set(alarm.arn, alarm);
      byEntity.set(read.entityRef, alarms);
    }
    if (!byEntity.size) return;

    const open = await store.listOpenIncidents([...byEntity.keys()]);
    const openKeys = new Set(open.map(i => key(i.entityRef, i.alarmArn)));

    for (const incident of open) {
      const alarm = byEntity.get(incident.entityRef)?.get(incident.alarmArn);
      if (alarm && alarm.state !== 'OK') continue;
      try {
        await store.resolveIncident(incident.id, {
          resolvedAt: this.now().toISOString(),
          resolvedBy: SYSTEM,
          resolution: 'alarm-cleared',
        });
      } catch (e) {
        logger.error(`Could not resolve incident ${incident.id}`, e as Error);
      }
    }

    const firing = [...byEntity].flatMap(([entityRef, alarms]) =>
      [...alarms.values()]
        .filter(
          a => a.state === 'ALARM' && !openKeys.has(key(entityRef, a.arn)),
        )
        .map(alarm => ({ entityRef, alarm })),
    );
    if (!firing.length) return;

    // Runs for no user: the whole catalog, read with the plugin's own credentials.
    const entityRefs = [...new Set(firing.map(f => f.entityRef))];
    const { items } = await this.options.catalog.getEntitiesByRefs(
      { entityRefs, fields: ENTITY_FIELDS },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const entities = new Map(
      entityRefs.map((ref, i) => [ref, items[i] ?? undefined]),
    );

    for (const { entityRef, alarm } of firing) {
      const entity = entities.get(entityRef);
      if (!entity) {
        logger.warn(
          `Alarm ${alarm.name} of ${entityRef} is in ALARM, but the entity is not in the catalog; no incident opened`,
        );
        continue;
      }
      try {
        await this.open(entityRef, entity, alarm);
      } catch (e) {
        logger.error(
          `Could not open an incident for alarm ${alarm.name} of ${entityRef}`,
          e as Error,
        );
      }
    }
  }

  private async open(entityRef: string, entity: Entity, alarm: AlarmSummary) {
    const { settings, store } = this.options;
    const now = this.now();
    const { priority, rule } = this.prioritize(alarm, entity);
    const ownerGroup = ownerOf(entity) ?? settings.centralItGroup;
    const result = await store.openIncident(
      {
        entityRef,
        ownerGroup,
        alarmArn: alarm.arn,
        alarmName: alarm.name,
        reason: alarm.reason,
        alarmStateSince: normalizeTime(alarm.stateUpdatedAt),
        priority,
        priorityRule: rule,
        consoleUrl: alarm.consoleUrl || undefined,
        openedAt: now.toISOString(),
      },
      {
        threshold: settings.recurrenceThreshold,
        since: new Date(
          now.getTime() - settings.windowHours * 3_600_000,
        ).toISOString(),
        title: `Recurring alarm ${alarm.name} on ${entityRef}`.slice(0, 255),
      },
    );
    if (!result) return;
    const { incident, openedProblem } = result;
    const severity =
      incident.priority === 'P1' || incident.priority === 'P2'
        ? 'high'
        : 'normal';
    const recipients = [incident.ownerGroup, settings.centralItGroup];
    await this.notify({
      recipients,
      topic: 'incident-opened',
      title: `${incident.priority} incident ${incident.id}: ${incident.alarmName}`,
      description: `${incident.alarmName} on ${incident.entityRef} is in ALARM: ${incident.reason}`,
      link: `/ops/incidents/${incident.id}`,
      severity,
    });
    if (openedProblem) {
      await this.notify({
        recipients,
        topic: 'problem-opened',
        title: `Problem ${openedProblem.id}: ${openedProblem.title}`,
        description: `${openedProblem.alarmName} on ${openedProblem.entityRef} opened ${openedProblem.incidentIds.length} incidents within ${settings.windowHours} hours; record its root cause and remediation.`,
        link: `/ops/problems/${openedProblem.id}`,
        severity,
      });
    }
  }

  private async notify(
    notification: Parameters<OpsNotifier['notify']>[0],
  ): Promise<void> {
    try {
      await this.options.notifier.notify(notification);
    } catch (e) {
      // Telling people is never part of the change that caused it.
      this.options.logger.warn(
        `Could not send "${notification.title}": ${(e as Error).message}`,
      );
    }
  }

  /**
   * An entity's incidents, open ones first, then the newest resolved; only
   * those its caller may read (the owning team and Central IT).
   */
  async listEntityIncidents(
    entityRef: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<Incident[]> {
    const caller = await this.callers.user(credentials, 'read incidents');
    const items = await this.options.store.listEntityIncidents(
      entityRef.toLocaleLowerCase('en-US'),
      limit,
    );
    return items.filter(i => this.callers.mayRead(caller, i));
  }

  /**
   * Incidents, newest first, that the caller may read: their teams' and,
   * for Central IT, all. Entity and team refs are matched lower-cased.
   */
  async listIncidents(
    query: IncidentListQuery,
    credentials: BackstageCredentials,
  ): Promise<{ items: Incident[]; totalCount: number }> {
    const caller = await this.callers.user(credentials, 'read incidents');
    return this.options.store.listIncidents({
      ...query,
      entityRef: query.entityRef?.toLocaleLowerCase('en-US'),
      ownerGroup: query.ownerGroup?.toLocaleLowerCase('en-US'),
      ownerGroups: this.callers.visibility(caller)?.ownerGroups,
    });
  }

  /** One incident, as a caller who may read it; others get 404. */
  async readIncident(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<Incident> {
    const caller = await this.callers.user(credentials, 'read incidents');
    const incident = await this.getIncident(id);
    if (!this.callers.mayRead(caller, incident)) {
      throw new NotFoundError(`No incident ${id}`);
    }
    return incident;
  }

  private async getIncident(id: string): Promise<Incident> {
    this.incidentSeq(id);
    const incident = await this.options.store.getIncident(id);
    if (!incident) throw new NotFoundError(`No incident ${id}`);
    return incident;
  }

  /** Resolves an open incident by hand, as the calling user. */
  async resolve(
    id: string,
    notes: string,
    credentials: BackstageCredentials,
  ): Promise<Incident> {
    this.incidentSeq(id);
    await this.authorize(incidentResolvePermission, credentials);
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError('only signed-in users may resolve incidents');
    }
    const text = typeof notes === 'string' ? notes.trim() : '';
    if (!text) {
      throw new InputError('notes: say what was done to resolve the incident');
    }
    if (text.length > MAX_NOTES) {
      throw new InputError(`notes: keep them under ${MAX_NOTES} characters`);
    }
    const current = await this.getIncident(id);
    if (current.status !== 'Open') {
      throw new ConflictError(
        `${id} was already resolved at ${current.resolvedAt} by ${current.resolvedBy}`,
      );
    }
    const { userEntityRef } = await this.options.userInfo.getUserInfo(
      credentials,
    );
    const resolved = await this.options.store.resolveIncident(id, {
      resolvedAt: this.now().toISOString(),
      resolvedBy: userEntityRef,
      resolution: 'manual',
      notes: text,
    });
    if (!resolved) {
      throw new ConflictError(`${id} was resolved meanwhile; reload it`);
    }
    return resolved;
  }

  /**
   * Problems, newest first, that the caller may read: their teams' and, for
   * Central IT, all. Entity and team refs are matched lower-cased.
   */
  async listProblems(
    query: ProblemListQuery,
    credentials: BackstageCredentials,
  ): Promise<Problem[]> {
    const caller = await this.callers.user(credentials, 'read problems');
    return this.options.store.listProblems({
      ...query,
      entityRef: query.entityRef?.toLocaleLowerCase('en-US'),
      ownerGroup: query.ownerGroup?.toLocaleLowerCase('en-US'),
      ownerGroups: this.callers.visibility(caller)?.ownerGroups,
    });
  }

  /** One problem, as a caller who may read it; others get 404. */
  async readProblem(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<Problem> {
    const caller = await this.callers.user(credentials, 'read problems');
    const problem = await this.getProblem(id);
    if (!this.callers.mayRead(caller, problem)) {
      throw new NotFoundError(`No problem ${id}`);
    }
    return problem;
  }

  private async getProblem(id: string): Promise<Problem> {
    if (parseProblemId(id) === undefined) {
      throw new InputError(`"${id}" is not a problem id such as PRB-000001`);
    }
    const problem = await this.options.store.getProblem(id);
    if (!problem) throw new NotFoundError(`No problem ${id}`);
    return problem;
  }

  /**
   * Records a problem's root cause, remediation and status. Needs the
   * version it was read at; Resolved needs both texts and is final.
   */
  async updateProblem(
    id: string,
    update: ProblemUpdate,
    credentials: BackstageCredentials,
  ): Promise<Problem> {
    if (parseProblemId(id) === undefined) {
      throw new InputError(`"${id}" is not a problem id such as PRB-000001`);
    }
    await this.authorize(problemUpdatePermission, credentials);

    const problems: string[] = [];
    if (!Number.isInteger(update.version) || update.version < 1) {
      problems.push('version: give the version the problem was read at');
    }
    if (
      update.status !== undefined &&
      !PROBLEM_STATUSES.includes(update.status)
    ) {
      problems.push(`status: use one of ${PROBLEM_STATUSES.join(', ')}`);
    }
    const rootCause = update.rootCause?.trim();
    const remediation = update.remediation?.trim();
    if (update.rootCause !== undefined && !rootCause) {
      problems.push('rootCause: must not be empty');
    }
    if (update.remediation !== undefined && !remediation) {
      problems.push('remediation: must not be empty');
    }
    for (const [name, value] of [
      ['rootCause', rootCause],
      ['remediation', remediation],
    ] as const) {
      if (value && value.length > MAX_NOTES) {
        problems.push(`${name}: keep it under ${MAX_NOTES} characters`);
      }
    }
    if (
      update.status === undefined &&
      update.rootCause === undefined &&
      update.remediation === undefined
    ) {
      problems.push('give a status, rootCause or remediation to change');
    }
    if (problems.length) {
      throw new InputError(`Invalid problem update: ${problems.join('; ')}`);
    }

    const current = await this.getProblem(id);
    if (current.status === 'Resolved') {
      throw new ConflictError(`${id} is resolved; resolved problems are final`);
    }
    if (current.version !== update.version) {
      throw new ConflictError(
        `${id} is at version ${current.version}, not ${update.version}; reload it and try again`,
      );
    }
    const status = update.status ?? current.status;
    const nextRootCause = rootCause ?? current.rootCause;
    const nextRemediation = remediation ?? current.remediation;
    if (status === 'RootCauseIdentified' && !nextRootCause) {
      throw new InputError(
        'rootCause: record the root cause to move the problem to RootCauseIdentified',
      );
    }
    if (status === 'Resolved' && (!nextRootCause || !nextRemediation)) {
      throw new InputError(
        'rootCause and remediation: record both to resolve the problem',
      );
    }
    const now = this.now().toISOString();
    const changes: ProblemChanges = {
      updatedAt: now,
      ...(update.status !== undefined ? { status } : {}),
      ...(rootCause !== undefined ? { rootCause } : {}),
      ...(remediation !== undefined ? { remediation } : {}),
      ...(status === 'Resolved' ? { resolvedAt: now } : {}),
    };
    return this.options.store.updateProblem(id, update.version, changes);
  }

  /**
   * One team's incidents for a monthly report: opened in [from, to),
   * resolved in [from, to), and the number of problems opened then.
   */
  async listForReport(
    team: string,
    from: string,
    to: string,
  ): Promise<IncidentReportData> {
    const start = normalizeTime(from);
    const end = normalizeTime(to);
    if (!start || !end) {
      throw new InputError(
        'from and to must be ISO 8601 times such as 2026-03-01T00:00:00Z',
      );
    }
    if (end < start) {
      throw new InputError('to must not be before from');
    }
    return this.options.store.listForReport(
      team.toLocaleLowerCase('en-US'),
      start,
      end,
    );
  }

  private incidentSeq(id: string): number {
    const seq = parseIncidentId(id);
    if (seq === undefined) {
      throw new InputError(`"${id}" is not an incident id such as INC-000001`);
    }
    return seq;
  }

  private async authorize(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    }
  }
}
