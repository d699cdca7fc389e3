import { DateTime, IANAZone } from 'luxon';
import { RRule, Frequency, type Options } from 'rrule';

/**
 * Freeze (blackout) windows: periods in which no change may start on what
 * they cover. Times are wall-clock times in the window's time zone, so a
 * freeze "every Friday 18:00 to Monday 06:00, Europe/Berlin" keeps its hours
 * across daylight-saving changes.
 */

/** What a freeze covers. @public */
export type FreezeScope =
  | { type: 'global' }
  /** Every entity the group owns. */
  | { type: 'owner'; ref: string }
  /** Every entity of the system (`spec.system`), and the system itself. */
  | { type: 'system'; ref: string }
  /** These entities, and the stacks of a component among them. */
  | { type: 'entities'; refs: string[] };

/**
 * Who declared it: Central IT, or an owning team for its own entities (its
 * application change calendar). A team's freeze does not hold Central IT's
 * Critical Security Updates. @public
 */
export type FreezeSide = 'central-it' | 'team';

/** What a person sends to declare or change a freeze. @public */
export type FreezeWindowInput = {
  name: string;
  reason: string;
  /** Local date-time of the first occurrence's start, `YYYY-MM-DDTHH:mm`. */
  start: string;
  /** Local date-time of the first occurrence's end. */
  end: string;
  /** IANA time zone of `start`, `end` and the recurrence; default `UTC`. */
  timezone: string;
  /**
   * Recurrence as an iCalendar RRULE without DTSTART, e.g.
   * `FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR` (the last Friday of each
   * quarter). `UNTIL` is a local date-time in `timezone`. Absent: once.
   */
  rrule?: string;
  scope: FreezeScope;
};

/** A declared freeze window. @public */
export type FreezeWindow = FreezeWindowInput & {
  /** `FRZ-000001` */
  id: string;
  side: FreezeSide;
  /** The team that declared a team freeze. */
  teamGroup?: string;
  declaredBy: string;
  /** UTC start of the first occurrence. */
  startsAt: string;
  /** UTC end of the last occurrence; absent when it recurs without end. */
  endsAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** Set when the freeze was lifted; a lifted freeze holds nothing. */
  liftedAt?: string;
  liftedBy?: string;
};

/** One occurrence of a freeze, in UTC. @public */
export type FreezeOccurrence = {
  freezeId: string;
  name: string;
  reason: string;
  side: FreezeSide;
  start: string;
  end: string;
};

/** A freeze's identifier, `FRZ-` and six digits. @public */
export const FREEZE_ID_PATTERN = /^FRZ-\d{6}$/;

/** @public */
export function formatFreezeId(seq: number): string {
  return `FRZ-${String(seq).padStart(6, '0')}`;
}

/**
 * The number in a freeze id, or undefined when it is not one. Six digits
 * keep it within the database's range; `FRZ-000000` names no freeze.
 *
 * @public
 */
export function parseFreezeId(id: string): number | undefined {
  if (typeof id !== 'string' || !FREEZE_ID_PATTERN.test(id)) return undefined;
  const n = Number(id.slice(4));
  return n > 0 ? n : undefined;
}

/** Longest single occurrence of a freeze. @public */
export const MAX_FREEZE_OCCURRENCE_DAYS = 62;

/** Most occurrences a bounded recurrence may have. */
const MAX_OCCURRENCES = 5000;

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const ALLOWED_FREQUENCIES = new Map<Frequency, string>([
  [Frequency.YEARLY, 'YEARLY'],
  [Frequency.MONTHLY, 'MONTHLY'],
  [Frequency.WEEKLY, 'WEEKLY'],
  [Frequency.DAILY, 'DAILY'],
]);
const ENTITY_REF =
  /^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;
const GROUP_OR_SYSTEM_REF =
  /^(?:([a-z]+):)?(?:([a-z0-9][a-z0-9._-]*)\/)?([a-z0-9][a-z0-9._-]*)$/i;

