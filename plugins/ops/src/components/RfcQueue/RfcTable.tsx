import { Link, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import type { ReactNode } from 'react';
import Chip from '@material-ui/core/Chip';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { ChangeClassChip } from '../RfcDetail/ChangeClassChip';
import { isReviewOverdue } from '../RfcDetail/RfcReviewCard';
import { RfcStatusChip } from '../shared/RfcStatusChip';
import { formatTime, relativeTime } from '../shared/time';

/** A list of RFCs, each linked to its page. */
export const RfcTable = (props: {
  title: string;
  rfcs: Rfc[];
  loading?: boolean;
  emptyContent?: ReactNode;
  /** Adds the due date of the post-implementation review. */
  reviewDue?: boolean;
}) => {
  const links = useOpsLinks();
  const columns: TableColumn<Rfc>[] = [
    {
      title: 'RFC',
      field: 'id',
      render: rfc => <Link to={links.rfc(rfc.id)}>{rfc.id}</Link>,
    },
    { title: 'Title', field: 'title', cellStyle: { minWidth: 240 } },
    {
      title: 'Target',
      field: 'targetEntityRef',
      render: rfc => <EntityRefLink entityRef={rfc.targetEntityRef} />,
    },
    { title: 'Change type', field: 'changeTypeId' },
    {
      title: 'Class',
      field: 'changeClass',
      render: rfc => <ChangeClassChip changeClass={rfc.changeClass} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: rfc => <RfcStatusChip status={rfc.status} />,
    },
    {
      title: 'Origin',
      field: 'origin',
      render: rfc => (rfc.origin === 'central-it' ? 'Central IT' : 'User'),
    },
    {
      title: 'Requester',
      field: 'requester',
      render: rfc => (
        <EntityRefLink entityRef={rfc.requester} defaultKind="user" />
      ),
    },
    {
      title: 'Start',
      field: 'requestedStartTime',
      render: rfc =>
        rfc.requestedStartTime
          ? formatTime(rfc.requestedStartTime)
          : 'When approved',
    },
    {
      title: 'Updated',
      field: 'updatedAt',
      render: rfc => (
        <span title={formatTime(rfc.updatedAt)}>
          {relativeTime(rfc.updatedAt)}
        </span>
      ),
    },
    ...(props.reviewDue
      ? [
          {
            title: 'Review due',
            field: 'reviewDueAt',
            render: (rfc: Rfc) => (
              <span data-testid={`review-due-${rfc.id}`}>
                {formatTime(rfc.reviewDueAt)}{' '}
                {isReviewOverdue(rfc) && (
                  <Chip size="small" color="secondary" label="overdue" />
                )}
              </span>
            ),
          } as TableColumn<Rfc>,
        ]
      : []),
  ];
  return (
    <Table<Rfc>
      title={props.title}
      columns={columns}
      data={props.rfcs}
      isLoading={props.loading}
      emptyContent={props.emptyContent}
      options={{
        paging: props.rfcs.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
    />
  );
};
