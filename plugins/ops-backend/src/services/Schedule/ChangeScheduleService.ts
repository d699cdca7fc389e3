import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  calendarFeedTokenPermission,
  freezeApplies,
  freezeHolds,
  freezeOccurrences,
  nextMaintenanceWindow,
  rfcReadPermission,
  rfcWindow,
  windowsOverlap,
  type CalendarFeedTokenInfo,
  type CalendarFreeze,
  type CalendarMaintenanceWindow,
  type CalendarRfc,
  type ChangeCalendarView,
  type FreezeTarget,
  type Rfc,
  type RfcConflicts,
  type RfcStatus,
  type SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import type {
  CalendarFeedToken,
  CalendarFeedTokenStore,
} from '../../database/CalendarFeedTokenStore';
import type { FreezeStore } from '../../database/FreezeStore';
import type { OperationsSnapshotStore } from '../../database/OperationsSnapshotStore';
import type { RfcStore } from '../../database/RfcStore';
import { authorizeBasic } from '../../permissions/authorizeBasic';
import type { Caller, Callers } from '../Callers/Callers';
import { renderCalendar, type CalendarFeedEvent } from './ical';
import { freezeTargetOf, fullRef, relatedRefs } from './targetFacts';

const DAY_MS = 24 * 3600_000;
/** Longest period one calendar request may span. */
export const CALENDAR_MAX_DAYS = 100;
const CALENDAR_STATUSES: RfcStatus[] = [
  'PendingApproval',
  'Scheduled',
  'InProgress',
  'Success',
  'Failure',
];
/** RFCs that can still collide with another change. */
const ACTIVE: RfcStatus[] = ['Scheduled', 'InProgress'];
const MAX_RFCS = 2000;
const MAX_STACKS = 500;

const lower = (v: string) => v.toLocaleLowerCase('en-US');

/**
 * The change schedule as people read it: the calendar of RFCs, freezes and
 * maintenance windows, the conflicts of one RFC, and the iCalendar feed.
 * Everything is limited to what the caller may see: RFCs of their teams or
 * their own (all for Central IT), Central IT's freezes and their teams',
 * and the maintenance windows of their teams' stacks.
 */
