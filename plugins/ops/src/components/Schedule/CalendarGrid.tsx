import { Link } from '@backstage/core-components';
import type {
  CalendarFreeze,
  CalendarMaintenanceWindow,
  CalendarRfc,
  ChangeCalendarView,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import { DateTime } from 'luxon';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { RfcStatusChip, RFC_STATUS_LABELS } from '../shared/RfcStatusChip';
import { formatTime } from '../shared/time';
import {
  dayContent,
  rangeLabel,
  scopeLabel,
  shortRef,
  sideLabel,
  startLabel,
  type CalendarPeriod,
} from './calendarModel';
import { ConflictMarks } from './ConflictMarks';

const stripes = (colour: string) =>
  `repeating-linear-gradient(135deg, ${alpha(colour, 0.18)} 0 6px, ${alpha(
    colour,
    0.08,
  )} 6px 12px)`;

const useStyles = makeStyles(theme => ({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(7, minmax(0, 1fr))',
    gap: theme.spacing(0.5),
  },
  day: {
    minHeight: 110,
    padding: theme.spacing(0.5),
    overflow: 'hidden',
    display: 'flex',
    flexDirection: 'column',
    gap: 2,
  },
  week: { minHeight: 360 },
  outside: { opacity: 0.55 },
  today: { outline: `2px solid ${theme.palette.primary.main}` },
  frozen: { backgroundImage: stripes(theme.palette.error.main) },
  entry: {
    display: 'block',
    fontSize: '0.75rem',
    padding: '1px 4px',
    borderRadius: 3,
    overflow: 'hidden',
  },
  compact: { whiteSpace: 'nowrap', textOverflow: 'ellipsis' },
  freeze: {
    borderLeft: `3px solid ${theme.palette.error.main}`,
    backgroundImage: stripes(theme.palette.error.main),
  },
  teamFreeze: {
    borderLeft: `3px solid ${theme.palette.warning.main}`,
    backgroundImage: stripes(theme.palette.warning.main),
  },
  window: {
    border: `1px dashed ${theme.palette.info.main}`,
    backgroundColor: alpha(theme.palette.info.main, 0.08),
  },
  rfc: {
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
  },
  conflicted: { borderColor: theme.palette.warning.main },
  kind: { fontWeight: 600, marginRight: 4 },
  muted: { color: theme.palette.text.secondary },
}));

const FreezeEntry = (props: {
  freeze: CalendarFreeze;
  day: DateTime;
  detailed: boolean;
}) => {
  const classes = useStyles();
  const { freeze: f, day, detailed } = props;
  const scope = scopeLabel(f.scope);
  return (
    <Box
      className={`${classes.entry} ${
        f.side === 'team' ? classes.teamFreeze : classes.freeze
      } ${detailed ? '' : classes.compact}`}
      title={`Freeze ${f.freezeId} "${f.name}": ${
        f.reason
      }. ${scope}, ${sideLabel(f)}. ${formatTime(f.start)} – ${formatTime(
        f.end,
      )}`}
      data-testid="calendar-freeze"
    >
      <span className={classes.kind}>Freeze</span>
      {f.name} <span className={classes.muted}>({scope})</span>
      {detailed && (
        <>
          <Typography variant="caption" display="block">
            {rangeLabel(f, day)} · {sideLabel(f)}
          </Typography>
          <Typography variant="caption" display="block">
            {f.reason}
          </Typography>
        </>
      )}
    </Box>
  );
};

const WindowEntry = (props: {
  window: CalendarMaintenanceWindow;
  day: DateTime;
  detailed: boolean;
}) => {
  const classes = useStyles();
  const { window: w, day, detailed } = props;
  return (
    <Box
      className={`${classes.entry} ${classes.window} ${
        detailed ? '' : classes.compact
      }`}
      title={`Maintenance window of ${w.title} (${w.entityRef}), ${
        w.schedule
      }: ${formatTime(w.start)} – ${formatTime(w.end)}`}
      data-testid="calendar-window"
    >
      <span className={classes.kind}>Maintenance</span>
      {detailed ? rangeLabel(w, day) : startLabel(w, day)} {w.title}
      {detailed && (
        <Typography variant="caption" display="block">
          {shortRef(w.ownerGroup)} · {w.schedule}
        </Typography>
      )}
    </Box>
  );
};

