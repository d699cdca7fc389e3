import type {
  ServiceRequestStatus,
  ServiceRequestTopic,
} from '@cloud-ops/plugin-ops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

/** Readable names of the topics. */
export const TOPIC_LABELS: Record<ServiceRequestTopic, string> = {
  'managed-environment': 'My managed environment',
  'central-it': 'Central IT and its services',
  'aws-service-offerings': 'AWS service offerings',
};

/** Readable names of the statuses. */
export const SERVICE_REQUEST_STATUS_LABELS: Record<
  ServiceRequestStatus,
  string
> = {
  AwaitingCentralIt: 'Awaiting Central IT',
  AwaitingTeam: 'Awaiting team',
  Closed: 'Closed',
};

/** Which side wrote a message. */
export const SIDE_LABELS = { team: 'Team', 'central-it': 'Central IT' };

const useStyles = makeStyles(theme => ({
  chip: { fontWeight: 600, margin: 0 },
  AwaitingCentralIt: {
    backgroundColor: theme.palette.info.light,
    color: '#fff',
  },
  AwaitingTeam: {
    backgroundColor: theme.palette.warning.light,
    color: theme.palette.warning.contrastText ?? theme.palette.text.primary,
  },
  Closed: {},
}));

/** A service request status as a chip. */
export const ServiceRequestStatusChip = ({
  status,
}: {
  status: ServiceRequestStatus;
}) => {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={SERVICE_REQUEST_STATUS_LABELS[status] ?? status}
      className={`${classes.chip} ${classes[status] ?? ''}`}
    />
  );
};
