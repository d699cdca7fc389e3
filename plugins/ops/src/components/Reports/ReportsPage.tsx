import {
  EmptyState,
  LinkButton,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import GetAppIcon from '@material-ui/icons/GetApp';
import PrintIcon from '@material-ui/icons/Print';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { useUrlFilters } from '../Incidents/useUrlFilters';
import { errorMessage } from '../shared/errors';
import {
  csvFileName,
  currentMonth,
  monthLabel,
  recentMonths,
  saveTextFile,
} from './format';
import { ReportView } from './ReportView';

const teamName = (ref: string) => {
  try {
    return humanizeEntityRef(parseEntityRef(ref), { defaultKind: 'group' });
  } catch {
    return ref;
  }
};

/** The printable view of a team's month. */
export const usePrintLink = () => {
  const links = useOpsLinks();
  return (team: string, month: string) =>
    `${links.reports}/print?${new URLSearchParams({ team, month })}`;
};

/** Monthly service reports of a team: pick the team and month, read, download or print. */
export const ReportsPage = () => {
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const printLink = usePrintLink();
  const [filters, setFilters] = useUrlFilters(['team', 'month'] as const);
  const [downloading, setDownloading] = useState(false);
  const teams = useAsync(() => opsApi.listReportTeams(), [opsApi]);
  const team = filters.team || teams.value?.[0] || '';
  const month = filters.month || currentMonth();
  const months = recentMonths(24);
  if (!months.includes(month)) months.unshift(month);

  const report = useAsync(
    async () => (team ? opsApi.getMonthlyReport(team, month) : undefined),
    [opsApi, team, month],
  );

  const download = async () => {
    setDownloading(true);
    try {
      const csv = await opsApi.getMonthlyReportCsv(team, month);
      saveTextFile(csv, csvFileName(team, month), 'text/csv');
    } catch (e: any) {
      alertApi.post({
        message: `Could not download the report: ${errorMessage(e)}`,
        severity: 'error',
      });
    } finally {
      setDownloading(false);
    }
  };

  if (teams.error)
    return (
      <ResponseErrorPanel
        error={teams.error}
        title="Could not load the teams with reports"
      />
    );
  if (teams.loading) return <Progress />;
  if (!teams.value?.length)
    return (
      <EmptyState
        missing="data"
        title="No team reports for you"
        description="Reports cover the teams you belong to; Central IT sees every team."
      />
    );

  return (
    <>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        mb={3}
        style={{ gap: 12 }}
      >
        <TextField
          select
          id="report-team"
          label="Team"
          variant="outlined"
          size="small"
          style={{ minWidth: 220 }}
          value={team}
          onChange={e => setFilters({ team: e.target.value })}
        >
          {(teams.value.includes(team)
            ? teams.value
            : [team, ...teams.value]
          ).map(t => (
            <MenuItem key={t} value={t}>
              {teamName(t)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          id="report-month"
          label="Month"
          variant="outlined"
          size="small"
          style={{ minWidth: 180 }}
          value={month}
          onChange={e => setFilters({ month: e.target.value })}
        >
          {months.map(m => (
            <MenuItem key={m} value={m}>
              {monthLabel(m)}
            </MenuItem>
          ))}
        </TextField>
        <Box flex={1} />
        <Button
          variant="outlined"
          color="primary"
          startIcon={<GetAppIcon />}
          disabled={downloading || !report.value}
          onClick={download}
        >
          Download CSV
        </Button>
        <LinkButton
          variant="outlined"
          color="primary"
          startIcon={<PrintIcon />}
          to={printLink(team, month)}
        >
          Printable view
        </LinkButton>
      </Box>
      {report.error && (
        <ResponseErrorPanel
          error={report.error}
          title="Could not load the report"
        />
      )}
      {report.loading && <Progress />}
      {report.value && !report.loading && <ReportView report={report.value} />}
    </>
  );
};
