import {
  freezeApplies,
  freezeCovers,
  freezeHolds,
  freezeOccurrences,
  parseFreezeWindowInput,
  type FreezeWindowInput,
} from './freezes';

const input = (over: Partial<Record<string, unknown>> = {}) => ({
  name: 'Year-end freeze',
  reason: 'Peak trading',
  start: '2026-12-24T18:00',
  end: '2026-12-27T08:00',
  timezone: 'Europe/Berlin',
  scope: { type: 'global' },
  ...over,
});

const parsed = (over: Partial<Record<string, unknown>> = {}) => {
  const result = parseFreezeWindowInput(input(over));
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result;
};

const withId = (value: FreezeWindowInput) => ({
  ...value,
  id: 'FRZ-000001',
  side: 'central-it' as const,
});

const between = (value: FreezeWindowInput, from: string, to: string) =>
  freezeOccurrences(withId(value), new Date(from), new Date(to)).map(o => [
    o.start,
    o.end,
  ]);

describe('parseFreezeWindowInput', () => {
  it('reads a one-off freeze in its time zone', () => {
    const result = parsed();
    expect(result.startsAt).toBe('2026-12-24T17:00:00.000Z');
    expect(result.endsAt).toBe('2026-12-27T07:00:00.000Z');
    expect(result.value.rrule).toBeUndefined();
  });

  it('names every field that is wrong, and accepts nothing', () => {
    const result = parseFreezeWindowInput({
      name: '',
      start: '2026-12-24 18:00',
      end: '2026-12-24T17:00',
      timezone: 'Mars/Olympus',
      rrule: 'FREQ=SOMETIMES',
      scope: { type: 'owner', ref: 'user:default/ana' },
      colour: 'red',
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      'colour: is not a field of a freeze',
      'name: is required',
      'reason: is required',
      'timezone: "Mars/Olympus" is not an IANA time zone such as Europe/Berlin or UTC',
      'start: must be a local date-time YYYY-MM-DDTHH:mm, e.g. 2026-12-24T18:00',
      expect.stringMatching(/^rrule: cannot be read|^rrule: FREQ must be/),
      'scope.ref: "user:default/ana" is not a group ref such as group:default/payments',
    ]);
  });

  it('refuses an end before its start, and a day that does not exist', () => {
    expect(parseFreezeWindowInput(input({ end: '2026-12-24T17:59' }))).toEqual({
      ok: false,
      errors: ['end: 2026-12-24T17:59 is not after start 2026-12-24T18:00'],
    });
    expect(
      parseFreezeWindowInput(input({ start: '2026-02-30T10:00' })),
    ).toMatchObject({ ok: false, errors: [expect.stringMatching(/^start:/)] });
  });

  it.each([
    ['DTSTART:20261201T000000Z\nRRULE:FREQ=DAILY', /without DTSTART/],
    ['FREQ=MINUTELY', /FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY=XX must list days/],
    ['FREQ=WEEKLY;BYHOUR=3', /BYHOUR is not supported/],
    ['FREQ=DAILY;COUNT=0', /COUNT must be between/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL must be 1 or more/],
    ['FREQ=DAILY;UNTIL=20260101T000000', /no occurrence after start/],
    ['FREQ=DAILY;COUNT', /is not KEY=VALUE/],
    ['FREQ=DAILY;UNTIL=21000101T000000', /more than 5000 occurrences/],
  ])('refuses the recurrence %s', (rrule, message) => {
    const result = parseFreezeWindowInput(input({ rrule }));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('; ')).toMatch(message);
  });

  it('normalizes scopes: group and system refs, sorted unique entity refs', () => {
    expect(
      parsed({ scope: { type: 'owner', ref: 'Payments' } }).value.scope,
    ).toEqual({ type: 'owner', ref: 'group:default/payments' });
    expect(
      parsed({ scope: { type: 'system', ref: 'system:shop/Checkout' } }).value
        .scope,
    ).toEqual({ type: 'system', ref: 'system:shop/checkout' });
    expect(
      parsed({
        scope: {
          type: 'entities',
          refs: [
            'resource:default/b',
            'Component:default/A',
            'resource:default/b',
          ],
        },
      }).value.scope,
    ).toEqual({
      type: 'entities',
      refs: ['component:default/a', 'resource:default/b'],
    });
    expect(
      parseFreezeWindowInput(
        input({ scope: { type: 'entities', refs: ['payments-api'] } }),
      ),
    ).toMatchObject({
      ok: false,
      errors: [
        'scope.refs[0]: "payments-api" is not a full entity ref such as component:default/payments-api',
      ],
    });
    // A field the scope's type does not have is named, not ignored.
    expect(
      parseFreezeWindowInput(input({ scope: { type: 'global', extra: 1 } })),
    ).toMatchObject({
      ok: false,
      errors: [
        'scope.extra: is not a field of the global scope, which has type',
      ],
    });
    expect(
      parseFreezeWindowInput(
        input({
          scope: { type: 'owner', ref: 'group:default/web', refs: ['x'] },
        }),
      ),
    ).toMatchObject({
      ok: false,
      errors: [
        'scope.refs: is not a field of the owner scope, which has type, ref',
      ],
    });
  });
});

