import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  INCIDENT_PRIORITIES,
  RFC_STATUSES,
  type MonthlyServiceReport,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import { PriorityChip } from '../Incidents/labels';
import { RFC_STATUS_LABELS } from '../shared/RfcStatusChip';
import { formatTime } from '../shared/time';
import { hours, monthLabel, percent } from './format';

/** A two-column table of named figures. */
const Figures = (props: { label: string; rows: [ReactNode, ReactNode][] }) => (
  <Table size="small" aria-label={props.label}>
    <TableBody>
      {props.rows.map(([name, value], i) => (
        <TableRow key={i}>
          <TableCell component="th" scope="row">
            {name}
          </TableCell>
          <TableCell align="right">{value}</TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

/** A big number with a caption. */
const Headline = (props: { value: ReactNode; caption: string }) => (
  <Box mb={2}>
    <Typography variant="h3" component="p">
      {props.value}
    </Typography>
    <Typography variant="body2" color="textSecondary">
      {props.caption}
    </Typography>
  </Box>
);

/** The monthly service report of one team, section by section. */
export const ReportView = ({ report }: { report: MonthlyServiceReport }) => {
  const { rfcs, incidents, patch, backups, alarms, serviceRequests } = report;
  return (
    <Grid container spacing={3} data-testid="service-report">
      <Grid item xs={12}>
        <Typography variant="h5" component="h2">
          <EntityRefLink entityRef={report.team} defaultKind="group" /> —{' '}
          {monthLabel(report.month)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {formatTime(report.period.from)} to {formatTime(report.period.to)}{' '}
          (UTC month) · generated {formatTime(report.generatedAt)}
        </Typography>
      </Grid>

      <Grid item xs={12} md={6}>
        <InfoCard title="Changes (RFCs)">
          <Headline value={rfcs.total} caption="RFCs created this month" />
          <Table size="small" aria-label="RFCs by status">
            <TableHead>
              <TableRow>
                <TableCell>Status</TableCell>
                <TableCell align="right">RFCs</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {RFC_STATUSES.map(s => (
                <TableRow key={s}>
                  <TableCell>{RFC_STATUS_LABELS[s]}</TableCell>
                  <TableCell align="right">{rfcs.byStatus[s] ?? 0}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box mt={2}>
            <Figures
              label="RFC timing"
              rows={[
                ['Lead time, median', hours(rfcs.leadTimeHours.median)],
                ['Lead time, 90th percentile', hours(rfcs.leadTimeHours.p90)],
                ['Approval time, median', hours(rfcs.approvalTimeHours.median)],
                [
                  'Approval time, 90th percentile',
                  hours(rfcs.approvalTimeHours.p90),
                ],
                [
                  'Automated changes',
                  percent(
                    rfcs.automatedShare === null
                      ? null
                      : rfcs.automatedShare * 100,
                  ),
                ],
              ]}
            />
          </Box>
          <Box mt={2}>
            <Figures
              label="RFCs by change class"
              rows={[
                ['Standard (pre-approved)', rfcs.byClass.standard],
                ['Normal', rfcs.byClass.normal],
                ['Emergency', rfcs.byClass.emergency],
                ['Freeze overrides', rfcs.freezeOverrides],
                ['Emergency reviews due', rfcs.emergencyReviews.required],
                ['Reviews on time', rfcs.emergencyReviews.onTime],
                ['Reviews late', rfcs.emergencyReviews.late],
                ['Reviews overdue', rfcs.emergencyReviews.overdue],
                ['Reviews not yet due', rfcs.emergencyReviews.pending],
              ]}
            />
          </Box>
        </InfoCard>
      </Grid>

      <Grid item xs={12} md={6}>
        <InfoCard title="Incidents">
          <Headline value={incidents.total} caption="incidents this month" />
          <Figures
            label="Incidents by priority"
            rows={INCIDENT_PRIORITIES.map(p => [
              <PriorityChip key={p} priority={p} />,
              incidents.byPriority[p] ?? 0,
            ])}
          />
          <Box mt={2}>
            <Figures
              label="Incident resolution"
              rows={[
                [
                  'Time to resolve, median',
                  hours(incidents.timeToResolveHours.median),
                ],
                [
                  'Time to resolve, 90th percentile',
                  hours(incidents.timeToResolveHours.p90),
                ],
                ['Problems opened', incidents.problemsOpened],
              ]}
            />
          </Box>
        </InfoCard>
      </Grid>

      <Grid item xs={12} md={6}>
        <InfoCard title="Patching, backups and alarms">
          <Figures
            label="Operations"
            rows={[
              [
                'Patch compliance',
                `${percent(patch.compliancePercent)} (${
                  patch.compliantInstances
                } of ${patch.instances} instances)`,
              ],
              [
                'Backups on schedule',
                `${percent(backups.successPercent)} (${backups.onSchedule} of ${
                  backups.resources
                } resources)`,
              ],
              ['Alarms in ALARM', alarms.alarm],
              ['Alarms OK', alarms.ok],
              ['Alarms with insufficient data', alarms.insufficientData],
            ]}
          />
          <Typography variant="caption" color="textSecondary">
            From the latest stored readings of the team's entities.
          </Typography>
        </InfoCard>
      </Grid>

      <Grid item xs={12} md={6}>
        <InfoCard title="Service requests">
          <Figures
            label="Service requests"
            rows={[
              ['Opened', serviceRequests.opened],
              ['Closed', serviceRequests.closed],
            ]}
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
};