const RfcEntry = (props: {
  rfc: CalendarRfc;
  day: DateTime;
  detailed: boolean;
  freezeNames: Map<string, string>;
}) => {
  const classes = useStyles();
  const links = useOpsLinks();
  const { rfc, day, detailed, freezeNames } = props;
  const status =
    RFC_STATUS_LABELS[rfc.status as keyof typeof RFC_STATUS_LABELS] ??
    rfc.status;
  const conflicted =
    rfc.conflictsWith.length > 0 || rfc.frozenBy.length > 0 || rfc.held;
  return (
    <Box
      className={`${classes.entry} ${classes.rfc} ${
        conflicted ? classes.conflicted : ''
      }`}
      data-testid="calendar-rfc"
    >
      <Box className={detailed ? undefined : classes.compact}>
        <span className={classes.muted}>
          {detailed ? rangeLabel(rfc, day) : startLabel(rfc, day)}
        </span>{' '}
        <Link
          to={links.rfc(rfc.id)}
          title={`${rfc.id} ${rfc.title} (${status}), ${
            rfc.changeClass
          } change of ${rfc.targetEntityRef}: ${formatTime(
            rfc.start,
          )} – ${formatTime(rfc.end)}`}
        >
          {rfc.id}
        </Link>{' '}
        {rfc.title}
        {!detailed && <span className={classes.muted}> · {status}</span>}
      </Box>
      {detailed && (
        <Box mt={0.5}>
          <RfcStatusChip status={rfc.status} />{' '}
          <Typography variant="caption">
            {shortRef(rfc.targetEntityRef, 'component')} ·{' '}
            {shortRef(rfc.ownerGroup)} · {rfc.changeClass}
          </Typography>
        </Box>
      )}
      <Box>
        <ConflictMarks rfc={rfc} freezeNames={freezeNames} />
      </Box>
    </Box>
  );
};

/**
 * The days of the period in a grid of weeks: on each, the freezes that
 * cover part of it (shaded), the maintenance windows of the stacks, and the
 * RFCs whose windows touch it with their conflicts. The week view shows the
 * same with times, targets and reasons.
 */
export const CalendarGrid = (props: {
  period: CalendarPeriod;
  view: ChangeCalendarView;
}) => {
  const classes = useStyles();
  const { period, view } = props;
  const detailed = period.mode === 'week';
  const today = DateTime.local().toISODate();
  const freezeNames = new Map(view.freezes.map(f => [f.freezeId, f.name]));
  return (
    <Box className={classes.grid} data-testid={`calendar-${period.mode}`}>
      {period.days.slice(0, 7).map(d => (
        <Typography
          key={`head-${d.weekday}`}
          variant="caption"
          align="center"
          aria-hidden
        >
          {d.toFormat(detailed ? 'ccc d LLL' : 'ccc')}
        </Typography>
      ))}
      {period.days.map(d => {
        const iso = d.toISODate()!;
        const content = dayContent(view, d);
        const outside =
          period.mode === 'month' && d.month !== period.anchor.month;
        return (
          <Paper
            key={iso}
            variant="outlined"
            role="group"
            aria-label={d.toFormat('cccc d LLLL yyyy')}
            className={`${classes.day} ${detailed ? classes.week : ''} ${
              outside ? classes.outside : ''
            } ${iso === today ? classes.today : ''} ${
              content.freezes.length ? classes.frozen : ''
            }`}
            data-testid={`calendar-day-${iso}`}
          >
            <Typography variant="caption" aria-hidden>
              {d.day}
            </Typography>
            {content.freezes.map(f => (
              <FreezeEntry
                key={`${f.freezeId}-${f.start}`}
                freeze={f}
                day={d}
                detailed={detailed}
              />
            ))}
            {content.windows.map(w => (
              <WindowEntry
                key={`${w.entityRef}-${w.start}`}
                window={w}
                day={d}
                detailed={detailed}
              />
            ))}
            {content.rfcs.map(rfc => (
              <RfcEntry
                key={rfc.id}
                rfc={rfc}
                day={d}
                detailed={detailed}
                freezeNames={freezeNames}
              />
            ))}
          </Paper>
        );
      })}
    </Box>
  );
};
