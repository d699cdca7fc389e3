import {
  INCIDENT_PRIORITIES,
  RFC_STATUSES,
  type MonthlyServiceReport,
} from '@cloud-ops/plugin-ops-common';

type Value = string | number | null;

/**
 * Quotes a CSV field when it holds a comma, quote or line break (RFC 4180),
 * and defuses text a spreadsheet would run as a formula.
 */
export function csvField(value: Value): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as a tidy `section,metric,value` CSV, one figure per line,
 * CRLF line ends. Missing figures (nothing to measure) are empty values.
 */
export function toCsv(report: MonthlyServiceReport): string {
  const rows: [string, string, Value][] = [
    ['report', 'team', report.team],
    ['report', 'month', report.month],
    ['report', 'period_from', report.period.from],
    ['report', 'period_to', report.period.to],
    ['report', 'generated_at', report.generatedAt],
    ['rfcs', 'total', report.rfcs.total],
    ...RFC_STATUSES.map(
      status =>
        ['rfc_status', status, report.rfcs.byStatus[status] ?? 0] as [
          string,
          string,
          Value,
        ],
    ),
    ['rfcs', 'lead_time_hours_median', report.rfcs.leadTimeHours.median],
    ['rfcs', 'lead_time_hours_p90', report.rfcs.leadTimeHours.p90],
    [
      'rfcs',
      'approval_time_hours_median',
      report.rfcs.approvalTimeHours.median,
    ],
    ['rfcs', 'approval_time_hours_p90', report.rfcs.approvalTimeHours.p90],
    ['rfcs', 'automated_share', report.rfcs.automatedShare],
    ['rfc_class', 'standard', report.rfcs.byClass.standard],
    ['rfc_class', 'normal', report.rfcs.byClass.normal],
    ['rfc_class', 'emergency', report.rfcs.byClass.emergency],
    ['rfcs', 'freeze_overrides', report.rfcs.freezeOverrides],
    ['emergency_reviews', 'required', report.rfcs.emergencyReviews.required],
    ['emergency_reviews', 'on_time', report.rfcs.emergencyReviews.onTime],
    ['emergency_reviews', 'late', report.rfcs.emergencyReviews.late],
    ['emergency_reviews', 'overdue', report.rfcs.emergencyReviews.overdue],
    ['emergency_reviews', 'pending', report.rfcs.emergencyReviews.pending],
    ['incidents', 'total', report.incidents.total],
    ...INCIDENT_PRIORITIES.map(
      priority =>
        [
          'incident_priority',
          priority,
          report.incidents.byPriority[priority] ?? 0,
        ] as [string, string, Value],
    ),
    [
      'incidents',
      'time_to_resolve_hours_median',
      report.incidents.timeToResolveHours.median,
    ],
    [
      'incidents',
      'time_to_resolve_hours_p90',
      report.incidents.timeToResolveHours.p90,
    ],
    ['incidents', 'problems_opened', report.incidents.problemsOpened],
    ['patch', 'instances', report.patch.instances],
    ['patch', 'compliant_instances', report.patch.compliantInstances],
    ['patch', 'compliance_percent', report.patch.compliancePercent],
    ['backups', 'resources', report.backups.resources],
    ['backups', 'on_schedule', report.backups.onSchedule],
    ['backups', 'success_percent', report.backups.successPercent],
    ['alarms', 'ok', report.alarms.ok],
    ['alarms', 'alarm', report.alarms.alarm],
    ['alarms', 'insufficient_data', report.alarms.insufficientData],
    ['service_requests', 'opened', report.serviceRequests.opened],
    ['service_requests', 'closed', report.serviceRequests.closed],
  ];
  const lines = [
    'section,metric,value',
    ...rows.map(row => row.map(csvField).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
