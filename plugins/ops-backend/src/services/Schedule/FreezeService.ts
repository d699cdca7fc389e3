import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  freezeApplies,
  freezeHolds,
  freezeManagePermission,
  freezeOccurrences,
  parseFreezeId,
  parseFreezeWindowInput,
  rfcReadPermission,
  rfcWindow,
  type FreezeOccurrence,
  type FreezeTarget,
  type FreezeWindow,
  type Rfc,
  type RfcHold,
} from '@cloud-ops/plugin-ops-common';
import type { FreezeStore, NewFreeze } from '../../database/FreezeStore';
import type { RfcStore } from '../../database/RfcStore';
import { authorizeBasic } from '../../permissions/authorizeBasic';
import type { Caller, Callers } from '../Callers/Callers';
import type { OpsNotifier } from '../Notifications';
import { freezeTargetOf, fullRef } from './targetFacts';

/** A freeze occurrence that holds an RFC, with the freeze it belongs to. */
export type HoldingFreeze = FreezeOccurrence & { freeze: FreezeWindow };

/** The most RFCs one declaration looks through to tell their requesters. */
const MAX_NOTIFIED_RFCS = 1000;

/**
 * Freeze windows: declared by Central IT for anything, by an owning team for
 * its own entities (its application change calendar); and which of them
 * hold a change.
 */