/** A wall-clock time as a Date whose UTC fields are its fields. */
function floating(local: DateTime): Date {
  return new Date(
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute),
  );
}

function fromFloating(date: Date, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
    },
    { zone },
  );
}

function parseLocal(value: unknown): DateTime | undefined {
  if (typeof value !== 'string') return undefined;
  const match = LOCAL_PATTERN.exec(value);
  if (!match) return undefined;
  const parsed = DateTime.fromISO(value, { zone: 'UTC' });
  return parsed.isValid ? parsed : undefined;
}

function normalizeRef(
  value: unknown,
  kind: 'group' | 'system',
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = GROUP_OR_SYSTEM_REF.exec(value.trim());
  if (!match) return undefined;
  if (match[1] && match[1].toLocaleLowerCase('en-US') !== kind) {
    return undefined;
  }
  return `${kind}:${(match[2] ?? 'default').toLocaleLowerCase(
    'en-US',
  )}/${match[3].toLocaleLowerCase('en-US')}`;
}

/** The recurrence read from an RRULE string, or the problem with it. */
function parseRule(
  text: string,
): { options: Partial<Options>; text: string } | { error: string } {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) return { error: 'is empty' };
  if (/DTSTART|TZID|[\r\n]/i.test(body)) {
    return {
      error:
        'must be one RRULE without DTSTART or TZID; start and timezone give them',
    };
  }
  const known = new Set([
    'FREQ',
    'INTERVAL',
    'COUNT',
    'UNTIL',
    'BYMONTH',
    'BYMONTHDAY',
    'BYDAY',
    'BYSETPOS',
    'BYWEEKNO',
    'BYYEARDAY',
    'WKST',
  ]);
  for (const part of body.split(';')) {
    const [key, value] = part.split('=');
    if (!key || value === undefined || value === '') {
      return { error: `"${part}" is not KEY=VALUE` };
    }
    if (!known.has(key.toUpperCase())) {
      return {
        error: `${key} is not supported; use ${[...known].join(', ')}`,
      };
    }
  }
  const byDay = /(?:^|;)BYDAY=([^;]*)/i.exec(body)?.[1];
  if (
    byDay !== undefined &&
    !byDay
      .split(',')
      .every(day =>
        /^([+-]?([1-9]|[1-4]\d|5[0-3]))?(MO|TU|WE|TH|FR|SA|SU)$/i.test(day),
      )
  ) {
    return {
      error: `BYDAY=${byDay} must list days such as MO, FR or -1FR (the last Friday)`,
    };
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(body);
    // Reading does not check everything: expanding once does.
    new RRule({ ...options, dtstart: new Date(0) }).after(new Date(0), true);
  } catch (e) {
    return { error: `cannot be read: ${(e as Error).message}` };
  }
  if (options.freq === undefined || !ALLOWED_FREQUENCIES.has(options.freq)) {
    return {
      error: `FREQ must be one of ${[...ALLOWED_FREQUENCIES.values()].join(
        ', ',
      )}`,
    };
  }
  if (options.interval !== undefined && !(options.interval >= 1)) {
    return { error: 'INTERVAL must be 1 or more' };
  }
  if (options.count !== undefined && options.count !== null) {
    if (!(options.count >= 1 && options.count <= MAX_OCCURRENCES)) {
      return { error: `COUNT must be between 1 and ${MAX_OCCURRENCES}` };
    }
  }
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'number' && Number.isNaN(value)) {
      return { error: `${key.toUpperCase()} is not a number` };
    }
    if (
      Array.isArray(value) &&
      value.some(v => typeof v === 'number' && Number.isNaN(v))
    ) {
      return {
        error: `${key.toUpperCase()} holds something that is not a number`,
      };
    }
  }
  return { options, text: body.toUpperCase() };
}

function ruleFor(freeze: { start: string; rrule?: string }): RRule | undefined {
  if (!freeze.rrule) return undefined;
  const parsed = parseRule(freeze.rrule);
  if ('error' in parsed) return undefined;
  const start = parseLocal(freeze.start)!;
  return new RRule({ ...parsed.options, dtstart: floating(start) });
}

