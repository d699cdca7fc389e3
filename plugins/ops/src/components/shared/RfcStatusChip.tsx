import type { RfcStatus } from '@cloud-ops/plugin-ops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  chip: { fontWeight: 600, margin: 0 },
  waiting: {
    backgroundColor: theme.palette.warning.light,
    color: theme.palette.warning.contrastText ?? theme.palette.text.primary,
  },
  planned: { backgroundColor: theme.palette.info.light, color: '#fff' },
  running: { backgroundColor: theme.palette.info.dark, color: '#fff' },
  good: { backgroundColor: theme.palette.success.main, color: '#fff' },
  bad: { backgroundColor: theme.palette.error.main, color: '#fff' },
  neutral: {},
}));

const TONE: Record<RfcStatus, keyof ReturnType<typeof useStyles>> = {
  Editing: 'neutral',
  PendingApproval: 'waiting',
  Scheduled: 'planned',
  InProgress: 'running',
  Success: 'good',
  Failure: 'bad',
  Rejected: 'bad',
  Canceled: 'neutral',
};

/** Readable names of the statuses. */
export const RFC_STATUS_LABELS: Record<RfcStatus, string> = {
  Editing: 'Editing',
  PendingApproval: 'Pending approval',
  Scheduled: 'Scheduled',
  InProgress: 'In progress',
  Success: 'Success',
  Failure: 'Failure',
  Rejected: 'Rejected',
  Canceled: 'Canceled',
};

/** An RFC status as a coloured chip. */
export const RfcStatusChip = ({ status }: { status: string }) => {
  const classes = useStyles();
  const tone = TONE[status as RfcStatus] ?? 'neutral';
  return (
    <Chip
      size="small"
      label={RFC_STATUS_LABELS[status as RfcStatus] ?? status}
      className={`${classes.chip} ${classes[tone]}`}
    />
  );
};