describe('freezeOccurrences', () => {
  it('keeps wall-clock hours across daylight-saving changes', () => {
    // Every Friday 18:00–22:00 in Berlin; clocks go forward on 29 March 2026.
    const weekly = parsed({
      start: '2026-03-20T18:00',
      end: '2026-03-20T22:00',
      rrule: 'FREQ=WEEKLY;BYDAY=FR',
    }).value;
    expect(
      between(weekly, '2026-03-19T00:00:00Z', '2026-04-04T00:00:00Z'),
    ).toEqual([
      ['2026-03-20T17:00:00.000Z', '2026-03-20T21:00:00.000Z'],
      ['2026-03-27T17:00:00.000Z', '2026-03-27T21:00:00.000Z'],
      ['2026-04-03T16:00:00.000Z', '2026-04-03T20:00:00.000Z'],
    ]);
  });

  it('spans a DST change inside one occurrence by wall clock', () => {
    // Saturday 20:00 to Sunday 08:00 over the night clocks go back
    // (25 October 2026 in Berlin): 13 hours of real time.
    const overnight = parsed({
      start: '2026-10-24T20:00',
      end: '2026-10-25T08:00',
    }).value;
    expect(
      between(overnight, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z'),
    ).toEqual([['2026-10-24T18:00:00.000Z', '2026-10-25T07:00:00.000Z']]);
  });

  it('finds the last Friday of each quarter', () => {
    const quarterly = parsed({
      start: '2026-03-27T00:00',
      end: '2026-03-28T00:00',
      timezone: 'UTC',
      rrule: 'FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR',
    }).value;
    expect(
      between(quarterly, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z').map(
        ([start]) => start.slice(0, 10),
      ),
    ).toEqual(['2026-03-27', '2026-06-26', '2026-09-25', '2026-12-25']);
  });

  it('handles month ends: the last day of each month, and the 31st only where it exists', () => {
    const lastDay = parsed({
      start: '2026-01-31T20:00',
      end: '2026-01-31T23:00',
      timezone: 'UTC',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
    }).value;
    expect(
      between(lastDay, '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z').map(
        ([start]) => start.slice(0, 10),
      ),
    ).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    const the31st = parsed({
      start: '2026-01-31T20:00',
      end: '2026-01-31T23:00',
      timezone: 'UTC',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=31',
    }).value;
    expect(
      between(the31st, '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z').map(
        ([start]) => start.slice(0, 10),
      ),
    ).toEqual(['2026-01-31', '2026-03-31', '2026-05-31']);
  });

  it('returns an occurrence that began before the range and is still on', () => {
    const long = parsed({
      start: '2026-12-01T00:00',
      end: '2026-12-20T00:00',
      timezone: 'UTC',
      rrule: 'FREQ=MONTHLY',
    }).value;
    expect(
      between(long, '2026-12-19T12:00:00Z', '2026-12-19T13:00:00Z'),
    ).toEqual([['2026-12-01T00:00:00.000Z', '2026-12-20T00:00:00.000Z']]);
    expect(
      between(long, '2026-12-20T00:00:00Z', '2026-12-21T00:00:00Z'),
    ).toEqual([]);
  });

  it('ends a bounded recurrence, and a lifted freeze has no occurrences', () => {
    const result = parsed({
      start: '2026-12-07T09:00',
      end: '2026-12-07T10:00',
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=3',
    });
    expect(result.endsAt).toBe('2026-12-09T10:00:00.000Z');
    expect(
      freezeOccurrences(
        { ...withId(result.value), liftedAt: '2026-12-01T00:00:00.000Z' },
        new Date('2026-12-01T00:00:00Z'),
        new Date('2027-01-01T00:00:00Z'),
      ),
    ).toEqual([]);
  });
});

describe('freezeCovers and freezeHolds', () => {
  const stack = {
    entityRef: 'resource:default/orders-db',
    ownerRef: 'group:default/payments',
    systemRef: 'system:default/shop',
    componentRef: 'component:default/orders',
  };

  it('matches the target, its owner, its system and, for a stack, its component', () => {
    expect(freezeCovers({ type: 'global' }, stack)).toBe(true);
    expect(
      freezeCovers({ type: 'owner', ref: 'group:default/payments' }, stack),
    ).toBe(true);
    expect(
      freezeCovers({ type: 'owner', ref: 'group:default/web' }, stack),
    ).toBe(false);
    expect(
      freezeCovers({ type: 'system', ref: 'system:default/shop' }, stack),
    ).toBe(true);
    expect(
      freezeCovers(
        { type: 'entities', refs: ['component:default/orders'] },
        stack,
      ),
    ).toBe(true);
    expect(
      freezeCovers(
        { type: 'entities', refs: ['component:default/web'] },
        stack,
      ),
    ).toBe(false);
  });

  it("applies a team's freeze only to what that team owns, even in its system", () => {
    const system = { type: 'system' as const, ref: 'system:default/shop' };
    const webComponent = {
      entityRef: 'component:default/storefront',
      ownerRef: 'group:default/web',
      systemRef: 'system:default/shop',
    };
    const paymentsFreeze = {
      scope: system,
      side: 'team' as const,
      teamGroup: 'group:default/Payments',
    };
    expect(freezeApplies(paymentsFreeze, stack)).toBe(true);
    expect(freezeApplies(paymentsFreeze, webComponent)).toBe(false);
    // Central IT's freeze of the system holds every team's part of it.
    expect(
      freezeApplies({ scope: system, side: 'central-it' }, webComponent),
    ).toBe(true);
    // A team freeze without its team applies to nothing.
    expect(freezeApplies({ scope: system, side: 'team' }, stack)).toBe(false);
  });

  it("does not let a team's freeze hold Central IT's Critical Security Updates", () => {
    const csu = { criticalSecurityUpdate: true, origin: 'central-it' as const };
    expect(freezeHolds('team', csu)).toBe(false);
    expect(freezeHolds('central-it', csu)).toBe(true);
    expect(freezeHolds('team', { ...csu, origin: 'user' })).toBe(true);
    expect(
      freezeHolds('team', {
        criticalSecurityUpdate: false,
        origin: 'central-it',
      }),
    ).toBe(true);
  });
});