/** Minutes of wall-clock time from a freeze's start to its end. */
function wallMinutes(freeze: { start: string; end: string }): number {
  return parseLocal(freeze.end)!.diff(parseLocal(freeze.start)!, 'minutes')
    .minutes;
}

function occurrenceAt(
  floatingStart: Date,
  minutes: number,
  zone: string,
): { start: DateTime; end: DateTime } {
  const start = fromFloating(floatingStart, zone);
  const end = fromFloating(
    new Date(floatingStart.getTime() + minutes * 60_000),
    zone,
  );
  return { start, end };
}

/** @public */
export type FreezeInputResult =
  | {
      ok: true;
      value: FreezeWindowInput;
      startsAt: string;
      endsAt?: string;
    }
  | { ok: false; errors: string[] };

/**
 * Reads what a person sent to declare a freeze. Each problem names its
 * field; nothing is accepted unless all of it is right.
 *
 * @public
 */
export function parseFreezeWindowInput(value: unknown): FreezeInputResult {
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: ['body: must be a JSON object'] };
  }
  const body = value as Record<string, unknown>;
  const known = new Set([
    'name',
    'reason',
    'start',
    'end',
    'timezone',
    'rrule',
    'scope',
  ]);
  for (const key of Object.keys(body)) {
    if (!known.has(key)) errors.push(`${key}: is not a field of a freeze`);
  }
  const text = (key: string, max: number) => {
    const v = body[key];
    if (typeof v !== 'string' || !v.trim()) {
      errors.push(`${key}: is required`);
      return '';
    }
    if (v.length > max) errors.push(`${key}: at most ${max} characters`);
    return v.trim();
  };
  const name = text('name', 200);
  const reason = text('reason', 2000);

  const timezone =
    body.timezone === undefined ? 'UTC' : (body.timezone as string);
  if (typeof timezone !== 'string' || !IANAZone.isValidZone(timezone)) {
    errors.push(
      `timezone: "${String(
        body.timezone,
      )}" is not an IANA time zone such as Europe/Berlin or UTC`,
    );
  }
  const start = parseLocal(body.start);
  if (!start) {
    errors.push(
      'start: must be a local date-time YYYY-MM-DDTHH:mm, e.g. 2026-12-24T18:00',
    );
  }
  const end = parseLocal(body.end);
  if (!end) {
    errors.push(
      'end: must be a local date-time YYYY-MM-DDTHH:mm, e.g. 2026-12-27T08:00',
    );
  }
  if (start && end) {
    if (end <= start) {
      errors.push(`end: ${body.end} is not after start ${body.start}`);
    } else if (end.diff(start, 'days').days > MAX_FREEZE_OCCURRENCE_DAYS) {
      errors.push(
        `end: an occurrence may last at most ${MAX_FREEZE_OCCURRENCE_DAYS} days`,
      );
    }
  }

  let rrule: string | undefined;
  if (body.rrule !== undefined && body.rrule !== null && body.rrule !== '') {
    if (typeof body.rrule !== 'string') {
      errors.push('rrule: must be a string such as FREQ=WEEKLY;BYDAY=FR');
    } else {
      const parsed = parseRule(body.rrule);
      if ('error' in parsed) {
        errors.push(`rrule: ${parsed.error}`);
      } else {
        rrule = parsed.text;
      }
    }
  }

  const scope = parseScope(body.scope, errors);
  if (errors.length) return { ok: false, errors };

  const input: FreezeWindowInput = {
    name,
    reason,
    start: body.start as string,
    end: body.end as string,
    timezone,
    ...(rrule ? { rrule } : {}),
    scope: scope!,
  };
  const bounds = freezeBounds(input);
  if ('error' in bounds) return { ok: false, errors: [bounds.error] };
  return { ok: true, value: input, ...bounds };
}