export class ChangeScheduleService {
  constructor(
    private readonly options: {
      rfcs: RfcStore;
      freezes: FreezeStore;
      snapshots: OperationsSnapshotStore;
      tokens: CalendarFeedTokenStore;
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      callers: Callers;
      /** The portal's address, for links in the feed. */
      appBaseUrl: string;
      /** The address a mail client subscribes to, for a token. */
      feedUrl: (token: string) => Promise<string>;
      feedPastDays?: number;
      feedFutureDays?: number;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** The calendar of `[from, to)`, optionally of one team. */
  async calendar(
    query: { from: string; to: string; owner?: string },
    credentials: BackstageCredentials,
  ): Promise<ChangeCalendarView> {
    const caller = await this.reader(credentials);
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to.getTime() <= from.getTime()) {
      throw new InputError('Invalid query: to: must be after from');
    }
    if (to.getTime() - from.getTime() > CALENDAR_MAX_DAYS * DAY_MS) {
      throw new InputError(
        `Invalid query: to: the calendar shows at most ${CALENDAR_MAX_DAYS} days at once`,
      );
    }
    let owner: string | undefined;
    if (query.owner) {
      owner = fullRef(query.owner, 'group');
      if (!owner || !owner.startsWith('group:')) {
        throw new InputError(
          `Invalid query: owner: "${query.owner}" is not a group ref such as group:default/payments`,
        );
      }
    }
    return this.calendarFor(caller, from, to, owner);
  }

  /** What an approver should know about the RFC's window. */
  async conflicts(
    id: string,
    rfc: Rfc,
    credentials: BackstageCredentials,
  ): Promise<RfcConflicts> {
    const caller = await this.reader(credentials);
    const now = this.now();
    const window = rfcWindow(rfc, now);
    const service = await this.options.auth.getOwnServiceCredentials();
    const entity = await this.options.catalog.getEntityByRef(
      rfc.targetEntityRef,
      { credentials: service },
    );
    const target = freezeTargetOf(entity, {
      entityRef: rfc.targetEntityRef,
      ownerGroup: rfc.ownerGroup,
    });

    const overridden = new Set(rfc.freezeOverride?.freezeIds ?? []);
    const freezes = (
      await this.options.freezes.candidates({
        from: window.start.toISOString(),
        to: window.end.toISOString(),
        entityRefs: [target.entityRef, target.componentRef].filter(
          (r): r is string => Boolean(r),
        ),
        ownerRefs: target.ownerRef ? [target.ownerRef] : [],
        systemRefs: target.systemRef ? [target.systemRef] : [],
      })
    )
      // Only those that hold it: not a team's freeze for Central IT's
      // Critical Security Updates.
      .filter(
        f =>
          freezeApplies(f, target) &&
          freezeHolds(f.side, {
            criticalSecurityUpdate: Boolean(rfc.criticalSecurityUpdate),
            origin: rfc.origin,
          }),
      )
      .flatMap(f =>
        freezeOccurrences(f, window.start, window.end).map(o => ({
          freezeId: o.freezeId,
          name: o.name,
          reason: o.reason,
          side: o.side,
          start: o.start,
          end: o.end,
          overridden: overridden.has(o.freezeId),
        })),
      );

    // The same target, and its stacks (or, for a stack, its component).
    const refs = new Set([lower(rfc.targetEntityRef)]);
    if (entity) {
      for (const r of relatedRefs(
        entity,
        'dependsOn',
        'dependsOn',
        'resource',
      )) {
        if (r.startsWith('resource:')) refs.add(r);
      }
      if (target.componentRef) refs.add(target.componentRef);
    }
    const overlapping = [];
    for (const ref of refs) {
      const { items } = await this.options.rfcs.list({
        status: ACTIVE,
        targetEntityRef: ref,
        limit: 200,
        visibleTo: this.options.callers.visibility(caller),
      });
      for (const other of items) {
        if (other.id === id) continue;
        const w = rfcWindow(other, now);
        if (!windowsOverlap(w, window)) continue;
        overlapping.push({
          id: other.id,
          title: other.title,
          status: other.status,
          targetEntityRef: other.targetEntityRef,
          start: w.start.toISOString(),
          end: w.end.toISOString(),
        });
      }
    }

    return {
      window: {
        start: window.start.toISOString(),
        end: window.end.toISOString(),
      },
      freezes,
      overlapping: overlapping.sort((a, b) => a.start.localeCompare(b.start)),
      ...(rfc.needsMaintenanceWindow
        ? {
            maintenanceWindow: await this.maintenanceFit(
              target.entityRef,
              window,
            ),
          }
        : {}),
    };
  }

  async issueFeedToken(
    body: { label: string; owner?: string },
    credentials: BackstageCredentials,
  ): Promise<{ token: string; feedToken: CalendarFeedTokenInfo; url: string }> {
    const caller = await this.tokenOwner(credentials);
    let feedOwner: string | undefined;
    if (body.owner) {
      feedOwner = fullRef(body.owner, 'group');
      if (!feedOwner || !feedOwner.startsWith('group:')) {
        throw new InputError(
          `Invalid feed token: owner: "${body.owner}" is not a group ref such as group:default/payments`,
        );
      }
      if (!caller.centralIt && !caller.refs.has(feedOwner)) {
        throw new NotAllowedError(
          `you are not in ${feedOwner}; a feed is for one of your teams, or for all you see`,
        );
      }
    }
    const { token, feedToken } = await this.options.tokens.issue({
      userEntityRef: caller.userEntityRef,
      label: body.label,
      ...(feedOwner ? { feedOwner } : {}),
      at: this.now().toISOString(),
    });
    return {
      token,
      feedToken: strip(feedToken),
      url: await this.options.feedUrl(token),
    };
  }

  async listFeedTokens(
    credentials: BackstageCredentials,
  ): Promise<CalendarFeedTokenInfo[]> {
    const caller = await this.tokenOwner(credentials);
    return (await this.options.tokens.list(caller.userEntityRef)).map(strip);
  }

  async revokeFeedToken(
    id: number,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const caller = await this.tokenOwner(credentials);
    const revoked = await this.options.tokens.revoke(
      id,
      caller.userEntityRef,
      this.now().toISOString(),
    );
    if (!revoked) {
      throw new NotFoundError(`you hold no live feed token ${id}`);
    }
  }

  /**
   * The iCalendar text behind a feed token, or undefined when the token is
   * unknown or revoked, or its user is no longer in the catalog. The user's
   * groups are read from the catalog each time, so leaving a team leaves
   * its feed.
   */
  async feed(token: string): Promise<string | undefined> {
    const now = this.now();
    const found = await this.options.tokens.resolve(token, now.toISOString());
    if (!found) return undefined;
    const caller = await this.callerOf(found);
    if (!caller) return undefined;
    const from = new Date(
      now.getTime() - (this.options.feedPastDays ?? 30) * DAY_MS,
    );
    const to = new Date(
      now.getTime() + (this.options.feedFutureDays ?? 180) * DAY_MS,
    );
    const view = await this.calendarFor(caller, from, to, found.feedOwner);
    return renderCalendar({
      name: found.feedOwner
        ? `Changes of ${found.feedOwner}`
        : `Changes for ${caller.userEntityRef}`,
      now,
      events: this.feedEvents(view),
    });
  }

  private feedEvents(view: ChangeCalendarView): CalendarFeedEvent[] {
    const base = this.options.appBaseUrl.replace(/\/+$/, '');
    const events: CalendarFeedEvent[] = [];
    for (const rfc of view.rfcs) {
      const notes = [
        `${rfc.status}, ${rfc.changeClass} change of ${rfc.targetEntityRef} (${rfc.ownerGroup})`,
        ...(rfc.conflictsWith.length
          ? [`Overlaps ${rfc.conflictsWith.join(', ')}`]
          : []),
        ...(rfc.frozenBy.length
          ? [
              `In freeze ${rfc.frozenBy.join(', ')}${
                rfc.overridden ? ' (overridden)' : ''
              }`,
            ]
          : []),
      ];
      events.push({
        uid: `rfc-${rfc.id}@cloud-ops`,
        start: rfc.start,
        end: rfc.end,
        summary: `${rfc.id} ${rfc.title}`,
        description: notes.join('\n'),
        url: `${base}/ops/rfcs/${encodeURIComponent(rfc.id)}`,
        categories: ['RFC', rfc.changeClass],
        status: rfc.status === 'PendingApproval' ? 'TENTATIVE' : 'CONFIRMED',
      });
    }
    for (const f of view.freezes) {
      events.push({
        uid: `freeze-${f.freezeId}-${f.start}@cloud-ops`,
        start: f.start,
        end: f.end,
        summary: `Freeze: ${f.name}`,
        description: f.reason,
        categories: ['Freeze', f.side],
        transparent: true,
      });
    }
    for (const w of view.maintenanceWindows) {
      events.push({
        uid: `window-${w.entityRef}-${w.start}@cloud-ops`,
        start: w.start,
        end: w.end,
        summary: `Maintenance window: ${w.title}`,
        description: `${w.entityRef} (${w.schedule})`,
        categories: ['Maintenance window'],
        transparent: true,
      });
    }
    return events;
  }

  private async calendarFor(
    caller: Caller,
    from: Date,
    to: Date,
    owner: string | undefined,
  ): Promise<ChangeCalendarView> {
    const now = this.now();
    const visibleTo = this.options.callers.visibility(caller);
    const rfcs: Rfc[] = [];
    let cursor: string | undefined;
    // Windows that started before `from` may still run into it.
    const lookBack = new Date(from.getTime() - 7 * DAY_MS).toISOString();
    do {
      const page = await this.options.rfcs.list({
        status: CALENDAR_STATUSES,
        from: lookBack,
        to: to.toISOString(),
        ...(owner ? { owner } : {}),
        sort: 'requestedStartTime',
        order: 'asc',
        limit: 500,
        cursor,
        visibleTo,
      });
      rfcs.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && rfcs.length < MAX_RFCS);

    const windows = new Map(rfcs.map(r => [r.id, rfcWindow(r, now)]));
    const shown = rfcs.filter(r =>
      windowsOverlap(windows.get(r.id)!, { start: from, end: to }),
    );

    const teams = caller.centralIt
      ? undefined
      : [...caller.refs].filter(r => r.startsWith('group:'));
    const freezeList = (
      await this.options.freezes.list({
        from: from.toISOString(),
        to: to.toISOString(),
        ...(teams ? { teams } : {}),
      })
    ).filter(
      f =>
        !owner ||
        f.scope.type === 'global' ||
        f.side === 'central-it' ||
        f.teamGroup === owner,
    );
    const freezes: CalendarFreeze[] = freezeList
      .flatMap(f =>
        freezeOccurrences(f, from, to).map(o => ({
          ...o,
          scope: f.scope,
          ...(f.teamGroup ? { teamGroup: f.teamGroup } : {}),
        })),
      )
      .sort((a, b) => a.start.localeCompare(b.start));

    const targets = await this.targets(shown);
    const calendarRfcs: CalendarRfc[] = shown.map(rfc => {
      const w = windows.get(rfc.id)!;
      const target = targets.get(lower(rfc.targetEntityRef))!;
      const related = new Set(
        [target.entityRef, target.componentRef].filter(Boolean) as string[],
      );
      const conflictsWith = shown
        .filter(other => {
          if (other.id === rfc.id) return false;
          if (!ACTIVE.includes(other.status) || !ACTIVE.includes(rfc.status)) {
            return false;
          }
          const t = targets.get(lower(other.targetEntityRef))!;
          const sameTarget =
            related.has(t.entityRef) ||
            (t.componentRef !== undefined && related.has(t.componentRef));
          return sameTarget && windowsOverlap(w, windows.get(other.id)!);
        })
        .map(o => o.id);
      const frozenBy = [
        ...new Set(
          freezeList
            .filter(
              f =>
                freezeApplies(f, target) &&
                // Marked only where the freeze holds the change.
                freezeHolds(f.side, {
                  criticalSecurityUpdate: Boolean(rfc.criticalSecurityUpdate),
                  origin: rfc.origin,
                }) &&
                freezeOccurrences(f, w.start, w.end).length > 0,
            )
            .map(f => f.id),
        ),
      ];
      return {
        id: rfc.id,
        title: rfc.title,
        status: rfc.status,
        changeClass: rfc.changeClass ?? 'normal',
        changeTypeId: rfc.changeTypeId,
        targetEntityRef: rfc.targetEntityRef,
        ownerGroup: rfc.ownerGroup,
        start: w.start.toISOString(),
        end: w.end.toISOString(),
        conflictsWith,
        frozenBy,
        held: Boolean(rfc.hold),
        overridden: Boolean(rfc.freezeOverride?.freezeIds.length),
      };
    });

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      ...(owner ? { owner } : {}),
      rfcs: calendarRfcs,
      freezes,
      maintenanceWindows: await this.maintenanceWindows(
        caller,
        owner,
        from,
        to,
      ),
    };
  }

