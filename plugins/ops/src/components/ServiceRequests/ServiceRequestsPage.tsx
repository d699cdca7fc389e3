import {
  EmptyState,
  Link,
  LinkButton,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  SERVICE_REQUEST_STATUSES,
  type ServiceRequest,
  type ServiceRequestStatus,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { When } from '../Incidents/IncidentsPage';
import { Pager } from '../Incidents/Pager';
import { useUrlFilters } from '../Incidents/useUrlFilters';
import {
  SERVICE_REQUEST_STATUS_LABELS,
  ServiceRequestStatusChip,
  TOPIC_LABELS,
} from './labels';

const LIMIT = 50;

/** Questions teams asked Central IT, newest activity first. */
export const ServiceRequestsPage = () => {
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const [filters, setFilters] = useUrlFilters(['status'] as const);
  const [offset, setOffset] = useState(0);
  const { value, loading, error } = useAsync(
    () =>
      opsApi.listServiceRequests({
        status: (filters.status || undefined) as
          | ServiceRequestStatus
          | undefined,
        limit: LIMIT,
        offset,
      }),
    [opsApi, filters.status, offset],
  );

  const columns: TableColumn<ServiceRequest>[] = [
    {
      title: 'Request',
      field: 'id',
      render: r => <Link to={links.serviceRequest(r.id)}>{r.id}</Link>,
    },
    { title: 'Title', field: 'title', cellStyle: { minWidth: 240 } },
    {
      title: 'Topic',
      field: 'topic',
      render: r => TOPIC_LABELS[r.topic] ?? r.topic,
    },
    {
      title: 'Team',
      field: 'team',
      render: r => <EntityRefLink entityRef={r.team} defaultKind="group" />,
    },
    {
      title: 'Requester',
      field: 'requester',
      render: r => <EntityRefLink entityRef={r.requester} defaultKind="user" />,
    },
    {
      title: 'Status',
      field: 'status',
      render: r => <ServiceRequestStatusChip status={r.status} />,
    },
    {
      title: 'Updated',
      field: 'updatedAt',
      render: r => <When iso={r.updatedAt} />,
    },
  ];

  return (
    <>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 12 }}>
        <TextField
          select
          id="service-request-filter-status"
          label="Status"
          variant="outlined"
          size="small"
          style={{ minWidth: 200 }}
          value={filters.status}
          onChange={e => {
            setOffset(0);
            setFilters({ status: e.target.value });
          }}
        >
          <MenuItem value="">Any</MenuItem>
          {SERVICE_REQUEST_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {SERVICE_REQUEST_STATUS_LABELS[s]}
            </MenuItem>
          ))}
        </TextField>
        <Box flex={1} />
        <LinkButton
          variant="contained"
          color="primary"
          to={links.newServiceRequest()}
        >
          New request
        </LinkButton>
      </Box>
      {error ? (
        <ResponseErrorPanel
          error={error}
          title="Could not load service requests"
        />
      ) : (
        <>
          <Table<ServiceRequest>
            title="Service requests"
            subtitle="Questions to Central IT about your environment, its services and AWS offerings"
            columns={columns}
            data={value?.items ?? []}
            isLoading={loading}
            emptyContent={
              <Box p={2}>
                <EmptyState
                  missing="content"
                  title="No service requests"
                  description="Ask Central IT a question about your managed environment or AWS services."
                  action={
                    <LinkButton
                      variant="outlined"
                      color="primary"
                      to={links.newServiceRequest()}
                    >
                      Ask a question
                    </LinkButton>
                  }
                />
              </Box>
            }
            options={{ paging: false, search: false, padding: 'dense' }}
          />
          <Pager
            offset={offset}
            limit={LIMIT}
            total={value?.totalCount ?? 0}
            onChange={setOffset}
          />
        </>
      )}
    </>
  );
};