function parseScope(value: unknown, errors: string[]): FreezeScope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(
      'scope: must be {"type":"global"}, {"type":"owner","ref":…}, {"type":"system","ref":…} or {"type":"entities","refs":[…]}',
    );
    return undefined;
  }
  const scope = value as Record<string, unknown>;
  // Each type has its own fields; anything else is a mistake worth naming.
  const fields: Record<string, string[]> = {
    global: ['type'],
    owner: ['type', 'ref'],
    system: ['type', 'ref'],
    entities: ['type', 'refs'],
  };
  const allowed = Object.hasOwn(fields, String(scope.type))
    ? fields[String(scope.type)]
    : undefined;
  if (allowed) {
    const extra = Object.keys(scope).filter(k => !allowed.includes(k));
    if (extra.length > 0) {
      errors.push(
        `scope.${extra[0]}: is not a field of the ${String(
          scope.type,
        )} scope, which has ${allowed.join(', ')}`,
      );
      return undefined;
    }
  }
  switch (scope.type) {
    case 'global':
      return { type: 'global' };
    case 'owner':
    case 'system': {
      const ref = normalizeRef(
        scope.ref,
        scope.type === 'owner' ? 'group' : 'system',
      );
      if (!ref) {
        errors.push(
          `scope.ref: "${String(scope.ref)}" is not a ${
            scope.type === 'owner' ? 'group' : 'system'
          } ref such as ${
            scope.type === 'owner'
              ? 'group:default/payments'
              : 'system:default/shop'
          }`,
        );
        return undefined;
      }
      return { type: scope.type, ref };
    }
    case 'entities': {
      const refs = scope.refs;
      if (!Array.isArray(refs) || refs.length === 0 || refs.length > 100) {
        errors.push('scope.refs: must list 1 to 100 entity refs');
        return undefined;
      }
      const out: string[] = [];
      refs.forEach((ref, i) => {
        if (typeof ref !== 'string' || !ENTITY_REF.test(ref.trim())) {
          errors.push(
            `scope.refs[${i}]: "${String(
              ref,
            )}" is not a full entity ref such as component:default/payments-api`,
          );
        } else {
          out.push(ref.trim().toLocaleLowerCase('en-US'));
        }
      });
      return { type: 'entities', refs: [...new Set(out)].sort() };
    }
    default:
      errors.push(
        `scope.type: must be global, owner, system or entities; got ${JSON.stringify(
          scope.type,
        )}`,
      );
      return undefined;
  }
}

/**
 * UTC start of the first occurrence and end of the last (absent when the
 * recurrence has no end), or why there is no occurrence at all.
 */
function freezeBounds(
  freeze: FreezeWindowInput,
): { startsAt: string; endsAt?: string } | { error: string } {
  const minutes = wallMinutes(freeze);
  const rule = ruleFor(freeze);
  if (!rule) {
    const { start, end } = occurrenceAt(
      floating(parseLocal(freeze.start)!),
      minutes,
      freeze.timezone,
    );
    return { startsAt: iso(start), endsAt: iso(end) };
  }
  const first = rule.after(floating(parseLocal(freeze.start)!), true);
  if (!first) {
    return { error: 'rrule: the recurrence has no occurrence after start' };
  }
  const startsAt = iso(occurrenceAt(first, minutes, freeze.timezone).start);
  const bounded = rule.options.count !== null || rule.options.until !== null;
  if (!bounded) return { startsAt };
  const all = rule.all((_d, i) => i < MAX_OCCURRENCES + 1);
  if (all.length > MAX_OCCURRENCES) {
    return {
      error: `rrule: more than ${MAX_OCCURRENCES} occurrences; shorten UNTIL or use COUNT`,
    };
  }
  const last = all[all.length - 1];
  return {
    startsAt,
    endsAt: iso(occurrenceAt(last, minutes, freeze.timezone).end),
  };
}

function iso(value: DateTime): string {
  return value.toUTC().toISO({ suppressMilliseconds: false })!;
}

/**
 * The occurrences of a freeze that overlap `[from, to)`, in order. A lifted
 * freeze has none.
 *
 * @public
 */
