import { parseEntityRef } from '@backstage/catalog-model';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import type {
  CalendarFreeze,
  CalendarMaintenanceWindow,
  CalendarRfc,
  ChangeCalendarView,
  FreezeScope,
  FreezeSide,
} from '@cloud-ops/plugin-ops-common';
import { DateTime } from 'luxon';

/** How much of the calendar shows at once. */
export type CalendarMode = 'month' | 'week';

/** The days a view shows, in the reader's zone. */
export type CalendarPeriod = {
  mode: CalendarMode;
  /** The day the period was picked by. */
  anchor: DateTime;
  /** Start of the first day shown. */
  start: DateTime;
  /** Start of the day after the last one shown. */
  end: DateTime;
  days: DateTime[];
  label: string;
};

/** A `YYYY-MM-DD` day in the reader's zone, or undefined when it is not one. */
export function parseDay(text?: string | null): DateTime | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const day = DateTime.fromISO(text);
  return day.isValid ? day.startOf('day') : undefined;
}

/**
 * The days of the month around `anchor`, from the Monday of its first week
 * to the Sunday of its last, or of its week.
 */
export function calendarPeriod(
  mode: CalendarMode,
  anchor: DateTime,
): CalendarPeriod {
  const day = anchor.startOf('day');
  const start =
    mode === 'month'
      ? day.startOf('month').startOf('week')
      : day.startOf('week');
  const last =
    mode === 'month'
      ? day.endOf('month').endOf('week').startOf('day')
      : start.plus({ days: 6 });
  const days: DateTime[] = [];
  for (let d = start; d <= last; d = d.plus({ days: 1 })) days.push(d);
  const label =
    mode === 'month'
      ? day.toFormat('LLLL yyyy')
      : `Week ${start.weekNumber}: ${start.toFormat(
          start.year === last.year ? 'd LLL' : 'd LLL yyyy',
        )} – ${last.toFormat('d LLL yyyy')}`;
  return {
    mode,
    anchor: day,
    start,
    end: last.plus({ days: 1 }),
    days,
    label,
  };
}

/** The same kind of period before (`-1`) or after (`1`) the anchor's. */
export function shiftAnchor(
  mode: CalendarMode,
  anchor: DateTime,
  step: 1 | -1,
): DateTime {
  return mode === 'month'
    ? anchor.plus({ months: step })
    : anchor.plus({ weeks: step });
}

type Span = { start: string; end: string };

/** True when the span shares a moment with the day. */
export function overlapsDay(span: Span, day: DateTime): boolean {
  const start = Date.parse(span.start);
  const end = Date.parse(span.end);
  return (
    start < day.plus({ days: 1 }).toMillis() &&
    Math.max(end, start + 1) > day.toMillis()
  );
}

/** What one day of the calendar shows, each kind by start. */
export type DayContent = {
  freezes: CalendarFreeze[];
  rfcs: CalendarRfc[];
  windows: CalendarMaintenanceWindow[];
};

const byStart = (a: Span, b: Span) => a.start.localeCompare(b.start);

export function dayContent(
  view: ChangeCalendarView,
  day: DateTime,
): DayContent {
  return {
    freezes: view.freezes.filter(f => overlapsDay(f, day)).sort(byStart),
    rfcs: view.rfcs.filter(r => overlapsDay(r, day)).sort(byStart),
    windows: view.maintenanceWindows
      .filter(w => overlapsDay(w, day))
      .sort(byStart),
  };
}

/** "10:00" when the span starts that day, "cont." when it started before. */
export function startLabel(span: Span, day: DateTime): string {
  const start = DateTime.fromISO(span.start);
  return start >= day ? start.toFormat('HH:mm') : 'cont.';
}

/** "10:00–11:30", with the day of an end on another day. */
export function rangeLabel(span: Span, day: DateTime): string {
  const start = DateTime.fromISO(span.start);
  const end = DateTime.fromISO(span.end);
  const next = day.plus({ days: 1 });
  const from =
    start >= day ? start.toFormat('HH:mm') : start.toFormat('d LLL HH:mm');
  const to = end <= next ? end.toFormat('HH:mm') : end.toFormat('d LLL HH:mm');
  return `${from}–${to}`;
}

/** Why an RFC on the calendar needs a second look. */
export type ConflictKind = 'overlap' | 'held' | 'frozen' | 'override';

/** A conflict as shown: a short label, and the detail for the title and screen readers. */
export type ConflictMark = {
  kind: ConflictKind;
  label: string;
  detail: string;
};

const list = (items: string[]) =>
  items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * The conflicts of an RFC: other changes on the same target in its window,
 * a freeze that holds it, a freeze it lies in, or one it overrides as an
 * emergency. `freezeNames` maps freeze ids to names.
 */
export function conflictMarks(
  rfc: CalendarRfc,
  freezeNames: Map<string, string>,
): ConflictMark[] {
  const marks: ConflictMark[] = [];
  const freezes = list(
    rfc.frozenBy.map(id =>
      freezeNames.has(id) ? `${id} "${freezeNames.get(id)}"` : id,
    ),
  );
  if (rfc.conflictsWith.length) {
    marks.push({
      kind: 'overlap',
      label: 'Overlap',
      detail: `overlaps ${list(rfc.conflictsWith)} on the same target`,
    });
  }
  if (rfc.held) {
    marks.push({
      kind: 'held',
      label: 'Held by freeze',
      detail: `held until ${freezes || 'a freeze'} ends`,
    });
  } else if (rfc.frozenBy.length && rfc.overridden) {
    marks.push({
      kind: 'override',
      label: 'Overrides freeze',
      detail: `an emergency change that overrides ${freezes}`,
    });
  } else if (rfc.frozenBy.length) {
    marks.push({
      kind: 'frozen',
      label: 'In freeze',
      detail: `its window lies in ${freezes}`,
    });
  }
  return marks;
}

/** A ref without the kind and namespace it would be read with anyway. */
export function shortRef(ref: string, defaultKind = 'group'): string {
  try {
    return humanizeEntityRef(parseEntityRef(ref), { defaultKind });
  } catch {
    return ref;
  }
}

/** What a freeze covers, in a few words. */
export function scopeLabel(scope: FreezeScope): string {
  switch (scope.type) {
    case 'global':
      return 'Global';
    case 'owner':
      return `Team ${shortRef(scope.ref)}`;
    case 'system':
      return `System ${shortRef(scope.ref, 'system')}`;
    case 'entities':
      return scope.refs.length === 1
        ? shortRef(scope.refs[0], 'component')
        : `${scope.refs.length} entities`;
    default:
      return 'Unknown scope';
  }
}

/** Who declared a freeze: Central IT, or the team for its own entities. */
export function sideLabel(freeze: {
  side: FreezeSide;
  teamGroup?: string;
}): string {
  return freeze.side === 'team'
    ? `Team freeze${
        freeze.teamGroup ? ` of ${shortRef(freeze.teamGroup)}` : ''
      }`
    : 'Central IT freeze';
}

/** Every group the view names: owners of RFCs and stacks, teams of freezes. */
export function groupsOf(view: ChangeCalendarView): string[] {
  const groups = [
    ...view.rfcs.map(r => r.ownerGroup),
    ...view.maintenanceWindows.map(w => w.ownerGroup),
    ...view.freezes.flatMap(f => [
      f.teamGroup ?? '',
      f.scope.type === 'owner' ? f.scope.ref : '',
    ]),
    view.owner ?? '',
  ];
  return groups.filter(g => g.startsWith('group:'));
}
