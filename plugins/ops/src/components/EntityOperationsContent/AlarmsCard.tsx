import {
  Link,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type { AlarmState, AlarmsSnapshot } from '@cloud-ops/plugin-ops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatTime, relativeTime } from '../shared/time';
import { CardState, OperationsCard } from './OperationsCard';

const ORDER: Record<AlarmState, number> = {
  ALARM: 0,
  INSUFFICIENT_DATA: 1,
  OK: 2,
};

const StateLabel = ({ state }: { state: AlarmState }) => {
  if (state === 'ALARM') return <StatusError>ALARM</StatusError>;
  if (state === 'INSUFFICIENT_DATA')
    return <StatusWarning>INSUFFICIENT_DATA</StatusWarning>;
  return <StatusOK>OK</StatusOK>;
};

/** CloudWatch alarms of the entity, the ones firing first. */
export const AlarmsCard = (props: {
  state: CardState;
  data?: AlarmsSnapshot | null;
}) => {
  const { state, data } = props;
  const alarms = [...(data?.alarms ?? [])].sort(
    (a, b) => ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name),
  );
  const counts = alarms.reduce<Record<string, number>>(
    (acc, a) => ({ ...acc, [a.state]: (acc[a.state] ?? 0) + 1 }),
    {},
  );
  return (
    <OperationsCard
      title="Alarms"
      testId="ops-card-alarms"
      state={state}
      empty={
        data && alarms.length === 0
          ? {
              title: 'No alarms',
              description:
                "No CloudWatch alarms watch this entity's resources.",
            }
          : undefined
      }
    >
      {data && (
        <>
          <Typography variant="body2" gutterBottom>
            {counts.ALARM ?? 0} in ALARM, {counts.INSUFFICIENT_DATA ?? 0} with
            insufficient data, {counts.OK ?? 0} OK
          </Typography>
          <Table size="small" aria-label="Alarms">
            <TableHead>
              <TableRow>
                <TableCell>State</TableCell>
                <TableCell>Alarm</TableCell>
                <TableCell>Reason</TableCell>
                <TableCell>Since</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {alarms.map(alarm => (
                <TableRow key={alarm.arn}>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <StateLabel state={alarm.state} />
                  </TableCell>
                  <TableCell>
                    <Link to={alarm.consoleUrl}>{alarm.name}</Link>
                  </TableCell>
                  <TableCell>{alarm.reason}</TableCell>
                  <TableCell title={formatTime(alarm.stateUpdatedAt)}>
                    {relativeTime(alarm.stateUpdatedAt)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </OperationsCard>
  );
};
