import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  INCIDENT_PRIORITIES,
  reportReadPermission,
  type AlarmsSnapshot,
  type BackupsSnapshot,
  type Incident,
  type IncidentPriority,
  type MonthlyServiceReport,
  type PatchSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import type { OperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import type { ServiceRequestStore } from '../../database/ServiceRequestStore';
import { normalizeGroupRef } from '../ServiceRequests/ServiceRequestService';
import { rfcMetrics, type ChangeTypeAutomationLookup } from './rfcMetrics';
import { hoursBetween, percent, summarizeHours } from './stats';

/** Incidents and problems of one team, for its monthly report. */
export interface ReportIncidentSource {
  /**
   * Incidents of the team's entities opened in `[from, to)`, those resolved
   * in `[from, to)` (whenever they opened), and how many problems opened in
   * `[from, to)`.
   */
  listForReport(
    team: string,
    from: string,
    to: string,
  ): Promise<{
    opened: Incident[];
    resolved: Incident[];
    problemsOpened: number;
  }>;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const SNAPSHOT_CONCURRENCY = 8;

type Caller = { refs: Set<string>; centralIt: boolean };

/**
 * The monthly service report Central IT gives each business-unit team: RFCs,
 * incidents, patch compliance, backups, alarms and service requests.
 *
 * Central IT may read every team's report; anyone else only their own
 * teams'. Catalog and snapshot data are read as the plugin, so a report does
 * not depend on which entities the reader may see.
 */
export class ReportService {
  private readonly now: () => Date;
  private readonly centralItGroup: string;

  constructor(
    private readonly options: {
      /** The ops database, migrated. */
      db: Knex;
      snapshots: OperationsSnapshotStore;
      serviceRequests: ServiceRequestStore;
      incidents: ReportIncidentSource;
      changeTypeAutomation: ChangeTypeAutomationLookup;
      catalog: CatalogService;
      auth: AuthService;
      userInfo: UserInfoService;
      permissions: PermissionsService;
      /** Group ref of Central IT, from `ops.centralIt.group`. */
      centralItGroup: string;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.centralItGroup =
      normalizeGroupRef(options.centralItGroup) ??
      options.centralItGroup.toLocaleLowerCase('en-US');
  }

  /** The report of `team` for `month` (`YYYY-MM`, UTC). */
  async monthly(
    teamInput: string,
    month: string,
    credentials: BackstageCredentials,
  ): Promise<MonthlyServiceReport> {
    await this.authorize(credentials);
    const { from, to } = this.period(month);
    const team = normalizeGroupRef(teamInput ?? '');
    if (!team) {
      throw new InputError(
        `team: "${teamInput}" is not a group ref such as group:default/payments`,
      );
    }
    const caller = await this.caller(credentials);
    if (!caller.centralIt && !caller.refs.has(team)) {
      throw new NotAllowedError(
        `You may only read the service reports of your own teams, not ${team}`,
      );
    }

    const generatedAt = this.now().toISOString();
    const [rfcs, incidents, operations, serviceRequests] = await Promise.all([
      rfcMetrics({
        db: this.options.db,
        team,
        from,
        to,
        changeTypeAutomation: this.options.changeTypeAutomation,
        generatedAt,
      }),
      this.incidentMetrics(team, from, to),
      this.operationsMetrics(team),
      this.options.serviceRequests.countForTeam(team, from, to),
    ]);

    return {
      team,
      month,
      period: { from, to },
      generatedAt,
      rfcs,
      incidents,
      ...operations,
      serviceRequests,
    };
  }

  /**
   * Group refs the caller may read reports for: for Central IT every group
   * that owns a Component or Resource, other than Central IT; for anyone else
   * their own groups.
   */
  async teams(credentials: BackstageCredentials): Promise<string[]> {
    await this.authorize(credentials);
    const caller = await this.caller(credentials);
    if (!caller.centralIt) {
      return [...caller.refs].filter(ref => ref.startsWith('group:')).sort();
    }
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: ['Component', 'Resource'] },
        fields: ['kind', 'metadata.namespace', 'spec.owner'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const teams = new Set<string>();
    for (const entity of items) {
      const owner = ownerGroupOf(entity);
      if (owner && owner !== this.centralItGroup) teams.add(owner);
    }
    return [...teams].sort();
  }

  private period(month: string) {
    const match = MONTH.exec(typeof month === 'string' ? month : '');
    if (!match) {
      throw new InputError(
        `month: "${month}" is not a month such as 2026-11 (YYYY-MM)`,
      );
    }
    const year = Number(match[1]);
    const index = Number(match[2]) - 1;
    const now = this.now();
    const current = `${now.getUTCFullYear()}-${String(
      now.getUTCMonth() + 1,
    ).padStart(2, '0')}`;
    if (month > current) {
      throw new InputError(
        `month: ${month} has not started yet; choose ${current} or earlier`,
      );
    }
    return {
      from: new Date(Date.UTC(year, index, 1)).toISOString(),
      to: new Date(Date.UTC(year, index + 1, 1)).toISOString(),
    };
  }

  private async incidentMetrics(
    team: string,
    from: string,
    to: string,
  ): Promise<MonthlyServiceReport['incidents']> {
    const { opened, resolved, problemsOpened } =
      await this.options.incidents.listForReport(team, from, to);
    const byPriority = Object.fromEntries(
      INCIDENT_PRIORITIES.map(p => [p, 0]),
    ) as Record<IncidentPriority, number>;
    for (const incident of opened) {
      if (incident.priority in byPriority) byPriority[incident.priority] += 1;
    }
    return {
      total: opened.length,
      byPriority,
      timeToResolveHours: summarizeHours(
        resolved
          .filter(i => i.resolvedAt)
          .map(i => hoursBetween(i.openedAt, i.resolvedAt!)),
      ),
      problemsOpened,
    };
  }

  private async operationsMetrics(
    team: string,
  ): Promise<Pick<MonthlyServiceReport, 'patch' | 'backups' | 'alarms'>> {
    const refs = await this.entitiesOwnedBy(team);
    const patch = { instances: 0, compliantInstances: 0 };
    const backups = { resources: 0, onSchedule: 0 };
    const alarms = { ok: 0, alarm: 0, insufficientData: 0 };

    for (let i = 0; i < refs.length; i += SNAPSHOT_CONCURRENCY) {
      const batch = await Promise.all(
        refs
          .slice(i, i + SNAPSHOT_CONCURRENCY)
          .map(ref => this.options.snapshots.getSnapshots(ref)),
      );
      for (const snapshot of batch.flat()) {
        if (!snapshot.payload) continue;
        if (snapshot.kind === 'patch') {
          for (const instance of (snapshot.payload as PatchSnapshot)
            .instances ?? []) {
            patch.instances += 1;
            if (instance.compliant) patch.compliantInstances += 1;
          }
        } else if (snapshot.kind === 'backups') {
          for (const resource of (snapshot.payload as BackupsSnapshot)
            .resources ?? []) {
            backups.resources += 1;
            if (!resource.overdue) backups.onSchedule += 1;
          }
        } else if (snapshot.kind === 'alarms') {
          for (const alarm of (snapshot.payload as AlarmsSnapshot).alarms ??
            []) {
            if (alarm.state === 'OK') alarms.ok += 1;
            else if (alarm.state === 'ALARM') alarms.alarm += 1;
            else if (alarm.state === 'INSUFFICIENT_DATA')
              alarms.insufficientData += 1;
          }
        }
      }
    }
    return {
      patch: {
        ...patch,
        compliancePercent: percent(patch.compliantInstances, patch.instances),
      },
      backups: {
        ...backups,
        successPercent: percent(backups.onSchedule, backups.resources),
      },
      alarms,
    };
  }

  /** Lower-cased refs of every entity whose owner resolves to `team`. */
  private async entitiesOwnedBy(team: string): Promise<string[]> {
    const { name } = parseEntityRef(team);
    // Owners may be written `payments`, `group:payments` or in full; the
    // short forms resolve in the entity's own namespace, checked below.
    const forms = [team, `group:${name}`, name];
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { 'spec.owner': forms },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const refs = new Set<string>();
    for (const entity of items) {
      if (ownerGroupOf(entity) !== team) continue;
      refs.add(
        stringifyEntityRef({
          kind: entity.kind,
          namespace: entity.metadata.namespace ?? 'default',
          name: entity.metadata.name,
        }).toLocaleLowerCase('en-US'),
      );
    }
    return [...refs].sort();
  }

  private async caller(credentials: BackstageCredentials): Promise<Caller> {
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'only signed-in users may read service reports',
      );
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    const refs = new Set(
      info.ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    return { refs, centralIt: refs.has(this.centralItGroup) };
  }

  private async authorize(credentials: BackstageCredentials) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: reportReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${reportReadPermission.name}`);
    }
  }
}

/** The entity's owner as a lower-cased group ref, or undefined when it is no group. */
function ownerGroupOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner.trim()) return undefined;
  try {
    const ref = parseEntityRef(owner.trim(), {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group') return undefined;
    return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}
