import {
  Link,
  LinkButton,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type {
  EntityOpsSettings,
  PatchSnapshot,
  PendingUpdate,
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
import ScheduleIcon from '@material-ui/icons/Schedule';
import { useState } from 'react';
import { formatTime, relativeTime } from '../shared/time';
import { NewRfcLink, OPS_CHANGE_TYPES } from './changeTypes';
import {
  formatDate,
  formatLocalWithZone,
  formatMaintenanceWindow,
} from './format';
import { CardState, OperationsCard } from './OperationsCard';
import { CardSection } from './CardSection';

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
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(0.5),
  },
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

/** Earliest upcoming SSM maintenance window across the instances. */
function nextSsmWindow(data: PatchSnapshot) {
  return data.instances
    .map(i => i.maintenanceWindow)
    .filter(w => w?.nextExecutionAt)
    .sort((a, b) => a!.nextExecutionAt!.localeCompare(b!.nextExecutionAt!))[0];
}

const SetBy = (props: { rfcId: string; rfcLink: (id: string) => string }) => (
  <Typography variant="caption" color="textSecondary">
    set by <Link to={props.rfcLink(props.rfcId)}>{props.rfcId}</Link>
  </Typography>
);

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

const MaintenanceWindowSection = (props: {
  settings?: EntityOpsSettings;
  data: PatchSnapshot;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
}) => {
  const classes = useStyles();
  const { settings, data, rfcLink, newRfcLink } = props;
  const window = settings?.maintenanceWindow;
  const ssm = nextSsmWindow(data);
  return (
    <CardSection title="Maintenance window" testId="ops-patch-window">
      {window ? (
        <>
          <Typography variant="body1">
            <strong>{formatMaintenanceWindow(window)}</strong>{' '}
            <SetBy rfcId={window.rfcId} rfcLink={rfcLink} />
          </Typography>
          {settings?.nextMaintenanceAt && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid="ops-patch-next-window"
            >
              Next: {formatLocalWithZone(settings.nextMaintenanceAt)} (
              {relativeTime(settings.nextMaintenanceAt)})
            </Typography>
          )}
          <Box className={classes.actions}>
            <Link
              to={newRfcLink(OPS_CHANGE_TYPES.setMaintenanceWindow, {
                week: String(window.week),
                weekday: window.weekday,
                startTime: window.startTime,
              })}
            >
              Change the window
            </Link>
          </Box>
        </>
      ) : (
        <>
          <StatusWarning>
            No maintenance window chosen: Important and other updates wait until
            the team chooses one.
          </StatusWarning>
          <Box className={classes.actions}>
            <LinkButton
              to={newRfcLink(OPS_CHANGE_TYPES.setMaintenanceWindow)}
              size="small"
              variant="outlined"
              color="primary"
              startIcon={<ScheduleIcon />}
            >
              Choose a maintenance window
            </LinkButton>
          </Box>
        </>
      )}
      {ssm && (
        <Typography variant="caption" color="textSecondary" display="block">
          SSM window on the instances: {ssm.name}, next{' '}
          {formatTime(ssm.nextExecutionAt)}
        </Typography>
      )}
    </CardSection>
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

const RejectedSection = (props: {
  settings: EntityOpsSettings;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
}) => {
  const { settings, rfcLink, newRfcLink } = props;
  if (settings.rejectedUpdates.length === 0) return null;
  return (
    <CardSection title="Rejected updates" testId="ops-patch-rejected">
      {settings.rejectedUpdates.map(r => (
        <Box
          key={r.updateId}
          display="flex"
          alignItems="baseline"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Typography variant="body2">
            <strong>{r.updateId}</strong>
          </Typography>
          <Typography variant="caption" color="textSecondary">
            rejected {formatDate(r.at)} by{' '}
            <Link to={rfcLink(r.rfcId)}>{r.rfcId}</Link>
          </Typography>
          <Link
            to={newRfcLink(OPS_CHANGE_TYPES.applyUpdate, {
              updateId: r.updateId,
            })}
            aria-label={`Apply ${r.updateId} after all`}
          >
            Apply it after all
          </Link>
        </Box>
      ))}
    </CardSection>
  );
};

const ExclusionSection = (props: {
  data: PatchSnapshot;
  settings?: EntityOpsSettings;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
  now: Date;
}) => {
  const classes = useStyles();
  const { data, settings, rfcLink, newRfcLink, now } = props;
  const exclusion = settings?.patchingExclusion;
  const inForce =
    exclusion && Date.parse(exclusion.until) > now.getTime()
      ? exclusion
      : undefined;
  return (
    <CardSection title="Exclusions" testId="ops-patch-exclusion">
      {inForce ? (
        <StatusWarning>
          Excluded from patching until {formatDate(inForce.until)}:{' '}
          {inForce.justification}
        </StatusWarning>
      ) : (
        <StatusOK>Not excluded from patching</StatusOK>
      )}
      {inForce && (
        <Box>
          <SetBy rfcId={inForce.rfcId} rfcLink={rfcLink} />
        </Box>
      )}
      <Typography variant="body2">
        {data.unmanagedInstanceIds.length > 0
          ? `Not under patch management: ${data.unmanagedInstanceIds.join(
              ', ',
            )}`
          : 'Every instance is under patch management.'}
      </Typography>
      <Box className={classes.actions}>
        {inForce ? (
          <Link to={newRfcLink(OPS_CHANGE_TYPES.includeInPatching)}>
            Include in patching again
          </Link>
        ) : (
          <Link to={newRfcLink(OPS_CHANGE_TYPES.excludeFromPatching)}>
            Exclude from patching
          </Link>
        )}
      </Box>
    </CardSection>
  );
};

/**
 * Patch compliance of the entity's instances, and the patch settings the
 * team chose through RFCs: maintenance window, rejected updates and
 * exclusion, each with the link that changes it.
 */
export const PatchComplianceCard = (props: {
  state: CardState;
  data?: PatchSnapshot | null;
  settings?: EntityOpsSettings;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
  now?: Date;
}) => {
  const { state, data, settings, rfcLink, newRfcLink } = props;
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
      (settings?.rejectedUpdates ?? []).map(r => r.updateId),
    );
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
        <MaintenanceWindowSection
          settings={settings}
          data={data}
          rfcLink={rfcLink}
          newRfcLink={newRfcLink}
        />
        <PolicySection
          rows={rows}
          rejected={rejected}
          newRfcLink={newRfcLink}
        />
        {settings && (
          <RejectedSection
            settings={settings}
            rfcLink={rfcLink}
            newRfcLink={newRfcLink}
          />
        )}
        <ExclusionSection
          data={data}
          settings={settings}
          rfcLink={rfcLink}
          newRfcLink={newRfcLink}
          now={now}
        />
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
