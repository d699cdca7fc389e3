import { Link } from '@backstage/core-components';
import type {
  OperationsSection,
  PatchSnapshot,
  PendingUpdate,
  SettingsSnapshot,
  UpdateClass,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useState } from 'react';
import { formatTime, relativeTime } from '../shared/time';
import { NewRfcLink, OPS_CHANGE_TYPES } from './changeTypes';
import { formatDate } from './format';
import { CardState, OperationsCard } from './OperationsCard';
import { CardSection } from './CardSection';
import {
  ExclusionSection,
  MaintenanceWindowSection,
  RejectedSection,
} from './PatchSettingsSections';
import { SettingsReadStatus } from './SettingsInForce';

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

const useStyles = makeStyles(theme => ({
  critical: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  important: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  nowrap: { whiteSpace: 'nowrap' },
}));

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

/** The patch policy, class by class, in the order it acts. */
export const PATCH_POLICY: {
  updateClass: UpdateClass;
  label: string;
  when: string;
}[] = [
  {
    updateClass: 'critical-security',
    label: 'Critical Security Updates',
    when: 'applied outside the maintenance window, as soon as they are released',
  },
  {
    updateClass: 'important',
    label: 'Important Updates',
    when: 'applied in the maintenance window',
  },
  {
    updateClass: 'other',
    label: 'Other updates',
    when: 'applied in the maintenance window',
  },
];

/** A missing update and the instances that miss it. */
export type PendingUpdateRow = PendingUpdate & { instanceIds: string[] };

/** The missing updates across instances, one row per update, most urgent first. */
export function pendingUpdateRows(data: PatchSnapshot): PendingUpdateRow[] {
  const rows = new Map<string, PendingUpdateRow>();
  for (const instance of data.instances) {
    for (const update of instance.pendingUpdates ?? []) {
      const row = rows.get(update.id) ?? { ...update, instanceIds: [] };
      row.instanceIds.push(instance.instanceId);
      rows.set(update.id, row);
    }
  }
  const order = PATCH_POLICY.map(p => p.updateClass);
  return [...rows.values()].sort(
    (a, b) =>
      order.indexOf(a.updateClass) - order.indexOf(b.updateClass) ||
      a.id.localeCompare(b.id),
  );
}

function lastScan(data: PatchSnapshot) {
  return data.instances
    .map(i => i.lastScanAt)
    .filter((t): t is string => Boolean(t))
    .sort()
    .pop();
}

const ClassChip = ({ updateClass }: { updateClass: UpdateClass }) => {
  const classes = useStyles();
  const label = PATCH_POLICY.find(p => p.updateClass === updateClass)?.label;
  let className: string | undefined;
  if (updateClass === 'critical-security') className = classes.critical;
  else if (updateClass === 'important') className = classes.important;
  return (
    <Chip size="small" label={label ?? updateClass} className={className} />
  );
};

const PolicySection = (props: {
  rows: PendingUpdateRow[];
  rejected: Set<string>;
  newRfcLink: NewRfcLink;
}) => {
  const classes = useStyles();
  const { rows, rejected, newRfcLink } = props;
  const [open, setOpen] = useState(false);
  return (
    <CardSection title="Patch policy" testId="ops-patch-policy">
      <Table size="small" aria-label="Patch policy">
        <TableHead>
          <TableRow>
            <TableCell>Updates</TableCell>
            <TableCell>When</TableCell>
            <TableCell align="right">Pending</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {PATCH_POLICY.map(policy => {
            const count = rows.filter(
              r => r.updateClass === policy.updateClass,
            ).length;
            return (
              <TableRow key={policy.updateClass}>
                <TableCell className={classes.nowrap}>
                  <strong>{policy.label}</strong>
                </TableCell>
                <TableCell>{policy.when}</TableCell>
                <TableCell
                  align="right"
                  data-testid={`ops-patch-pending-${policy.updateClass}`}
                >
                  {count}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {rows.length > 0 && (
        <>
          <Button
            size="small"
            onClick={() => setOpen(!open)}
            aria-expanded={open}
            endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          >
            {open
              ? 'Hide pending updates'
              : `Show ${rows.length} pending update${
                  rows.length === 1 ? '' : 's'
                }`}
          </Button>
          <Collapse in={open} unmountOnExit>
            <Table size="small" aria-label="Pending updates">
              <TableHead>
                <TableRow>
                  <TableCell>Update</TableCell>
                  <TableCell>Class</TableCell>
                  <TableCell>Instances</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map(row => (
                  <TableRow key={row.id}>
                    <TableCell>
                      <Typography variant="body2">
                        <strong>{row.id}</strong>
                      </Typography>
                      <Typography variant="caption" color="textSecondary">
                        {row.title}
                        {row.releasedAt
                          ? ` (released ${formatDate(row.releasedAt)})`
                          : ''}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <ClassChip updateClass={row.updateClass} />
                    </TableCell>
                    <TableCell>{row.instanceIds.join(', ')}</TableCell>
                    <TableCell className={classes.nowrap}>
                      {rejected.has(row.id) && (
                        <Chip size="small" label="Rejected" />
                      )}
                      {!rejected.has(row.id) &&
                        row.updateClass !== 'critical-security' && (
                          <Link
                            to={newRfcLink(OPS_CHANGE_TYPES.rejectUpdate, {
                              updateId: row.id,
                            })}
                            aria-label={`Reject ${row.id}`}
                          >
                            Reject
                          </Link>
                        )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Collapse>
        </>
      )}
    </CardSection>
  );
};

/**
 * Patch compliance of the entity's instances, and the patch settings in
 * force in AWS: maintenance window, rejected updates and exclusion, each
 * with the RFC that set it, where it drifted from the RFCs, and the link
 * that changes it.
 */
export const PatchComplianceCard = (props: {
  state: CardState;
  data?: PatchSnapshot | null;
  /** The settings in force, read with their own freshness and source. */
  inForce?: OperationsSection<SettingsSnapshot>;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
  now?: Date;
}) => {
  const { state, data, inForce, rfcLink, newRfcLink } = props;
  const now = props.now ?? new Date();
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
    const rows = pendingUpdateRows(data);
    const rejected = new Set(
      (inForce?.data?.rejectedUpdates ?? []).map(r => r.updateId),
    );
    const settings = {
      inForce: inForce?.data,
      source: inForce?.source,
      rfcLink,
      newRfcLink,
    };
    content = (
      <>
        <Grid container spacing={2} alignItems="center">
          <Grid item>
            <ComplianceRing
              compliant={compliant}
              total={data.instances.length}
            />
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
              <Grid item xs={12}>
                <Typography variant="caption" color="textSecondary">
                  Last scan
                </Typography>
                <Typography variant="body2" title={formatTime(scan)}>
                  {relativeTime(scan)}
                </Typography>
              </Grid>
            </Grid>
          </Grid>
        </Grid>
        <SettingsReadStatus section={inForce} testId="ops-patch-settings" />
        <MaintenanceWindowSection {...settings} data={data} now={now} />
        <PolicySection
          rows={rows}
          rejected={rejected}
          newRfcLink={newRfcLink}
        />
        <RejectedSection {...settings} />
        <ExclusionSection {...settings} data={data} now={now} />
      </>
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
