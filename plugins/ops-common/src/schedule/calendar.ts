import type { ChangeClass } from './changeClass';
import type { FreezeOccurrence, FreezeScope } from './freezes';

/** An RFC on the change calendar, with what collides with it. @public */
export type CalendarRfc = {
  id: string;
  title: string;
  status: string;
  changeClass: ChangeClass;
  changeTypeId: string;
  targetEntityRef: string;
  ownerGroup: string;
  /** The requested window; see `rfcWindow`. */
  start: string;
  end: string;
  /** Other RFCs on the calendar on the same target, or on its stacks, whose windows overlap. */
  conflictsWith: string[];
  /** Freezes whose occurrences cover it in its window. */
  frozenBy: string[];
  /** The executor waits for a freeze before starting it. */
  held: boolean;
  /** An emergency that overrides a freeze. */
  overridden: boolean;
};

/** A freeze occurrence on the calendar, with what it covers. @public */
export type CalendarFreeze = FreezeOccurrence & {
  scope: FreezeScope;
  teamGroup?: string;
};

/** One occurrence of a stack's maintenance window, as AWS holds it. @public */
export type CalendarMaintenanceWindow = {
  entityRef: string;
  title: string;
  ownerGroup: string;
  start: string;
  end: string;
  /** The SSM schedule, e.g. `cron(0 3 ? * TUE#2 *)`. */
  schedule: string;
};

/** The change calendar of a period (`GET /api/ops/schedule`). @public */
export type ChangeCalendarView = {
  from: string;
  to: string;
  /** The team it is limited to, when one was asked for. */
  owner?: string;
  rfcs: CalendarRfc[];
  freezes: CalendarFreeze[];
  maintenanceWindows: CalendarMaintenanceWindow[];
};

/** A calendar feed token as its owner sees it. @public */
export type CalendarFeedTokenInfo = {
  id: number;
  label: string;
  /** The team the feed is for; absent for everything the user sees. */
  feedOwner?: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
};
