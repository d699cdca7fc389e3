import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ChevronLeft from '@material-ui/icons/ChevronLeft';
import ChevronRight from '@material-ui/icons/ChevronRight';
import { DateTime } from 'luxon';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { RFC_STATUS_LABELS } from '../shared/RfcStatusChip';
import { RfcTable } from './RfcTable';

const useStyles = makeStyles(theme => ({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(7, minmax(0, 1fr))',
    gap: theme.spacing(0.5),
  },
  day: {
    minHeight: 96,
    padding: theme.spacing(0.5),
    overflow: 'hidden',
  },
  outside: { opacity: 0.45 },
  today: { outline: `2px solid ${theme.palette.primary.main}` },
  entry: {
    display: 'block',
    fontSize: '0.75rem',
    padding: '1px 4px',
    marginTop: 2,
    borderRadius: 3,
    backgroundColor: theme.palette.background.default,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
}));

/** Groups RFCs by the local day of their requested start. */
export function rfcsByDay(rfcs: Rfc[]): Map<string, Rfc[]> {
  const days = new Map<string, Rfc[]>();
  for (const rfc of rfcs) {
    if (!rfc.requestedStartTime) continue;
    const day = DateTime.fromISO(rfc.requestedStartTime).toISODate();
    if (!day) continue;
    days.set(day, [...(days.get(day) ?? []), rfc]);
  }
  return days;
}

/** The change calendar, a month at a time. */
export const ChangeCalendar = (props: { initialMonth?: DateTime }) => {
  const classes = useStyles();
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const [month, setMonth] = useState(
    (props.initialMonth ?? DateTime.local()).startOf('month'),
  );
  const first = month.startOf('week');
  const last = month.endOf('month').endOf('week');
  const { value, loading, error } = useAsync(
    () =>
      opsApi.getCalendar({
        from: first.toUTC().toISO()!,
        to: last.toUTC().toISO()!,
      }),
    [opsApi, month.toISODate()],
  );
  // RFCs without a requested start run as soon as they are approved, so they
  // have no day on the calendar; they are listed under it instead.
  const unscheduled = useAsync(async () => {
    const { items } = await opsApi.listRfcs({
      status: ['Scheduled', 'InProgress'],
      sort: 'updatedAt',
      order: 'desc',
      limit: 100,
    });
    return items.filter(rfc => !rfc.requestedStartTime);
  }, [opsApi]);
  const byDay = rfcsByDay(value ?? []);
  const today = DateTime.local().toISODate();
  const days: DateTime[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) days.push(d);

  return (
    <Box data-testid="ops-calendar">
      <Box display="flex" alignItems="center" mb={1}>
        <IconButton
          aria-label="Previous month"
          onClick={() => setMonth(month.minus({ months: 1 }))}
        >
          <ChevronLeft />
        </IconButton>
        <Typography variant="h6">{month.toFormat('LLLL yyyy')}</Typography>
        <IconButton
          aria-label="Next month"
          onClick={() => setMonth(month.plus({ months: 1 }))}
        >
          <ChevronRight />
        </IconButton>
        <Typography variant="body2" color="textSecondary">
          {value ? `${value.length} RFC(s) start in this view` : ''}
        </Typography>
      </Box>
      {error && <ResponseErrorPanel error={error} />}
      {loading && <Progress />}
      <Box className={classes.grid}>
        {days.slice(0, 7).map(d => (
          <Typography key={d.weekday} variant="caption" align="center">
            {d.toFormat('ccc')}
          </Typography>
        ))}
        {days.map(d => {
          const iso = d.toISODate()!;
          return (
            <Paper
              key={iso}
              variant="outlined"
              className={`${classes.day} ${
                d.month !== month.month ? classes.outside : ''
              } ${iso === today ? classes.today : ''}`}
              data-testid={`calendar-day-${iso}`}
            >
              <Typography variant="caption">{d.day}</Typography>
              {(byDay.get(iso) ?? []).map(rfc => (
                <Link
                  key={rfc.id}
                  to={links.rfc(rfc.id)}
                  className={classes.entry}
                  title={`${rfc.id} ${rfc.title} (${
                    RFC_STATUS_LABELS[rfc.status]
                  }) at ${DateTime.fromISO(rfc.requestedStartTime!).toFormat(
                    'HH:mm',
                  )}`}
                >
                  {DateTime.fromISO(rfc.requestedStartTime!).toFormat('HH:mm')}{' '}
                  {rfc.id} {rfc.title}
                </Link>
              ))}
            </Paper>
          );
        })}
      </Box>
      {(unscheduled.value?.length ?? 0) > 0 && (
        <Box mt={3} data-testid="ops-calendar-asap">
          <RfcTable
            title="Scheduled or running without a requested start"
            rfcs={unscheduled.value!}
          />
        </Box>
      )}
      {unscheduled.error && <ResponseErrorPanel error={unscheduled.error} />}
    </Box>
  );
};
