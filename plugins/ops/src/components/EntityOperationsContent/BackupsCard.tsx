import { LinkButton } from '@backstage/core-components';
import type {
  BackupsSnapshot,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import RestoreIcon from '@material-ui/icons/Restore';
import { formatHours, formatTime } from '../shared/time';
import { CardState, OperationsCard } from './OperationsCard';

const shortName = (arn: string) => arn.split(/[:/]/).pop() || arn;

/**
 * Each resource on one time axis: its last good recovery point, and the
 * window in which the schedule expects one. A point left of its window is
 * overdue.
 */
export const RecoveryPointTimeline = (props: {
  resources: ResourceBackupState[];
  now?: Date;
}) => {
  const theme = useTheme();
  const now = (props.now ?? new Date()).getTime();
  const spanHours = Math.max(
    48,
    ...props.resources.map(r =>
      Math.max(
        r.expectedIntervalHours * 2,
        (r.lastRecoveryPoint?.ageHours ?? 0) * 1.1,
      ),
    ),
  );
  const width = 360;
  const labelWidth = 120;
  const row = 26;
  const height = props.resources.length * row + 22;
  const x = (ageHours: number) =>
    labelWidth +
    (width - labelWidth) * (1 - Math.min(ageHours, spanHours) / spanHours);
  return (
    <svg
      width="100%"
      viewBox={`0 0 ${width + 10} ${height}`}
      role="img"
      aria-label="Timeline of the last recovery point of each resource"
    >
      {props.resources.map((r, i) => {
        const y = i * row + 12;
        const point = r.lastRecoveryPoint;
        const age = point
          ? (now - Date.parse(point.completedAt)) / 3_600_000
          : undefined;
        return (
          <g key={r.resourceArn}>
            <text
              x={0}
              y={y + 4}
              fontSize={11}
              fill={theme.palette.text.primary}
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
              y={y - 6}
              height={12}
              fill={theme.palette.success.light}
              opacity={0.35}
            >
              <title>
                Expected every {formatHours(r.expectedIntervalHours)}
              </title>
            </rect>
            {age !== undefined && (
              <circle
                cx={x(age)}
                cy={y}
                r={5}
                fill={
                  r.overdue
                    ? theme.palette.error.main
                    : theme.palette.success.main
                }
              >
                <title>{`${point!.id} at ${formatTime(
                  point!.completedAt,
                )}`}</title>
              </circle>
            )}
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

/** Backups of the entity's resources and the way to ask for a restore. */
export const BackupsCard = (props: {
  state: CardState;
  data?: BackupsSnapshot | null;
  restoreLink: string;
}) => {
  const { state, data, restoreLink } = props;
  const empty =
    data && data.resources.length === 0
      ? {
          title: 'No backed-up resources',
          description: "No resources with this entity's tags are backed up.",
        }
      : undefined;
  const restore = (
    <LinkButton
      to={restoreLink}
      size="small"
      color="primary"
      startIcon={<RestoreIcon />}
    >
      Request restore
    </LinkButton>
  );
  return (
    <OperationsCard
      title="Backups"
      testId="ops-card-backups"
      state={state}
      empty={empty}
      action={restore}
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
              <Typography
                variant="body2"
                color={r.overdue ? 'error' : 'textSecondary'}
              >
                {r.lastRecoveryPoint
                  ? `Last good recovery point ${formatHours(
                      r.lastRecoveryPoint.ageHours,
                    )} old (${formatTime(r.lastRecoveryPoint.completedAt)})`
                  : 'No recovery point'}
                {' — '}
                {r.overdue
                  ? `overdue, expected every ${formatHours(
                      r.expectedIntervalHours,
                    )}`
                  : `on schedule, expected every ${formatHours(
                      r.expectedIntervalHours,
                    )}`}
              </Typography>
            </Box>
          ))}
          <RecoveryPointTimeline resources={data.resources} />
        </Box>
      )}
    </OperationsCard>
  );
};
