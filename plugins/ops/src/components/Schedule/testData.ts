import type {
  CalendarFeedTokenInfo,
  CalendarFreeze,
  CalendarRfc,
  ChangeCalendarView,
  FreezeWindow,
} from '@cloud-ops/plugin-ops-common';

/** An RFC on the calendar; tests override what they check. */
export function calendarRfc(overrides: Partial<CalendarRfc> = {}): CalendarRfc {
  return {
    id: 'RFC-000010',
    title: 'Resize ledger database',
    status: 'Scheduled',
    changeClass: 'normal',
    changeTypeId: 'rds-resize',
    targetEntityRef: 'component:default/payments-api',
    ownerGroup: 'group:default/payments',
    start: '2026-03-03T10:00:00.000Z',
    end: '2026-03-03T11:00:00.000Z',
    conflictsWith: [],
    frozenBy: [],
    held: false,
    overridden: false,
    ...overrides,
  };
}

export const quarterClose: CalendarFreeze = {
  freezeId: 'FRZ-000001',
  name: 'Quarter close',
  reason: 'Finance closes the books',
  side: 'central-it',
  scope: { type: 'global' },
  start: '2026-03-04T18:00:00.000Z',
  end: '2026-03-06T06:00:00.000Z',
};

export const paymentsRelease: CalendarFreeze = {
  freezeId: 'FRZ-000002',
  name: 'Payments release freeze',
  reason: 'Card scheme migration',
  side: 'team',
  teamGroup: 'group:default/payments',
  scope: { type: 'owner', ref: 'group:default/payments' },
  start: '2026-03-21T08:00:00.000Z',
  end: '2026-03-21T16:00:00.000Z',
};

/**
 * March 2026: two RFCs that overlap on one target, one held by the quarter
 * close, an emergency that overrides it, one merely in it, and a later one
 * without conflicts; a team freeze and a stack's maintenance window.
 */
export function marchView(
  overrides: Partial<ChangeCalendarView> = {},
): ChangeCalendarView {
  return {
    from: '2026-02-23T00:00:00.000Z',
    to: '2026-04-06T00:00:00.000Z',
    rfcs: [
      calendarRfc({ conflictsWith: ['RFC-000011'] }),
      calendarRfc({
        id: 'RFC-000011',
        title: 'Rotate ledger keys',
        status: 'InProgress',
        start: '2026-03-03T10:30:00.000Z',
        end: '2026-03-03T11:30:00.000Z',
        conflictsWith: ['RFC-000010'],
      }),
      calendarRfc({
        id: 'RFC-000012',
        title: 'Deploy storefront',
        targetEntityRef: 'component:default/storefront',
        ownerGroup: 'group:default/web',
        start: '2026-03-05T09:00:00.000Z',
        end: '2026-03-05T10:00:00.000Z',
        frozenBy: ['FRZ-000001'],
        held: true,
      }),
      calendarRfc({
        id: 'RFC-000013',
        title: 'Hotfix checkout',
        changeClass: 'emergency',
        targetEntityRef: 'component:default/storefront',
        ownerGroup: 'group:default/web',
        start: '2026-03-05T12:00:00.000Z',
        end: '2026-03-05T13:00:00.000Z',
        frozenBy: ['FRZ-000001'],
        overridden: true,
      }),
      calendarRfc({
        id: 'RFC-000015',
        title: 'Rename storefront bucket',
        status: 'PendingApproval',
        targetEntityRef: 'component:default/storefront',
        ownerGroup: 'group:default/web',
        start: '2026-03-05T14:00:00.000Z',
        end: '2026-03-05T15:00:00.000Z',
        frozenBy: ['FRZ-000001'],
      }),
      calendarRfc({
        id: 'RFC-000014',
        title: 'Enable ledger backups',
        status: 'PendingApproval',
        start: '2026-03-20T09:00:00.000Z',
        end: '2026-03-20T10:00:00.000Z',
      }),
    ],
    freezes: [quarterClose, paymentsRelease],
    maintenanceWindows: [
      {
        entityRef: 'resource:default/ledger-db',
        title: 'Ledger database',
        ownerGroup: 'group:default/payments',
        start: '2026-03-03T14:00:00.000Z',
        end: '2026-03-03T16:00:00.000Z',
        schedule: 'cron(0 14 ? * TUE *)',
      },
    ],
    ...overrides,
  };
}

/** The declared freeze behind a calendar occurrence, with its version. */
export function freezeWindow(
  occurrence: CalendarFreeze,
  overrides: Partial<FreezeWindow> = {},
): FreezeWindow {
  return {
    id: occurrence.freezeId,
    name: occurrence.name,
    reason: occurrence.reason,
    side: occurrence.side,
    ...(occurrence.teamGroup ? { teamGroup: occurrence.teamGroup } : {}),
    scope: occurrence.scope,
    start: occurrence.start.slice(0, 16),
    end: occurrence.end.slice(0, 16),
    timezone: 'UTC',
    declaredBy:
      occurrence.side === 'team' ? 'user:default/priya' : 'user:default/omar',
    startsAt: occurrence.start,
    endsAt: occurrence.end,
    createdAt: '2026-02-01T08:00:00.000Z',
    updatedAt: '2026-02-01T08:00:00.000Z',
    version: 3,
    ...overrides,
  };
}

export function feedToken(
  overrides: Partial<CalendarFeedTokenInfo> = {},
): CalendarFeedTokenInfo {
  return {
    id: 7,
    label: 'Phone',
    createdAt: '2026-02-10T08:00:00.000Z',
    ...overrides,
  };
}
