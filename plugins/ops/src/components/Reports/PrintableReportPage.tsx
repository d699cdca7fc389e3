import {
  Content,
  EmptyState,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import PrintIcon from '@material-ui/icons/Print';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { currentMonth } from './format';
import { ReportView } from './ReportView';

/**
 * On paper: no navigation, no buttons, cards without shadows, sections kept
 * whole where the page allows.
 */
const PRINT_CSS = `
@media print {
  nav, header, .ops-no-print { display: none !important; }
  body, main { background: #fff !important; }
  [data-testid="service-report"] .MuiPaper-root { box-shadow: none !important; border: 1px solid #ccc; }
  [data-testid="service-report"] .MuiGrid-item { break-inside: avoid; }
}
`;

/** The monthly report of `?team=` and `?month=`, laid out for printing. */
export const PrintableReportPage = () => {
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const [search] = useSearchParams();
  const team = search.get('team') ?? '';
  const month = search.get('month') || currentMonth();
  const report = useAsync(
    async () => (team ? opsApi.getMonthlyReport(team, month) : undefined),
    [opsApi, team, month],
  );
  const back = `${links.reports}?${new URLSearchParams({ team, month })}`;

  return (
    <Page themeId="tool">
      <style>{PRINT_CSS}</style>
      <Content>
        <Box
          className="ops-no-print"
          display="flex"
          alignItems="center"
          mb={2}
          style={{ gap: 12 }}
        >
          <Link to={back}>Back to reports</Link>
          <Box flex={1} />
          <Button
            variant="contained"
            color="primary"
            startIcon={<PrintIcon />}
            disabled={!report.value}
            onClick={() => window.print()}
          >
            Print
          </Button>
        </Box>
        <Typography variant="h4" component="h1" gutterBottom>
          Monthly service report
        </Typography>
        {!team && (
          <EmptyState
            missing="info"
            title="No team given"
            description="Open the printable view from the Reports tab."
          />
        )}
        {report.error && (
          <ResponseErrorPanel
            error={report.error}
            title="Could not load the report"
          />
        )}
        {report.loading && <Progress />}
        {report.value && <ReportView report={report.value} />}
      </Content>
    </Page>
  );
};
