import { escapeText, foldLine, renderCalendar } from './ical';

describe('iCalendar rendering', () => {
  it('escapes TEXT values and drops control characters', () => {
    expect(escapeText('a; b, c\\d\nnext\u0007')).toBe(
      'a\\; b\\, c\\\\d\\nnext',
    );
  });

  it('folds lines at 75 octets without splitting a character', () => {
    const line = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n ');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    }
    expect(parts.join('')).toBe(line);
  });

  it('writes one VEVENT per event, in UTC, with CRLF line ends', () => {
    const text = renderCalendar({
      name: 'Changes, payments',
      now: new Date('2026-12-01T10:00:00.000Z'),
      events: [
        {
          uid: 'rfc-RFC-000001@cloud-ops',
          start: '2026-12-03T09:00:00.000Z',
          end: '2026-12-03T10:30:00.000Z',
          summary: 'RFC-000001 Resize orders-db',
          description: 'Scheduled; owner group:default/payments',
          url: 'http://localhost:3000/ops/rfcs/RFC-000001',
          categories: ['RFC', 'normal'],
        },
        {
          uid: 'freeze-FRZ-000001-20261224T170000Z@cloud-ops',
          start: '2026-12-24T17:00:00.000Z',
          end: '2026-12-27T07:00:00.000Z',
          summary: 'Freeze: Year end',
          transparent: true,
        },
      ],
    });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.split('\r\n').filter(l => l === 'BEGIN:VEVENT')).toHaveLength(
      2,
    );
    expect(text).toContain('X-WR-CALNAME:Changes\\, payments\r\n');
    expect(text).toContain(
      'DTSTART:20261203T090000Z\r\nDTEND:20261203T103000Z',
    );
    expect(text).toContain('DTSTAMP:20261201T100000Z');
    expect(text).toContain('CATEGORIES:RFC,normal');
    expect(text).toContain('TRANSP:TRANSPARENT');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });
});
