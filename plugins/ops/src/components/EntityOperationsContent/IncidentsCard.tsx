import { Link, StatusError, StatusOK } from '@backstage/core-components';
import type { Incident, IncidentPriority } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatTime, relativeTime } from '../shared/time';
import { formatDuration } from './format';
import { CardState, OperationsCard } from './OperationsCard';

/** Resolved incidents shown below the open ones. */
const RECENT_RESOLVED = 5;

const useStyles = makeStyles(theme => ({
  chip: { fontWeight: 700, margin: 0, color: '#fff' },
  P1: { backgroundColor: theme.palette.error.dark },
  P2: { backgroundColor: theme.palette.error.main },
  P3: { backgroundColor: theme.palette.warning.dark },
  P4: { backgroundColor: theme.palette.grey[600] },
  nowrap: { whiteSpace: 'nowrap' },
  heading: { marginTop: theme.spacing(2) },
}));

/** An incident priority as a coloured chip, P1 the loudest. */
export const PriorityChip = ({ priority }: { priority: IncidentPriority }) => {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={priority}
      className={`${classes.chip} ${classes[priority] ?? ''}`}
    />
  );
};

const byPriorityThenNewest = (a: Incident, b: Incident) =>
  a.priority.localeCompare(b.priority) || b.openedAt.localeCompare(a.openedAt);

const byNewestResolved = (a: Incident, b: Incident) =>
  (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? '');

/** How an incident was resolved, in words. */
export function describeResolution(incident: Incident): string {
  if (incident.resolution === 'alarm-cleared') return 'Alarm cleared';
  const who =
    incident.resolvedBy && incident.resolvedBy !== 'system'
      ? ` by ${incident.resolvedBy.replace(/^user:(default\/)?/, '')}`
      : '';
  const notes = incident.resolutionNotes ? `: ${incident.resolutionNotes}` : '';
  return `Resolved${who}${notes}`;
}

/**
 * Incidents opened from the entity's alarms: the open ones first, most
 * urgent on top, then the most recent resolved ones.
 */
export const IncidentsCard = (props: {
  state: CardState;
  incidents?: { available: boolean; items: Incident[] };
  incidentLink: (id: string) => string;
  allIncidentsLink: string;
}) => {
  const classes = useStyles();
  const { state, incidents, incidentLink, allIncidentsLink } = props;
  const open = (incidents?.items ?? [])
    .filter(i => i.status === 'Open')
    .sort(byPriorityThenNewest);
  const resolved = (incidents?.items ?? [])
    .filter(i => i.status === 'Resolved')
    .sort(byNewestResolved)
    .slice(0, RECENT_RESOLVED);

  let empty;
  if (incidents && !incidents.available) {
    empty = {
      title: 'Incidents are not available',
      description: 'Incident management is not set up in this portal.',
    };
  } else if (incidents && incidents.items.length === 0) {
    empty = {
      title: 'No incidents',
      description: "None of this entity's alarms has opened an incident.",
    };
  }

  return (
    <OperationsCard
      title="Incidents"
      testId="ops-card-incidents"
      state={state}
      empty={empty}
      action={<Link to={allIncidentsLink}>All incidents</Link>}
    >
      {incidents && (
        <>
          <Box mb={1}>
            {open.length > 0 ? (
              <StatusError>
                {open.length} open incident{open.length === 1 ? '' : 's'}
              </StatusError>
            ) : (
              <StatusOK>No open incidents</StatusOK>
            )}
          </Box>
          {open.length > 0 && (
            <Table size="small" aria-label="Open incidents">
              <TableHead>
                <TableRow>
                  <TableCell>Priority</TableCell>
                  <TableCell>Incident</TableCell>
                  <TableCell>Alarm</TableCell>
                  <TableCell>Open since</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {open.map(incident => (
                  <TableRow key={incident.id}>
                    <TableCell>
                      <PriorityChip priority={incident.priority} />
                    </TableCell>
                    <TableCell className={classes.nowrap}>
                      <Link to={incidentLink(incident.id)}>{incident.id}</Link>
                    </TableCell>
                    <TableCell>
                      <Typography variant="body2">
                        {incident.alarmName}
                      </Typography>
                      <Typography variant="caption" color="textSecondary">
                        {incident.reason}
                      </Typography>
                    </TableCell>
                    <TableCell
                      className={classes.nowrap}
                      title={formatTime(incident.openedAt)}
                    >
                      {relativeTime(incident.openedAt)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {resolved.length > 0 && (
            <>
              <Typography variant="subtitle2" className={classes.heading}>
                Recently resolved
              </Typography>
              <Table size="small" aria-label="Recently resolved incidents">
                <TableHead>
                  <TableRow>
                    <TableCell>Priority</TableCell>
                    <TableCell>Incident</TableCell>
                    <TableCell>How</TableCell>
                    <TableCell>Time to resolve</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {resolved.map(incident => (
                    <TableRow key={incident.id}>
                      <TableCell>
                        <PriorityChip priority={incident.priority} />
                      </TableCell>
                      <TableCell className={classes.nowrap}>
                        <Link to={incidentLink(incident.id)}>
                          {incident.id}
                        </Link>
                        <Typography
                          variant="caption"
                          color="textSecondary"
                          display="block"
                        >
                          {incident.alarmName}
                        </Typography>
                      </TableCell>
                      <TableCell>{describeResolution(incident)}</TableCell>
                      <TableCell
                        className={classes.nowrap}
                        title={`Resolved ${formatTime(incident.resolvedAt)}`}
                      >
                        {incident.resolvedAt
                          ? formatDuration(
                              incident.openedAt,
                              incident.resolvedAt,
                            )
                          : '—'}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )}
        </>
      )}
    </OperationsCard>
  );
};
