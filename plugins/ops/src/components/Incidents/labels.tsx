import type {
  IncidentPriority,
  IncidentStatus,
  ProblemStatus,
} from '@cloud-ops/plugin-ops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { formatHours } from '../shared/time';

const useStyles = makeStyles(theme => ({
  chip: { fontWeight: 600, margin: 0 },
  P1: { backgroundColor: theme.palette.error.main, color: '#fff' },
  P2: { backgroundColor: theme.palette.warning.main, color: '#fff' },
  P3: { backgroundColor: theme.palette.info.main, color: '#fff' },
  P4: {},
  open: {
    backgroundColor: theme.palette.warning.light,
    color: theme.palette.warning.contrastText ?? theme.palette.text.primary,
  },
  known: { backgroundColor: theme.palette.info.light, color: '#fff' },
  done: { backgroundColor: theme.palette.success.main, color: '#fff' },
}));

/** What each priority means, for tooltips. */
export const PRIORITY_DESCRIPTIONS: Record<IncidentPriority, string> = {
  P1: 'P1: critical, act now',
  P2: 'P2: high',
  P3: 'P3: moderate',
  P4: 'P4: low',
};

/** An incident priority as a coloured chip; P1 is red. */
export const PriorityChip = ({ priority }: { priority: IncidentPriority }) => {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={priority}
      title={PRIORITY_DESCRIPTIONS[priority]}
      className={`${classes.chip} ${classes[priority] ?? ''}`}
    />
  );
};

/** An incident status as a chip. */
export const IncidentStatusChip = ({ status }: { status: IncidentStatus }) => {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={status}
      className={`${classes.chip} ${
        status === 'Open' ? classes.open : classes.done
      }`}
    />
  );
};

/** Readable names of the problem statuses. */
export const PROBLEM_STATUS_LABELS: Record<ProblemStatus, string> = {
  Open: 'Open',
  RootCauseIdentified: 'Root cause identified',
  Resolved: 'Resolved',
};

/** A problem status as a chip. */
export const ProblemStatusChip = ({ status }: { status: ProblemStatus }) => {
  const classes = useStyles();
  const tone = { Open: 'open', RootCauseIdentified: 'known', Resolved: 'done' }[
    status
  ] as 'open' | 'known' | 'done';
  return (
    <Chip
      size="small"
      label={PROBLEM_STATUS_LABELS[status] ?? status}
      className={`${classes.chip} ${classes[tone] ?? ''}`}
    />
  );
};

/** Hours from one ISO time to another, or to now. */
export function hoursBetween(from: string, to?: string, now = new Date()) {
  const end = to ? Date.parse(to) : now.getTime();
  return Math.max(0, end - Date.parse(from)) / 3_600_000;
}

/** "2.5 h" once resolved, "open 3 h" while open. */
export function timeToResolve(
  incident: { openedAt: string; resolvedAt?: string },
  now = new Date(),
): string {
  const hours = hoursBetween(incident.openedAt, incident.resolvedAt, now);
  return incident.resolvedAt
    ? formatHours(hours)
    : `open ${formatHours(hours)}`;
}