  /** Freeze targets of the RFCs' entities, read in one call. */
  private async targets(rfcs: Rfc[]): Promise<Map<string, FreezeTarget>> {
    const refs = [...new Set(rfcs.map(r => lower(r.targetEntityRef)))];
    const entities = refs.length
      ? (
          await this.options.catalog.getEntitiesByRefs(
            { entityRefs: refs },
            { credentials: await this.options.auth.getOwnServiceCredentials() },
          )
        ).items
      : [];
    const byRef = new Map<string, FreezeTarget>();
    refs.forEach((ref, i) => {
      const owner = rfcs.find(
        r => lower(r.targetEntityRef) === ref,
      )?.ownerGroup;
      byRef.set(
        ref,
        freezeTargetOf(entities[i] ?? undefined, {
          entityRef: ref,
          ownerGroup: owner,
        }),
      );
    });
    return byRef;
  }

  /** The maintenance windows in force on the stacks the caller's teams own. */
  private async maintenanceWindows(
    caller: Caller,
    owner: string | undefined,
    from: Date,
    to: Date,
  ): Promise<CalendarMaintenanceWindow[]> {
    let teams: string[] | undefined;
    if (owner) teams = [owner];
    else if (!caller.centralIt) {
      teams = [...caller.refs].filter(r => r.startsWith('group:'));
    }
    if (teams && teams.length === 0) return [];
    if (owner && !caller.centralIt && !caller.refs.has(owner)) return [];
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'Resource',
          'spec.type': 'stack',
          ...(teams ? { 'spec.owner': teams } : {}),
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.owner',
        ],
        limit: MAX_STACKS,
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const stacks = new Map(
      items.map(e => [lower(stringifyEntityRef(e)), e] as const),
    );
    if (stacks.size === 0) return [];
    const snapshots = await this.options.snapshots.listSnapshots({
      kind: 'settings',
      entityRefs: [...stacks.keys()],
    });
    const result: CalendarMaintenanceWindow[] = [];
    for (const snapshot of snapshots) {
      const settings = snapshot.payload as SettingsSnapshot | null;
      const inForce = settings?.maintenanceWindow;
      if (!inForce?.window || !inForce.enabled) continue;
      const entity = stacks.get(lower(snapshot.entityRef)) as
        | Entity
        | undefined;
      const hours = inForce.window.durationHours;
      let at = nextMaintenanceWindow(
        inForce.window,
        new Date(from.getTime() - hours * 3600_000),
      );
      while (at.getTime() < to.getTime()) {
        result.push({
          entityRef: lower(snapshot.entityRef),
          title:
            entity?.metadata.title ??
            entity?.metadata.name ??
            snapshot.entityRef,
          ownerGroup:
            fullRef(
              (entity?.spec as { owner?: unknown } | undefined)?.owner,
              'group',
            ) ?? '',
          start: at.toISOString(),
          end: new Date(at.getTime() + hours * 3600_000).toISOString(),
          schedule: inForce.schedule,
        });
        at = nextMaintenanceWindow(
          inForce.window,
          new Date(at.getTime() + 60_000),
        );
      }
    }
    return result.sort((a, b) => a.start.localeCompare(b.start));
  }

  /** Whether the window lies inside an occurrence of the stack's maintenance window. */
  private async maintenanceFit(
    entityRef: string,
    window: { start: Date; end: Date },
  ): Promise<NonNullable<RfcConflicts['maintenanceWindow']>> {
    const [snapshot] = await this.options.snapshots.listSnapshots({
      kind: 'settings',
      entityRefs: [entityRef, lower(entityRef)],
    });
    const inForce = (snapshot?.payload as SettingsSnapshot | null)
      ?.maintenanceWindow;
    if (!inForce?.window || !inForce.enabled) {
      return { known: false, inside: false };
    }
    const ms = inForce.window.durationHours * 3600_000;
    const around = nextMaintenanceWindow(
      inForce.window,
      new Date(window.start.getTime() - ms),
    );
    const inside =
      around.getTime() <= window.start.getTime() &&
      window.end.getTime() <= around.getTime() + ms;
    const next = nextMaintenanceWindow(inForce.window, window.start);
    return {
      known: true,
      inside,
      schedule: inForce.schedule,
      next: {
        start: (inside ? around : next).toISOString(),
        end: new Date((inside ? around : next).getTime() + ms).toISOString(),
      },
    };
  }

  private async reader(credentials: BackstageCredentials): Promise<Caller> {
    await authorizeBasic(
      this.options.permissions,
      rfcReadPermission,
      credentials,
    );
    return this.options.callers.user(credentials, 'read the change calendar');
  }

  private async tokenOwner(credentials: BackstageCredentials): Promise<Caller> {
    await authorizeBasic(
      this.options.permissions,
      calendarFeedTokenPermission,
      credentials,
    );
    const caller = await this.options.callers.user(
      credentials,
      'manage calendar feed tokens',
    );
    if (caller.actor) {
      throw new NotAllowedError(
        `${caller.actor} may not manage feed tokens on behalf of ${caller.userEntityRef}`,
      );
    }
    return caller;
  }

  /** The token's user as of now, from the catalog; undefined when gone. */
  private async callerOf(
    token: CalendarFeedToken,
  ): Promise<Caller | undefined> {
    const user = await this.options.catalog.getEntityByRef(
      token.userEntityRef,
      {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      },
    );
    if (!user) return undefined;
    const groups = (user.relations ?? [])
      .filter(r => r.type === 'memberOf')
      .map(r => lower(r.targetRef));
    const ownershipEntityRefs = [lower(token.userEntityRef), ...groups];
    return {
      userEntityRef: token.userEntityRef,
      ownershipEntityRefs,
      refs: new Set(ownershipEntityRefs),
      centralIt: groups.includes(this.options.callers.centralItGroup),
    };
  }
}

function strip(token: CalendarFeedToken): CalendarFeedTokenInfo {
  const { userEntityRef: _user, ...info } = token;
  return info;
}
