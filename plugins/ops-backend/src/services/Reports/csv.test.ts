import type { MonthlyServiceReport } from '@cloud-ops/plugin-ops-common';
import { csvField, toCsv } from './csv';

const report: MonthlyServiceReport = {
  team: 'group:default/payments',
  month: '2026-11',
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  generatedAt: '2026-11-21T12:00:00.000Z',
  rfcs: {
    total: 4,
    byStatus: {
      Editing: 1,
      PendingApproval: 0,
      Scheduled: 1,
      InProgress: 0,
      Success: 1,
      Failure: 1,
      Rejected: 0,
      Canceled: 0,
    },
    leadTimeHours: { median: 17, p90: 22.6 },
    approvalTimeHours: { median: null, p90: null },
    automatedShare: 0.5,
    byClass: { standard: 1, normal: 2, emergency: 1 },
    freezeOverrides: 1,
    emergencyReviews: {
      required: 1,
      onTime: 0,
      late: 0,
      overdue: 1,
      pending: 0,
    },
  },
  incidents: {
    total: 3,
    byPriority: { P1: 1, P2: 2, P3: 0, P4: 0 },
    timeToResolveHours: { median: 3, p90: 6.2 },
    problemsOpened: 1,
  },
  patch: { instances: 4, compliantInstances: 3, compliancePercent: 75 },
  backups: { resources: 0, onSchedule: 0, successPercent: null },
  alarms: { ok: 2, alarm: 1, insufficientData: 0 },
  serviceRequests: { opened: 2, closed: 1 },
};

/** Splits RFC 4180 CSV into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

describe('toCsv', () => {
  it('writes one section,metric,value line per figure', () => {
    const csv = toCsv(report);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(['section', 'metric', 'value']);
    expect(rows.every(r => r.length === 3)).toBe(true);
    const value = (section: string, metric: string) => {
      const found = rows.filter(r => r[0] === section && r[1] === metric);
      expect(found).toHaveLength(1);
      return found[0][2];
    };

    expect(value('report', 'team')).toBe(report.team);
    expect(value('report', 'month')).toBe(report.month);
    for (const [status, n] of Object.entries(report.rfcs.byStatus)) {
      expect(value('rfc_status', status)).toBe(String(n));
    }
    for (const [priority, n] of Object.entries(report.incidents.byPriority)) {
      expect(value('incident_priority', priority)).toBe(String(n));
    }
    expect(value('rfcs', 'total')).toBe(String(report.rfcs.total));
    expect(value('rfcs', 'lead_time_hours_median')).toBe('17');
    expect(value('rfcs', 'lead_time_hours_p90')).toBe('22.6');
    // Nothing measured: an empty value, not 0.
    expect(value('rfcs', 'approval_time_hours_median')).toBe('');
    expect(value('rfcs', 'automated_share')).toBe('0.5');
    expect(value('rfc_class', 'normal')).toBe('2');
    expect(value('rfc_class', 'emergency')).toBe('1');
    expect(value('rfcs', 'freeze_overrides')).toBe('1');
    expect(value('emergency_reviews', 'overdue')).toBe('1');
    expect(value('emergency_reviews', 'on_time')).toBe('0');
    expect(value('incidents', 'time_to_resolve_hours_p90')).toBe('6.2');
    expect(value('incidents', 'problems_opened')).toBe('1');
    expect(value('patch', 'compliance_percent')).toBe('75');
    expect(value('backups', 'success_percent')).toBe('');
    expect(value('alarms', 'alarm')).toBe('1');
    expect(value('service_requests', 'opened')).toBe('2');
    expect(value('service_requests', 'closed')).toBe('1');
  });

  it('quotes fields that need it and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField(null)).toBe('');
    const odd = toCsv({ ...report, team: 'group:default/"pay,ments"' });
    expect(parseCsv(odd)[1]).toEqual([
      'report',
      'team',
      'group:default/"pay,ments"',
    ]);
  });
});