export class FreezeService {
  constructor(
    private readonly options: {
      store: FreezeStore;
      rfcs: RfcStore;
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      callers: Callers;
      notifier: OpsNotifier;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  async declare(
    body: unknown,
    credentials: BackstageCredentials,
  ): Promise<FreezeWindow> {
    const caller = await this.manager(credentials, 'declare freezes');
    const input = this.read(body);
    const team = await this.checkScope(caller, input.value.scope, credentials);
    const created = await this.options.store.create({
      ...input.value,
      startsAt: input.startsAt,
      ...(input.endsAt ? { endsAt: input.endsAt } : {}),
      side: team ? 'team' : 'central-it',
      ...(team ? { teamGroup: team } : {}),
      declaredBy: caller.userEntityRef,
      at: this.now().toISOString(),
    });
    await this.tellHeldRequesters(created);
    return created;
  }

  async update(
    id: string,
    body: unknown,
    credentials: BackstageCredentials,
  ): Promise<FreezeWindow> {
    const caller = await this.manager(credentials, 'change freezes');
    const current = await this.mine(id, caller);
    const { version, ...rest } = (body ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(version)) {
      throw new InputError(
        'version: the freeze version you changed is required',
      );
    }
    const input = this.read(rest);
    // Central IT may correct a team's freeze; it stays on the team's own
    // entities, checked as if the team changed it.
    const team =
      current.side === 'team' && caller.centralIt
        ? await this.checkScope(
            {
              ...caller,
              centralIt: false,
              refs: new Set([current.teamGroup ?? '']),
            },
            input.value.scope,
            credentials,
          ).catch(error => {
            if (error instanceof NotAllowedError) return undefined;
            throw error;
          })
        : await this.checkScope(caller, input.value.scope, credentials);
    if (current.side === 'team' && team !== current.teamGroup) {
      throw new InputError(
        `scope: a freeze of ${current.teamGroup} must stay on ${current.teamGroup}'s entities`,
      );
    }
    if (current.side === 'central-it' && team) {
      throw new InputError(
        'scope: only Central IT changes a Central IT freeze',
      );
    }
    const fields: Omit<NewFreeze, 'side' | 'teamGroup' | 'declaredBy'> = {
      ...input.value,
      startsAt: input.startsAt,
      ...(input.endsAt ? { endsAt: input.endsAt } : {}),
      at: this.now().toISOString(),
    };
    const updated = await this.options.store.update(
      current.id,
      version as number,
      fields,
      caller.userEntityRef,
    );
    await this.tellHeldRequesters(updated);
    return updated;
  }

  async lift(
    id: string,
    body: unknown,
    credentials: BackstageCredentials,
  ): Promise<FreezeWindow> {
    const caller = await this.manager(credentials, 'lift freezes');
    const current = await this.mine(id, caller);
    const version = (body as { version?: unknown } | undefined)?.version;
    if (!Number.isInteger(version)) {
      throw new InputError('version: the freeze version you lift is required');
    }
    return this.options.store.lift(
      current.id,
      version as number,
      caller.userEntityRef,
      this.now().toISOString(),
    );
  }

  async get(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<FreezeWindow> {
    const caller = await this.reader(credentials);
    return this.visible(id, caller);
  }

  /**
   * Freezes with an occurrence in `[from, to)` that the caller may see,
   * and those occurrences.
   */
  async list(
    query: { from?: string; to?: string; includeLifted?: boolean },
    credentials: BackstageCredentials,
  ): Promise<{ items: FreezeWindow[]; occurrences: FreezeOccurrence[] }> {
    const caller = await this.reader(credentials);
    const { from, to } = this.range(query.from, query.to);
    const items = await this.options.store.list({
      from: from.toISOString(),
      to: to.toISOString(),
      includeLifted: query.includeLifted,
      ...(caller.centralIt ? {} : { teams: groupsOf(caller) }),
    });
    const occurrences = items
      .flatMap(f => freezeOccurrences(f, from, to))
      .sort((a, b) => a.start.localeCompare(b.start));
    return { items, occurrences };
  }

  /**
   * The freeze occurrences that hold a change of `rfc` on `target` in the
   * window, earliest first: each unlifted freeze covering the target whose
   * occurrence overlaps the window, except team freezes for Central IT's
   * Critical Security Updates.
   */
  async holding(
    target: FreezeTarget,
    window: { start: Date; end: Date },
    rfc: Pick<Rfc, 'origin'> & { criticalSecurityUpdate?: boolean },
  ): Promise<HoldingFreeze[]> {
    const candidates = await this.options.store.candidates({
      from: window.start.toISOString(),
      to: window.end.toISOString(),
      entityRefs: [target.entityRef, target.componentRef].filter(
        (r): r is string => Boolean(r),
      ),
      ownerRefs: target.ownerRef ? [target.ownerRef] : [],
      systemRefs: target.systemRef ? [target.systemRef] : [],
    });
    return candidates
      .filter(
        f =>
          freezeApplies(f, target) &&
          freezeHolds(f.side, {
            criticalSecurityUpdate: Boolean(rfc.criticalSecurityUpdate),
            origin: rfc.origin,
          }),
      )
      .flatMap(freeze =>
        freezeOccurrences(freeze, window.start, window.end).map(o => ({
          ...o,
          freeze,
        })),
      )
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  /**
   * Whether the freeze behind a hold still stands unchanged since the
   * executor last looked: not lifted, not edited.
   */
  async stillHolds(hold: RfcHold): Promise<boolean> {
    const freeze = await this.options.store.get(hold.freezeId);
    return Boolean(
      freeze &&
        !freeze.liftedAt &&
        Date.parse(freeze.updatedAt) <= Date.parse(hold.checkedAt),
    );
  }

  /** What freezes are matched against for an RFC, read from the catalog. */
  async targetOf(
    rfc: Pick<Rfc, 'targetEntityRef' | 'ownerGroup'>,
    credentials?: BackstageCredentials,
  ): Promise<FreezeTarget> {
    const entity = await this.options.catalog.getEntityByRef(
      rfc.targetEntityRef,
      {
        credentials:
          credentials ?? (await this.options.auth.getOwnServiceCredentials()),
      },
    );
    return freezeTargetOf(entity, {
      entityRef: rfc.targetEntityRef,
      ownerGroup: rfc.ownerGroup,
    });
  }

  private read(body: unknown) {
    const result = parseFreezeWindowInput(body);
    if (!result.ok) {
      throw new InputError(`Invalid freeze: ${result.errors.join('; ')}`);
    }
    return result;
  }

  private range(fromText?: string, toText?: string) {
    const parse = (field: string, value?: string) => {
      if (value === undefined) return undefined;
      const at = new Date(value);
      if (Number.isNaN(at.getTime())) {
        throw new InputError(
          `Invalid query: ${field}: "${value}" is not an ISO 8601 time`,
        );
      }
      return at;
    };
    const now = this.now();
    const from = parse('from', fromText) ?? now;
    const to =
      parse('to', toText) ?? new Date(from.getTime() + 90 * 24 * 3600_000);
    if (to.getTime() <= from.getTime()) {
      throw new InputError('Invalid query: to: must be after from');
    }
    if (to.getTime() - from.getTime() > 400 * 24 * 3600_000) {
      throw new InputError(
        'Invalid query: to: a range may span at most 400 days',
      );
    }
    return { from, to };
  }

  private async reader(credentials: BackstageCredentials) {
    await authorizeBasic(
      this.options.permissions,
      rfcReadPermission,
      credentials,
    );
    return this.person(credentials, 'read freezes');
  }

  private async manager(credentials: BackstageCredentials, what: string) {
    await authorizeBasic(
      this.options.permissions,
      freezeManagePermission,
      credentials,
    );
    return this.person(credentials, what);
  }

  /** Only people act: no plugin on their behalf. */
  private async person(credentials: BackstageCredentials, what: string) {
    const caller = await this.options.callers.user(credentials, what);
    if (caller.actor) {
      throw new NotAllowedError(
        `${caller.actor} may not ${what} on behalf of ${caller.userEntityRef}`,
      );
    }
    return caller;
  }

  private async visible(id: string, caller: Caller): Promise<FreezeWindow> {
    if (parseFreezeId(id) === undefined) {
      throw new InputError(`id: "${id}" is not a freeze id such as FRZ-000012`);
    }
    const freeze = await this.options.store.get(id);
    if (
      !freeze ||
      (freeze.side === 'team' &&
        !caller.centralIt &&
        !caller.refs.has(freeze.teamGroup ?? ''))
    ) {
      throw new NotFoundError(`freeze ${id} does not exist`);
    }
    return freeze;
  }

  /** The freeze, if the caller may change it: Central IT any, a team its own. */
  private async mine(id: string, caller: Caller): Promise<FreezeWindow> {
    const freeze = await this.visible(id, caller);
    if (freeze.liftedAt) {
      throw new ConflictError(`freeze ${id} was lifted at ${freeze.liftedAt}`);
    }
    if (!caller.centralIt && freeze.side !== 'team') {
      throw new NotAllowedError(
        `freeze ${id} is Central IT's; only Central IT changes or lifts it`,
      );
    }
    return freeze;
  }

  /**
   * Checks that the scope names entities that exist and that a team's
   * freeze covers only its own; returns the team for a team freeze, or
   * undefined for Central IT's.
   */
  private async checkScope(
    caller: Caller,
    scope: FreezeWindow['scope'],
    credentials: BackstageCredentials,
  ): Promise<string | undefined> {
    let refs: string[] = [];
    if (scope.type === 'system') refs = [scope.ref];
    if (scope.type === 'entities') refs = scope.refs;
    const found = refs.length
      ? (
          await this.options.catalog.getEntitiesByRefs(
            { entityRefs: refs },
            { credentials },
          )
        ).items
      : [];
    // Named by ref: the refs were sorted and deduplicated when read, so a
    // position here is not the one that was sent.
    const problems = refs.flatMap((ref, i) =>
      found[i]
        ? []
        : [
            `${
              scope.type === 'system' ? 'scope.ref' : 'scope.refs'
            }: ${ref} is not in the catalog`,
          ],
    );
    if (problems.length) {
      throw new InputError(`Invalid freeze: ${problems.join('; ')}`);
    }
    if (caller.centralIt) return undefined;

    if (scope.type === 'global') {
      throw new NotAllowedError(
        'only Central IT declares freezes of everything; a team freezes its own entities (scope owner, system or entities)',
      );
    }
    if (scope.type === 'owner') {
      if (!caller.refs.has(scope.ref)) {
        throw new NotAllowedError(
          `you are not in ${scope.ref}; a team freezes only its own entities`,
        );
      }
      return scope.ref;
    }
    const owners = new Set(
      (found as Entity[]).map(
        e =>
          fullRef(
            (e.spec as { owner?: unknown } | undefined)?.owner,
            'group',
          ) ?? '',
      ),
    );
    const foreign = [...owners].filter(o => !caller.refs.has(o));
    if (foreign.length) {
      throw new NotAllowedError(
        `a team freezes only its own entities; ${refs.join(', ')} ${
          refs.length > 1 ? 'are' : 'is'
        } owned by ${[...owners].filter(Boolean).join(', ') || 'nobody'}`,
      );
    }
    if (owners.size !== 1) {
      throw new InputError(
        'scope.refs: list the entities of one team per freeze',
      );
    }
    return [...owners][0];
  }

  /**
   * Tells the requesters of approved RFCs that this freeze now holds; the
   * executor holds them when their time comes. Best effort: the freeze
   * stands even if a notification cannot be sent.
   */
  private async tellHeldRequesters(freeze: FreezeWindow) {
    try {
      const now = this.now();
      let cursor: string | undefined;
      let seen = 0;
      do {
        const page = await this.options.rfcs.list({
          status: ['Scheduled'],
          limit: 100,
          cursor,
        });
        seen += page.items.length;
        cursor = page.nextCursor;
        const candidates = page.items.filter(rfc => {
          const window = rfcWindow(rfc, now);
          if (window.end.getTime() <= now.getTime()) return false;
          return freezeOccurrences(freeze, window.start, window.end).length > 0;
        });
        for (const rfc of candidates) {
          const target = await this.targetOf(rfc);
          if (!freezeApplies(freeze, target)) continue;
          if (
            !freezeHolds(freeze.side, {
              criticalSecurityUpdate: Boolean(rfc.criticalSecurityUpdate),
              origin: rfc.origin,
            })
          ) {
            continue;
          }
          if (rfc.changeClass === 'emergency') continue;
          // Once per freeze period and RFC: an edit of the reason does not
          // tell the requester again, a change of its times does.
          await this.options.notifier.notifyOnce(
            `freeze-held:${freeze.id}:${freeze.startsAt}:${
              freeze.endsAt ?? ''
            }:${freeze.rrule ?? ''}:${rfc.id}`,
            {
              recipients: [rfc.requester],
              exclude: [freeze.declaredBy],
              topic: 'rfc-held',
              title: `${rfc.id} is held by the freeze "${freeze.name}"`,
              description: `${freeze.reason}. ${
                rfc.title
              } will not start while the freeze is on; it starts when the freeze ends${
                rfc.requestedEndTime
                  ? `, or is rejected if that is after its requested end ${rfc.requestedEndTime}`
                  : ''
              }.`,
              link: `/ops/rfcs/${encodeURIComponent(rfc.id)}`,
              severity: 'high',
            },
          );
        }
      } while (cursor && seen < MAX_NOTIFIED_RFCS);
    } catch (error) {
      this.options.logger.warn(
        `Could not tell requesters about freeze ${freeze.id}: ${error}`,
      );
    }
  }
}

function groupsOf(caller: Caller): string[] {
  return [...caller.refs].filter(r => r.startsWith('group:'));
}
