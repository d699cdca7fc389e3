import { Link } from '@backstage/core-components';
import type { PatchSnapshot } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { formatTime, relativeTime } from '../shared/time';
import { CardState, OperationsCard } from './OperationsCard';

/** The compliant share as a ring, so it reads at a glance. */
export const ComplianceRing = (props: { compliant: number; total: number }) => {
  const theme = useTheme();
  const { compliant, total } = props;
  const share = total === 0 ? 0 : compliant / total;
  const r = 40;
  const circumference = 2 * Math.PI * r;
  let color = theme.palette.error.main;
  if (share === 1) color = theme.palette.success.main;
  else if (share >= 0.8) color = theme.palette.warning.main;
  const percent = Math.round(share * 100);
  return (
    <svg
      width={110}
      height={110}
      viewBox="0 0 110 110"
      role="img"
      aria-label={`${percent}% of instances compliant`}
    >
      <circle
        cx={55}
        cy={55}
        r={r}
        fill="none"
        stroke={theme.palette.divider}
        strokeWidth={12}
      />
      <circle
        cx={55}
        cy={55}
        r={r}
        fill="none"
        stroke={color}
        strokeWidth={12}
        strokeDasharray={`${share * circumference} ${circumference}`}
        transform="rotate(-90 55 55)"
      />
      <text
        x={55}
        y={55}
        textAnchor="middle"
        dominantBaseline="central"
        fontSize={20}
        fontWeight={700}
        fill={theme.palette.text.primary}
      >
        {percent}%
      </text>
    </svg>
  );
};

const Figure = (props: {
  label: string;
  value: string | number;
  alert?: boolean;
}) => (
  <Box>
    <Typography variant="caption" color="textSecondary">
      {props.label}
    </Typography>
    <Typography variant="h6" color={props.alert ? 'error' : 'textPrimary'}>
      {props.value}
    </Typography>
  </Box>
);

/** Earliest upcoming maintenance window across the instances. */
function nextWindow(data: PatchSnapshot) {
  return data.instances
    .map(i => i.maintenanceWindow)
    .filter(w => w?.nextExecutionAt)
    .sort((a, b) => a!.nextExecutionAt!.localeCompare(b!.nextExecutionAt!))[0];
}

function lastScan(data: PatchSnapshot) {
  return data.instances
    .map(i => i.lastScanAt)
    .filter((t): t is string => Boolean(t))
    .sort()
    .pop();
}

/** Patch compliance of the entity's instances. */
export const PatchComplianceCard = (props: {
  state: CardState;
  data?: PatchSnapshot | null;
  exclusionLink: string;
}) => {
  const { state, data, exclusionLink } = props;
  const empty =
    data &&
    data.instances.length === 0 &&
    data.unmanagedInstanceIds.length === 0
      ? {
          title: 'No instances to patch',
          description: "No EC2 instances carry this entity's tags.",
        }
      : undefined;

  let content = null;
  if (data) {
    const compliant = data.instances.filter(i => i.compliant).length;
    const critical = data.instances.reduce((n, i) => n + i.criticalMissing, 0);
    const important = data.instances.reduce((n, i) => n + i.securityMissing, 0);
    const scan = lastScan(data);
    const window = nextWindow(data);
    content = (
      <Grid container spacing={2} alignItems="center">
        <Grid item>
          <ComplianceRing compliant={compliant} total={data.instances.length} />
          <Typography variant="caption" display="block" align="center">
            {compliant} of {data.instances.length} compliant
          </Typography>
        </Grid>
        <Grid item xs>
          <Grid container spacing={2}>
            <Grid item xs={6}>
              <Figure
                label="Critical updates missing"
                value={critical}
                alert={critical > 0}
              />
            </Grid>
            <Grid item xs={6}>
              <Figure
                label="Important (security) updates missing"
                value={important}
                alert={important > 0}
              />
            </Grid>
            <Grid item xs={6}>
              <Typography variant="caption" color="textSecondary">
                Last scan
              </Typography>
              <Typography variant="body2" title={formatTime(scan)}>
                {relativeTime(scan)}
              </Typography>
            </Grid>
            <Grid item xs={6}>
              <Typography variant="caption" color="textSecondary">
                Next maintenance window
              </Typography>
              <Typography variant="body2">
                {window
                  ? `${window.name}, ${formatTime(window.nextExecutionAt)}`
                  : 'None scheduled'}
              </Typography>
            </Grid>
          </Grid>
        </Grid>
        <Grid item xs={12}>
          <Typography variant="caption" color="textSecondary">
            Exclusions
          </Typography>
          <Typography variant="body2">
            {data.unmanagedInstanceIds.length > 0
              ? `Not under patch management: ${data.unmanagedInstanceIds.join(
                  ', ',
                )}`
              : 'Every instance is under patch management.'}{' '}
            <Link to={exclusionLink}>Request an exclusion</Link>
          </Typography>
        </Grid>
      </Grid>
    );
  }

  return (
    <OperationsCard
      title="Patch compliance"
      testId="ops-card-patch"
      state={state}
      empty={empty}
    >
      {content}
    </OperationsCard>
  );
};
