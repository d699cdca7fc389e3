import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  calendarFeedTokenPermission,
  freezeManagePermission,
  type ChangeCalendarView,
  type FreezeWindow,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ChevronLeft from '@material-ui/icons/ChevronLeft';
import ChevronRight from '@material-ui/icons/ChevronRight';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { DateTime } from 'luxon';
import { useEffect, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef } from '../../api';
import { useCurrentActor } from '../../hooks/useCurrentActor';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { useUrlFilters } from '../Incidents/useUrlFilters';
import { formatTime } from '../shared/time';
import {
  calendarPeriod,
  groupsOf,
  parseDay,
  shiftAnchor,
  shortRef,
  type CalendarMode,
} from './calendarModel';
import { CalendarFeedCard } from './CalendarFeedCard';
import { CalendarGrid } from './CalendarGrid';
import { ConflictMarks } from './ConflictMarks';
import { DeclareFreezeDialog } from './DeclareFreezeDialog';
import { FreezeList } from './FreezeList';

/** The RFCs of the view that need a second look, with why in words. */
const Conflicts = (props: { view: ChangeCalendarView }) => {
  const links = useOpsLinks();
  const freezeNames = new Map(
    props.view.freezes.map(f => [f.freezeId, f.name]),
  );
  const conflicted = props.view.rfcs.filter(
    r => r.conflictsWith.length || r.frozenBy.length || r.held,
  );
  return (
    <InfoCard title={`Conflicts in this period (${conflicted.length})`}>
      {conflicted.length === 0 ? (
        <Typography variant="body2">
          No RFC in this period overlaps another change on its target or falls
          in a freeze.
        </Typography>
      ) : (
        <List dense disablePadding aria-label="Conflicts in this period">
          {conflicted.map(rfc => (
            <ListItem
              key={rfc.id}
              disableGutters
              data-testid={`conflict-row-${rfc.id}`}
            >
              <Box>
                <Link to={links.rfc(rfc.id)}>{rfc.id}</Link> {rfc.title} (
                {shortRef(rfc.targetEntityRef, 'component')},{' '}
                {formatTime(rfc.start)})
                <Box>
                  <ConflictMarks rfc={rfc} freezeNames={freezeNames} detailed />
                </Box>
              </Box>
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
};

/**
 * The change calendar: the RFCs of a month or a week with their conflicts,
 * the freezes and the maintenance windows of the caller's stacks, for all
 * teams the caller sees or for one (`?owner=`). Those who may manage
 * freezes declare and lift them here; everyone manages their calendar
 * feed tokens. The server decides what each person sees and may do.
 */
export const ChangeSchedulePage = () => {
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const { actor, centralItGroup } = useCurrentActor();
  const [filters, setFilters] = useUrlFilters([
    'view',
    'date',
    'owner',
  ] as const);
  const mode: CalendarMode = filters.view === 'week' ? 'week' : 'month';
  const anchor = parseDay(filters.date) ?? DateTime.local().startOf('day');
  const period = calendarPeriod(mode, anchor);
  const from = period.start.toUTC().toISO()!;
  const to = period.end.toUTC().toISO()!;
  const owner = filters.owner;

  const schedule = useAsyncRetry(
    () => opsApi.getSchedule({ from, to, owner: owner || undefined }),
    [opsApi, from, to, owner],
  );
  const freezes = useAsyncRetry(
    () => opsApi.listFreezes({ from, to }),
    [opsApi, from, to],
  );
  const manage = usePermission({ permission: freezeManagePermission });
  const feed = usePermission({ permission: calendarFeedTokenPermission });
  const [declaring, setDeclaring] = useState(false);
  const [editing, setEditing] = useState<FreezeWindow>();

  const refs = useMemo(
    () =>
      (actor?.ownershipEntityRefs ?? []).map(r => r.toLocaleLowerCase('en-US')),
    [actor],
  );
  const centralIt = refs.includes(centralItGroup.toLocaleLowerCase('en-US'));
  const myTeams = refs.filter(r => r.startsWith('group:'));

  // Teams seen in any period so far stay in the filter, so a team can be
  // left for another without going back to all of them first.
  const [seen, setSeen] = useState<string[]>([]);
  const view = schedule.value;
  useEffect(() => {
    if (!view) return;
    setSeen(current => {
      const more = groupsOf(view).filter(g => !current.includes(g));
      return more.length ? [...current, ...more] : current;
    });
  }, [view]);
  const teams = [...new Set([...myTeams, ...seen, ...(owner ? [owner] : [])])]
    .filter(Boolean)
    .sort((a, b) => shortRef(a).localeCompare(shortRef(b)));

  const go = (next: DateTime | undefined) =>
    setFilters({ date: next ? next.toISODate()! : '' });
  const reload = () => {
    schedule.retry();
    freezes.retry();
  };

  // The list shows the freezes the calendar shows, with their versions.
  const shownIds = new Set(view?.freezes.map(f => f.freezeId) ?? []);
  const listed = (freezes.value?.items ?? []).filter(f => shownIds.has(f.id));
  const canLift = (f: FreezeWindow) =>
    manage.allowed &&
    (centralIt || (f.side === 'team' && refs.includes(f.teamGroup ?? '')));

  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 12 }}
      >
        <ToggleButtonGroup
          exclusive
          size="small"
          value={mode}
          aria-label="Calendar view"
          onChange={(_, next: CalendarMode | null) => {
            if (next) setFilters({ view: next === 'month' ? '' : next });
          }}
        >
          <ToggleButton value="month">Month</ToggleButton>
          <ToggleButton value="week">Week</ToggleButton>
        </ToggleButtonGroup>
        <Box display="flex" alignItems="center">
          <IconButton
            aria-label={`Previous ${mode}`}
            onClick={() => go(shiftAnchor(mode, anchor, -1))}
          >
            <ChevronLeft />
          </IconButton>
          <Button variant="outlined" size="small" onClick={() => go(undefined)}>
            Today
          </Button>
          <IconButton
            aria-label={`Next ${mode}`}
            onClick={() => go(shiftAnchor(mode, anchor, 1))}
          >
            <ChevronRight />
          </IconButton>
        </Box>
        <Typography variant="h6" component="h2" data-testid="calendar-period">
          {period.label}
        </Typography>
        <TextField
          select
          id="schedule-owner"
          label="Team"
          variant="outlined"
          size="small"
          style={{ minWidth: 200 }}
          value={owner}
          onChange={e => setFilters({ owner: e.target.value })}
        >
          <MenuItem value="">
            {centralIt ? 'All teams' : 'All my teams'}
          </MenuItem>
          {teams.map(t => (
            <MenuItem key={t} value={t}>
              {shortRef(t)}
            </MenuItem>
          ))}
        </TextField>
        <Box flex={1} />
        {manage.allowed && (
          <Button
            variant="contained"
            color="primary"
            disabled={!actor}
            onClick={() => setDeclaring(true)}
          >
            Declare freeze
          </Button>
        )}
      </Box>
      <Typography variant="body2" color="textSecondary" paragraph>
        Shaded: a freeze, in which changes do not start (a team&apos;s freeze
        does not hold Central IT&apos;s critical security updates). Dashed: a
        maintenance window of a stack. Times are in your time zone (
        {DateTime.local().zoneName}).
      </Typography>
      {schedule.error && (
        <ResponseErrorPanel
          error={schedule.error}
          title="Could not load the change calendar"
        />
      )}
      {schedule.loading && <Progress />}
      {view && <CalendarGrid period={period} view={view} />}
      {view && (
        <Box mt={3}>
          <Conflicts view={view} />
        </Box>
      )}
      <Box mt={3}>
        {freezes.error ? (
          <ResponseErrorPanel
            error={freezes.error}
            title="Could not load the freezes"
          />
        ) : (
          view &&
          freezes.value && (
            <FreezeList
              freezes={listed}
              canLift={canLift}
              onChanged={reload}
              onEdit={manage.allowed ? setEditing : undefined}
            />
          )
        )}
      </Box>
      {feed.allowed && (
        <Box mt={3}>
          <CalendarFeedCard teams={centralIt ? teams : myTeams} />
        </Box>
      )}
      {manage.allowed && declaring && (
        <DeclareFreezeDialog
          open
          centralIt={centralIt}
          teams={myTeams}
          defaultTeam={owner || undefined}
          onClose={() => setDeclaring(false)}
          onDeclared={created => {
            setDeclaring(false);
            alertApi.post({
              message: `The freeze ${created.id} "${created.name}" is declared`,
              severity: 'success',
              display: 'transient',
            });
            reload();
          }}
        />
      )}
      {manage.allowed && editing && (
        <DeclareFreezeDialog
          open
          centralIt={centralIt}
          teams={myTeams}
          editing={editing}
          onClose={() => setEditing(undefined)}
          onDeclared={changed => {
            setEditing(undefined);
            alertApi.post({
              message: `The freeze ${changed.id} "${changed.name}" is changed`,
              severity: 'success',
              display: 'transient',
            });
            reload();
          }}
        />
      )}
    </>
  );
};
