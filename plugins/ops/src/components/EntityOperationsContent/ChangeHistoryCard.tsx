import { Link, LinkButton } from '@backstage/core-components';
import type { RecentRfcSummary } from '@cloud-ops/plugin-ops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { RfcStatusChip } from '../shared/RfcStatusChip';
import { formatTime, relativeTime } from '../shared/time';
import { CardState, OperationsCard } from './OperationsCard';

/** RFCs against this entity, newest first, each linked to its page. */
export const ChangeHistoryCard = (props: {
  state: CardState;
  recent?: { available: boolean; items: RecentRfcSummary[] };
  rfcLink: (id: string) => string;
  newRfcLink: string;
}) => {
  const { state, recent, rfcLink, newRfcLink } = props;
  let empty;
  if (recent && !recent.available) {
    empty = {
      title: 'Change history is not available',
      description: 'The ops backend serves no RFC history in this portal.',
    };
  } else if (recent && recent.items.length === 0) {
    empty = {
      title: 'No RFCs yet',
      description: (
        <Link to={newRfcLink}>Create the first RFC for this entity</Link>
      ),
    };
  }
  return (
    <OperationsCard
      title="Change history"
      testId="ops-card-history"
      state={state}
      empty={empty}
      action={
        <LinkButton to={newRfcLink} size="small" color="primary">
          New RFC
        </LinkButton>
      }
    >
      {recent && (
        <Table size="small" aria-label="Change history">
          <TableHead>
            <TableRow>
              <TableCell>RFC</TableCell>
              <TableCell>Title</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Updated</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {recent.items.map(rfc => (
              <TableRow key={rfc.id}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  <Link to={rfcLink(rfc.id)}>{rfc.id}</Link>
                </TableCell>
                <TableCell>{rfc.title}</TableCell>
                <TableCell>
                  <RfcStatusChip status={rfc.status} />
                </TableCell>
                <TableCell
                  title={formatTime(rfc.updatedAt)}
                  style={{ whiteSpace: 'nowrap' }}
                >
                  {relativeTime(rfc.updatedAt)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </OperationsCard>
  );
};
