import {
  Link,
  LinkButton,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  BackupsSnapshot,
  OperationsSection,
  RecoveryPointSummary,
  ResolvedRaciActivity,
  ResourceBackupState,
  SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AddAPhotoIcon from '@material-ui/icons/AddAPhoto';
import RestoreIcon from '@material-ui/icons/Restore';
import { useState } from 'react';
import { formatHours, formatTime, relativeTime } from '../shared/time';
import { NewRfcLink, OPS_CHANGE_TYPES } from './changeTypes';
import { BackupScheduleSection } from './BackupScheduleSection';
import { formatBytes } from './format';
import { CardState, OperationsCard } from './OperationsCard';
import { CardSection } from './CardSection';

const shortName = (arn: string) => arn.split(/[:/]/).pop() || arn;

/** The RACI activity the owning team must not forget. */
const VALIDATE_BACKUPS = 'continuity-management.validate-backups';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
  point: {
    cursor: 'pointer',
    outline: 'none',
    '&:focus-visible circle.ring': { stroke: theme.palette.primary.main },
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    color: theme.palette.text.secondary,
    fontSize: theme.typography.caption.fontSize,
  },
  selected: {
    padding: theme.spacing(1, 1.5),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.divider}`,
    marginTop: theme.spacing(1),
  },
  validate: {
    backgroundColor: theme.palette.action.selected,
    '& td': { fontWeight: 600 },
  },
}));

/** A resource's recovery points, or its last one when the reader listed none. */
export function recoveryPointsOf(
  resource: ResourceBackupState,
): RecoveryPointSummary[] {
  if (resource.recoveryPoints && resource.recoveryPoints.length > 0) {
    return resource.recoveryPoints;
  }
  const last = resource.lastRecoveryPoint;
  return last
    ? [
        {
          id: last.id,
          completedAt: last.completedAt,
          status: 'COMPLETED',
          origin: 'scheduled',
        },
      ]
    : [];
}

/** A recovery point picked on the timeline, with the resource it belongs to. */
export type PickedRecoveryPoint = {
  resource: ResourceBackupState;
  point: RecoveryPointSummary;
};

const pointLabel = (resource: ResourceBackupState, p: RecoveryPointSummary) =>
  `${p.id} of ${shortName(resource.resourceArn)}: ${p.status.toLowerCase()}, ${
    p.origin
  }, ${formatTime(p.completedAt)}`;

/**
 * Each resource's recovery points on one time axis, newest at the right,
 * with the band in which the schedule expects the next one. Failed points
 * are crosses; on-demand points are hollow. Points can be picked.
 */
export const RecoveryPointTimeline = (props: {
  resources: ResourceBackupState[];
  selected?: PickedRecoveryPoint;
  onSelect?: (picked: PickedRecoveryPoint) => void;
  now?: Date;
}) => {
  const theme = useTheme();
  const classes = useStyles();
  const now = (props.now ?? new Date()).getTime();
  const age = (iso: string) => (now - Date.parse(iso)) / 3_600_000;
  const spanHours = Math.max(
    48,
    ...props.resources.map(r =>
      Math.max(
        r.expectedIntervalHours * 2,
        ...recoveryPointsOf(r).map(p => age(p.completedAt) * 1.05),
      ),
    ),
  );
  const width = 360;
  const labelWidth = 110;
  const row = 28;
  const height = props.resources.length * row + 22;
  const x = (ageHours: number) =>
    labelWidth +
    (width - labelWidth) *
      (1 - Math.max(0, Math.min(ageHours, spanHours)) / spanHours);
  const color = (p: RecoveryPointSummary) => {
    if (p.status === 'FAILED') return theme.palette.error.main;
    if (p.status === 'PARTIAL') return theme.palette.warning.main;
    if (p.status === 'EXPIRED') return theme.palette.text.disabled;
    return theme.palette.success.main;
  };
  return (
    <svg
      width="100%"
      viewBox={`0 0 ${width + 10} ${height}`}
      role="group"
      aria-label="Timeline of recovery points"
    >
      {props.resources.map((r, i) => {
        const y = i * row + 14;
        return (
          <g key={r.resourceArn}>
            <text
              x={0}
              y={y + 4}
              fontSize={11}
              fill={
                r.overdue
                  ? theme.palette.error.main
                  : theme.palette.text.primary
              }
            >
              {shortName(r.resourceArn).slice(-16)}
            </text>
            <line
              x1={labelWidth}
              x2={width}
              y1={y}
              y2={y}
              stroke={theme.palette.divider}
            />
            <rect
              x={x(r.expectedIntervalHours)}
              width={width - x(r.expectedIntervalHours)}
              y={y - 7}
              height={14}
              fill={theme.palette.success.light}
              opacity={0.3}
            >
              <title>
                Expected every {formatHours(r.expectedIntervalHours)}
              </title>
            </rect>
            {[...recoveryPointsOf(r)].reverse().map(p => {
              const cx = x(age(p.completedAt));
              const c = color(p);
              const isSelected =
                props.selected?.resource.resourceArn === r.resourceArn &&
                props.selected.point.id === p.id;
              const select = () => props.onSelect?.({ resource: r, point: p });
              return (
                <g
                  key={p.id}
                  role="button"
                  tabIndex={0}
                  aria-label={pointLabel(r, p)}
                  aria-pressed={isSelected}
                  data-status={p.status}
                  className={classes.point}
                  onClick={select}
                  onKeyDown={e => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      select();
                    }
                  }}
                >
                  <title>{pointLabel(r, p)}</title>
                  <circle
                    className="ring"
                    cx={cx}
                    cy={y}
                    r={8}
                    fill="transparent"
                    stroke={isSelected ? theme.palette.primary.main : 'none'}
                    strokeWidth={2}
                  />
                  {p.status === 'FAILED' ? (
                    <path
                      d={`M${cx - 4} ${y - 4} L${cx + 4} ${y + 4} M${cx + 4} ${
                        y - 4
                      } L${cx - 4} ${y + 4}`}
                      stroke={c}
                      strokeWidth={2.5}
                      strokeLinecap="round"
                    />
                  ) : (
                    <circle
                      cx={cx}
                      cy={y}
                      r={4.5}
                      fill={
                        p.origin === 'on-demand'
                          ? theme.palette.background.paper
                          : c
                      }
                      stroke={c}
                      strokeWidth={2}
                    />
                  )}
                </g>
              );
            })}
          </g>
        );
      })}
      <text
        x={labelWidth}
        y={height - 2}
        fontSize={10}
        fill={theme.palette.text.secondary}
      >
        {formatHours(spanHours)} ago
      </text>
      <text
        x={width}
        y={height - 2}
        fontSize={10}
        textAnchor="end"
        fill={theme.palette.text.secondary}
      >
        now
      </text>
    </svg>
  );
};

const Legend = () => {
  const theme = useTheme();
  const classes = useStyles();
  const dot = (fill: string, stroke: string) => (
    <svg width={12} height={12} aria-hidden>
      <circle cx={6} cy={6} r={4} fill={fill} stroke={stroke} strokeWidth={2} />
    </svg>
  );
  return (
    <Box className={classes.legend}>
      <span>
        {dot(theme.palette.success.main, theme.palette.success.main)} scheduled
      </span>
      <span>
        {dot(theme.palette.background.paper, theme.palette.success.main)} on
        demand
      </span>
      <span>
        <svg width={12} height={12} aria-hidden>
          <path
            d="M2 2 L10 10 M10 2 L2 10"
            stroke={theme.palette.error.main}
            strokeWidth={2.5}
            strokeLinecap="round"
          />
        </svg>{' '}
        failed
      </span>
      <span>
        {dot(theme.palette.warning.main, theme.palette.warning.main)} partial
      </span>
    </Box>
  );
};

const PickedPoint = (props: {
  picked?: PickedRecoveryPoint;
  newRfcLink: NewRfcLink;
}) => {
  const classes = useStyles();
  const { picked, newRfcLink } = props;
  if (!picked) {
    return (
      <Typography variant="body2" color="textSecondary">
        Pick a recovery point on the timeline to restore from it.
      </Typography>
    );
  }
  const { resource, point } = picked;
  const size = formatBytes(point.sizeBytes);
  return (
    <Box className={classes.selected} data-testid="ops-backups-picked">
      <Typography variant="body2">
        <strong>{point.id}</strong> of {shortName(resource.resourceArn)}:{' '}
        {point.status.toLowerCase()}, {point.origin},{' '}
        {formatTime(point.completedAt)} ({relativeTime(point.completedAt)})
        {size ? `, ${size}` : ''}
      </Typography>
      {point.status === 'COMPLETED' ? (
        <Box className={classes.actions}>
          <LinkButton
            to={newRfcLink(OPS_CHANGE_TYPES.restoreFromRecoveryPoint, {
              recoveryPointId: point.id,
            })}
            size="small"
            variant="contained"
            color="primary"
            startIcon={<RestoreIcon />}
          >
            Request restore from this point
          </LinkButton>
          <Link
            to={newRfcLink(OPS_CHANGE_TYPES.restoreIntoNewStack, {
              snapshotId: point.id,
            })}
          >
            Restore into a new stack instead
          </Link>
        </Box>
      ) : (
        <Typography variant="body2" color="error">
          This recovery point is {point.status.toLowerCase()}; pick a completed
          one to restore from.
        </Typography>
      )}
    </Box>
  );
};

const ResponsibilitiesSection = (props: {
  activities: ResolvedRaciActivity[];
  viewerGroups?: string[];
}) => {
  const classes = useStyles();
  const rows = props.activities.filter(
    a => a.capability === 'continuity-management',
  );
  if (rows.length === 0) return null;
  const validate = rows.find(r => r.id === VALIDATE_BACKUPS);
  const viewerValidates =
    validate &&
    validate.responsible.some(g => (props.viewerGroups ?? []).includes(g));
  return (
    <CardSection title="Who does what" testId="ops-backups-raci">
      {viewerValidates && (
        <Box mb={1}>
          <Alert severity="warning" data-testid="ops-backups-validate">
            Your team validates these backups: restore a recovery point now and
            then and check that the data is complete.
          </Alert>
        </Box>
      )}
      <Table size="small" aria-label="Backup responsibilities">
        <TableHead>
          <TableRow>
            <TableCell>Activity</TableCell>
            <TableCell>Responsible</TableCell>
            <TableCell>Consulted</TableCell>
            <TableCell>Informed</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => (
            <TableRow
              key={row.id}
              className={row.id === VALIDATE_BACKUPS ? classes.validate : ''}
            >
              <TableCell>
                {row.activity}
                {row.id === VALIDATE_BACKUPS && row.team === 'R' && (
                  <>
                    {' '}
                    <Chip size="small" color="secondary" label="Owner's job" />
                  </>
                )}
              </TableCell>
              <TableCell>
                <EntityRefLinks
                  entityRefs={row.responsible}
                  defaultKind="group"
                />
              </TableCell>
              <TableCell>
                <EntityRefLinks
                  entityRefs={row.consulted}
                  defaultKind="group"
                />
              </TableCell>
              <TableCell>
                <EntityRefLinks entityRefs={row.informed} defaultKind="group" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </CardSection>
  );
};

/**
 * Backups of the entity's resources: recovery points on a timeline to
 * restore from, the backup schedule in force in AWS, and who is responsible
 * for what in continuity management.
 */
export const BackupsCard = (props: {
  state: CardState;
  data?: BackupsSnapshot | null;
  /** The settings in force, read with their own freshness and source. */
  inForce?: OperationsSection<SettingsSnapshot>;
  /** The entity's resolved RACI; the continuity rows are shown. */
  activities?: ResolvedRaciActivity[];
  /** Group refs of the person looking, to point out their team's duties. */
  viewerGroups?: string[];
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
  now?: Date;
}) => {
  const {
    state,
    data,
    inForce,
    activities,
    viewerGroups,
    rfcLink,
    newRfcLink,
  } = props;
  const [picked, setPicked] = useState<PickedRecoveryPoint>();
  const empty =
    data && data.resources.length === 0
      ? {
          title: 'No backed-up resources',
          description: "No resources with this entity's tags are backed up.",
        }
      : undefined;
  const snapshot = (
    <LinkButton
      to={newRfcLink(OPS_CHANGE_TYPES.requestSnapshot)}
      size="small"
      color="primary"
      startIcon={<AddAPhotoIcon />}
    >
      Request an extra snapshot
    </LinkButton>
  );
  return (
    <OperationsCard
      title="Backups"
      testId="ops-card-backups"
      state={state}
      empty={empty}
      action={snapshot}
    >
      {data && (
        <Box>
          {data.resources.map(r => (
            <Box key={r.resourceArn} mb={1}>
              <Typography variant="body2">
                <strong>{shortName(r.resourceArn)}</strong> ({r.resourceType},{' '}
                {r.method}
                {r.plan ? `, plan ${r.plan.name}` : ''})
              </Typography>
              <Box display="flex" alignItems="center">
                {r.overdue ? (
                  <StatusWarning>
                    {r.lastRecoveryPoint
                      ? `Last good recovery point ${formatHours(
                          r.lastRecoveryPoint.ageHours,
                        )} old`
                      : 'No recovery point'}{' '}
                    — overdue, expected every{' '}
                    {formatHours(r.expectedIntervalHours)}
                  </StatusWarning>
                ) : (
                  <StatusOK>
                    {r.lastRecoveryPoint
                      ? `Last good recovery point ${formatHours(
                          r.lastRecoveryPoint.ageHours,
                        )} old`
                      : 'No recovery point'}{' '}
                    — on schedule, expected every{' '}
                    {formatHours(r.expectedIntervalHours)}
                  </StatusOK>
                )}
              </Box>
            </Box>
          ))}
          <RecoveryPointTimeline
            resources={data.resources}
            selected={picked}
            onSelect={setPicked}
            now={props.now}
          />
          <Legend />
          <Box mt={1}>
            <PickedPoint picked={picked} newRfcLink={newRfcLink} />
          </Box>
          <BackupScheduleSection
            data={data}
            inForce={inForce}
            rfcLink={rfcLink}
            newRfcLink={newRfcLink}
          />
          {activities && (
            <ResponsibilitiesSection
              activities={activities}
              viewerGroups={viewerGroups}
            />
          )}
        </Box>
      )}
    </OperationsCard>
  );
};
