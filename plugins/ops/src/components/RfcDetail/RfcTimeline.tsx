import type { RfcAuditEvent } from '@cloud-ops/plugin-ops-common';
import Typography from '@material-ui/core/Typography';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineOppositeContent from '@material-ui/lab/TimelineOppositeContent';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import { RFC_STATUS_LABELS } from '../shared/RfcStatusChip';
import { formatTime } from '../shared/time';

const DOT: Record<string, 'primary' | 'secondary' | 'grey'> = {
  Success: 'primary',
  Scheduled: 'primary',
  Rejected: 'secondary',
  Failure: 'secondary',
  Canceled: 'grey',
};

const actorName = (actor: string) =>
  actor === 'system' ? 'the system' : actor.replace(/^user:(default\/)?/, '');

/** The RFC's history, oldest first, as a vertical timeline. */
export const RfcTimeline = ({ events }: { events: RfcAuditEvent[] }) => (
  <Timeline align="left" data-testid="rfc-timeline">
    {events.map((event, i) => (
      <TimelineItem key={event.id}>
        <TimelineOppositeContent style={{ flex: 0.35 }}>
          <Typography variant="caption" color="textSecondary">
            {formatTime(event.at)}
          </Typography>
        </TimelineOppositeContent>
        <TimelineSeparator>
          <TimelineDot color={DOT[event.toStatus] ?? 'grey'} />
          {i < events.length - 1 && <TimelineConnector />}
        </TimelineSeparator>
        <TimelineContent>
          <Typography variant="body2">
            <strong>{event.action}</strong> by {actorName(event.actor)}:{' '}
            {event.fromStatus
              ? `${RFC_STATUS_LABELS[event.fromStatus]} → `
              : ''}
            {RFC_STATUS_LABELS[event.toStatus]}
          </Typography>
          {event.comment && (
            <Typography variant="body2" color="textSecondary">
              “{event.comment}”
            </Typography>
          )}
        </TimelineContent>
      </TimelineItem>
    ))}
  </Timeline>
);
