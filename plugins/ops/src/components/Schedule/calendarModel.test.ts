import { DateTime } from 'luxon';
import {
  calendarPeriod,
  conflictMarks,
  overlapsDay,
  parseDay,
  scopeLabel,
  shiftAnchor,
} from './calendarModel';
import { calendarRfc } from './testData';

describe('calendarPeriod', () => {
  it('spans whole weeks around the month, Monday first', () => {
    const period = calendarPeriod('month', DateTime.fromISO('2026-03-17'));
    expect(period.start.toISODate()).toBe('2026-02-23');
    expect(period.end.toISODate()).toBe('2026-04-06');
    expect(period.days).toHaveLength(42);
    expect(period.days.every(d => d.hour === 0)).toBe(true);
    expect(period.label).toBe('March 2026');
  });

  it('spans the seven days of a week', () => {
    const period = calendarPeriod('week', DateTime.fromISO('2026-03-05'));
    expect(period.days.map(d => d.toISODate())).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
    ]);
    expect(period.end.toISODate()).toBe('2026-03-09');
    expect(period.label).toBe('Week 10: 2 Mar – 8 Mar 2026');
    expect(calendarPeriod('week', DateTime.fromISO('2026-12-31')).label).toBe(
      'Week 53: 28 Dec 2026 – 3 Jan 2027',
    );
  });

  it('moves by months and weeks', () => {
    const anchor = DateTime.fromISO('2026-01-31');
    expect(shiftAnchor('month', anchor, 1).toISODate()).toBe('2026-02-28');
    expect(shiftAnchor('week', anchor, -1).toISODate()).toBe('2026-01-24');
  });
});

describe('parseDay', () => {
  it('reads a day and refuses anything else', () => {
    expect(parseDay('2026-03-02')?.toISODate()).toBe('2026-03-02');
    expect(parseDay('2026-02-30')).toBeUndefined();
    expect(parseDay('March')).toBeUndefined();
    expect(parseDay('')).toBeUndefined();
  });
});

describe('overlapsDay', () => {
  const day = DateTime.fromISO('2026-03-03');
  const at = (text: string) => DateTime.fromISO(text).toUTC().toISO()!;

  it('counts what touches the day, not what ends as it starts', () => {
    expect(
      overlapsDay(
        { start: at('2026-03-02T22:00'), end: at('2026-03-03T01:00') },
        day,
      ),
    ).toBe(true);
    expect(
      overlapsDay(
        { start: at('2026-03-02T22:00'), end: at('2026-03-03T00:00') },
        day,
      ),
    ).toBe(false);
    expect(
      overlapsDay(
        { start: at('2026-03-04T00:00'), end: at('2026-03-04T01:00') },
        day,
      ),
    ).toBe(false);
    expect(
      overlapsDay(
        { start: at('2026-03-03T12:00'), end: at('2026-03-03T12:00') },
        day,
      ),
    ).toBe(true);
  });
});

describe('conflictMarks', () => {
  const names = new Map([['FRZ-000001', 'Quarter close']]);

  it('says nothing of an RFC without conflicts', () => {
    expect(conflictMarks(calendarRfc(), names)).toEqual([]);
  });

  it('names the overlapping RFCs and the freezes', () => {
    expect(
      conflictMarks(
        calendarRfc({
          conflictsWith: ['RFC-000011', 'RFC-000012', 'RFC-000013'],
          frozenBy: ['FRZ-000001', 'FRZ-000004'],
        }),
        names,
      ),
    ).toEqual([
      {
        kind: 'overlap',
        label: 'Overlap',
        detail:
          'overlaps RFC-000011, RFC-000012 and RFC-000013 on the same target',
      },
      {
        kind: 'frozen',
        label: 'In freeze',
        detail: 'its window lies in FRZ-000001 "Quarter close" and FRZ-000004',
      },
    ]);
  });

  it('tells a hold and an override from lying in a freeze', () => {
    const frozen = { frozenBy: ['FRZ-000001'] };
    expect(
      conflictMarks(calendarRfc({ ...frozen, held: true }), names).map(
        m => m.kind,
      ),
    ).toEqual(['held']);
    expect(
      conflictMarks(calendarRfc({ ...frozen, overridden: true }), names).map(
        m => m.kind,
      ),
    ).toEqual(['override']);
    // Held by a freeze that has since been lifted.
    expect(conflictMarks(calendarRfc({ held: true }), names)).toEqual([
      {
        kind: 'held',
        label: 'Held by freeze',
        detail: 'held until a freeze ends',
      },
    ]);
  });
});

describe('scopeLabel', () => {
  it('tells global freezes from team, system and entity ones', () => {
    expect(scopeLabel({ type: 'global' })).toBe('Global');
    expect(scopeLabel({ type: 'owner', ref: 'group:default/payments' })).toBe(
      'Team payments',
    );
    expect(scopeLabel({ type: 'system', ref: 'system:default/shop' })).toBe(
      'System shop',
    );
    expect(
      scopeLabel({
        type: 'entities',
        refs: ['component:default/payments-api'],
      }),
    ).toBe('payments-api');
    expect(
      scopeLabel({
        type: 'entities',
        refs: ['component:default/a', 'resource:default/b'],
      }),
    ).toBe('2 entities');
  });
});