export function freezeOccurrences(
  freeze: FreezeWindowInput & {
    id: string;
    side: FreezeSide;
    liftedAt?: string;
  },
  from: Date,
  to: Date,
): FreezeOccurrence[] {
  if (freeze.liftedAt) return [];
  const start = parseLocal(freeze.start);
  const end = parseLocal(freeze.end);
  if (!start || !end || !(to.getTime() > from.getTime())) return [];
  const minutes = wallMinutes(freeze);
  const toOccurrence = (floatingStart: Date): FreezeOccurrence => {
    const o = occurrenceAt(floatingStart, minutes, freeze.timezone);
    return {
      freezeId: freeze.id,
      name: freeze.name,
      reason: freeze.reason,
      side: freeze.side,
      start: iso(o.start),
      end: iso(o.end),
    };
  };
  const overlaps = (o: FreezeOccurrence) =>
    Date.parse(o.start) < to.getTime() && Date.parse(o.end) > from.getTime();
  const rule = ruleFor(freeze);
  if (!rule) {
    const once = toOccurrence(floating(start));
    return overlaps(once) ? [once] : [];
  }
  // Occurrences in floating time that could overlap: start up to one
  // occurrence length (plus a day for zone offsets) before `from`.
  const slack = (minutes + 24 * 60) * 60_000;
  const lo = new Date(from.getTime() - slack);
  const hi = new Date(to.getTime() + 24 * 60 * 60_000);
  const starts = rule.between(lo, hi, true, (_d, i) => i < MAX_OCCURRENCES);
  return starts.map(toOccurrence).filter(overlaps);
}

/** What a freeze is matched against: the RFC's target and its relations. @public */
export type FreezeTarget = {
  /** Full refs, lower case. */
  entityRef: string;
  ownerRef?: string;
  systemRef?: string;
  /** For a stack: the component it belongs to. */
  componentRef?: string;
};

/**
 * True when the freeze's scope covers the target.
 *
 * @public
 */
export function freezeCovers(
  scope: FreezeScope,
  target: FreezeTarget,
): boolean {
  const lower = (v?: string) => v?.toLocaleLowerCase('en-US');
  switch (scope.type) {
    case 'global':
      return true;
    case 'owner':
      return lower(target.ownerRef) === scope.ref;
    case 'system':
      return (
        lower(target.systemRef) === scope.ref ||
        lower(target.entityRef) === scope.ref
      );
    case 'entities':
      return scope.refs.some(
        ref =>
          ref === lower(target.entityRef) || ref === lower(target.componentRef),
      );
    default:
      return false;
  }
}

/**
 * True when a freeze applies to a target: its scope covers the target and,
 * for a team's own freeze, the team owns the target. A team that owns a
 * system does not freeze the other teams' components in it.
 *
 * @public
 */
export function freezeApplies(
  freeze: Pick<FreezeWindow, 'scope' | 'side' | 'teamGroup'>,
  target: FreezeTarget,
): boolean {
  if (!freezeCovers(freeze.scope, target)) return false;
  if (freeze.side !== 'team') return true;
  const lower = (v?: string) => v?.toLocaleLowerCase('en-US');
  return (
    Boolean(freeze.teamGroup) &&
    lower(target.ownerRef) === lower(freeze.teamGroup)
  );
}

/**
 * True when a freeze of this side holds an RFC: a team's freeze does not hold
 * Central IT's Critical Security Updates.
 *
 * @public
 */
export function freezeHolds(
  side: FreezeSide,
  rfc: { criticalSecurityUpdate: boolean; origin: 'user' | 'central-it' },
): boolean {
  return !(
    side === 'team' &&
    rfc.criticalSecurityUpdate &&
    rfc.origin === 'central-it'
  );
}

/** Refs of the scope, for the store's index: owner, system or entities. @public */
export function freezeScopeRefs(scope: FreezeScope): string[] {
  switch (scope.type) {
    case 'owner':
    case 'system':
      return [scope.ref];
    case 'entities':
      return scope.refs;
    default:
      return [];
  }
}
