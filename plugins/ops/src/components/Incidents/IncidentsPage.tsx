import {
  EmptyState,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  INCIDENT_PRIORITIES,
  PROBLEM_STATUSES,
  type Incident,
  type IncidentPriority,
  type IncidentStatus,
  type Problem,
  type ProblemStatus,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { formatTime, relativeTime } from '../shared/time';
import {
  IncidentStatusChip,
  PriorityChip,
  PROBLEM_STATUS_LABELS,
  ProblemStatusChip,
  timeToResolve,
} from './labels';
import { Pager } from './Pager';
import { useUrlFilters } from './useUrlFilters';

const LIMIT = 50;

/** A relative time with the exact one on hover. */
export const When = ({ iso }: { iso?: string }) =>
  iso ? <span title={formatTime(iso)}>{relativeTime(iso)}</span> : <>—</>;

const IncidentsTable = (props: {
  incidents: Incident[];
  loading: boolean;
  title?: string;
}) => {
  const links = useOpsLinks();
  const columns: TableColumn<Incident>[] = [
    {
      title: 'Incident',
      field: 'id',
      render: i => <Link to={links.incident(i.id)}>{i.id}</Link>,
    },
    {
      title: 'Priority',
      field: 'priority',
      render: i => <PriorityChip priority={i.priority} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: i => <IncidentStatusChip status={i.status} />,
    },
    {
      title: 'Entity',
      field: 'entityRef',
      render: i => <EntityRefLink entityRef={i.entityRef} />,
    },
    {
      title: 'Alarm',
      field: 'alarmName',
      cellStyle: { minWidth: 200 },
      render: i => (
        <span title={i.reason}>
          {i.consoleUrl ? (
            <Link to={i.consoleUrl}>{i.alarmName}</Link>
          ) : (
            i.alarmName
          )}
        </span>
      ),
    },
    {
      title: 'Opened',
      field: 'openedAt',
      render: i => <When iso={i.openedAt} />,
    },
    {
      title: 'Resolved',
      field: 'resolvedAt',
      render: i => <When iso={i.resolvedAt} />,
    },
    {
      title: 'Time to resolve',
      field: 'resolvedAt',
      sorting: false,
      render: i => timeToResolve(i),
    },
    {
      title: 'Problem',
      field: 'problemId',
      render: i =>
        i.problemId ? (
          <Link to={links.problem(i.problemId)}>{i.problemId}</Link>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <Table<Incident>
      title={props.title ?? 'Incidents'}
      columns={columns}
      data={props.incidents}
      isLoading={props.loading}
      emptyContent={
        <Box p={2}>
          <EmptyState
            missing="content"
            title="No incidents match"
            description="Incidents open when a CloudWatch alarm of a mapped resource enters ALARM."
          />
        </Box>
      }
      options={{ paging: false, search: false, padding: 'dense' }}
    />
  );
};

/** Problems, each linked to its page. */
export const ProblemsTable = (props: {
  problems: Problem[];
  loading: boolean;
}) => {
  const links = useOpsLinks();
  const columns: TableColumn<Problem>[] = [
    {
      title: 'Problem',
      field: 'id',
      render: p => <Link to={links.problem(p.id)}>{p.id}</Link>,
    },
    { title: 'Title', field: 'title', cellStyle: { minWidth: 240 } },
    {
      title: 'Entity',
      field: 'entityRef',
      render: p => <EntityRefLink entityRef={p.entityRef} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: p => <ProblemStatusChip status={p.status} />,
    },
    {
      title: 'Incidents',
      field: 'incidentIds',
      render: p => p.incidentIds.length,
    },
    {
      title: 'Opened',
      field: 'openedAt',
      render: p => <When iso={p.openedAt} />,
    },
    {
      title: 'Updated',
      field: 'updatedAt',
      render: p => <When iso={p.updatedAt} />,
    },
  ];
  return (
    <Table<Problem>
      title="Problems"
      subtitle="Recurring incidents of one alarm, and what causes them"
      columns={columns}
      data={props.problems}
      isLoading={props.loading}
      emptyContent={
        <Box p={2}>
          <EmptyState
            missing="content"
            title="No problems match"
            description="A problem opens when the same alarm keeps causing incidents."
          />
        </Box>
      }
      options={{
        paging: props.problems.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
    />
  );
};

/** Incidents from CloudWatch alarms, filtered and paged, and the problems behind them. */
export const IncidentsPage = () => {
  const opsApi = useApi(opsApiRef);
  const [filters, setFilters] = useUrlFilters([
    'status',
    'priority',
    'team',
    'problemStatus',
  ] as const);
  const [offset, setOffset] = useState(0);
  const [teamText, setTeamText] = useState(filters.team);
  const change = (changes: Partial<typeof filters>) => {
    setOffset(0);
    setFilters(changes);
  };
  useDebounce(
    () => {
      if (teamText.trim() !== filters.team) change({ team: teamText.trim() });
    },
    400,
    [teamText],
  );

  const incidents = useAsync(
    () =>
      opsApi.listIncidents({
        status: (filters.status || undefined) as IncidentStatus | undefined,
        priority: (filters.priority || undefined) as
          | IncidentPriority
          | undefined,
        team: filters.team || undefined,
        limit: LIMIT,
        offset,
      }),
    [opsApi, filters.status, filters.priority, filters.team, offset],
  );
  const problems = useAsync(
    () =>
      opsApi.listProblems({
        status: (filters.problemStatus || undefined) as
          | ProblemStatus
          | undefined,
        team: filters.team || undefined,
      }),
    [opsApi, filters.problemStatus, filters.team],
  );

  return (
    <>
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 12 }}>
        <TextField
          select
          id="incident-filter-status"
          label="Status"
          variant="outlined"
          size="small"
          style={{ minWidth: 140 }}
          value={filters.status}
          onChange={e => change({ status: e.target.value })}
        >
          <MenuItem value="">Any</MenuItem>
          <MenuItem value="Open">Open</MenuItem>
          <MenuItem value="Resolved">Resolved</MenuItem>
        </TextField>
        <TextField
          select
          id="incident-filter-priority"
          label="Priority"
          variant="outlined"
          size="small"
          style={{ minWidth: 140 }}
          value={filters.priority}
          onChange={e => change({ priority: e.target.value })}
        >
          <MenuItem value="">Any</MenuItem>
          {INCIDENT_PRIORITIES.map(p => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="incident-filter-team"
          label="Team"
          placeholder="group:default/payments"
          variant="outlined"
          size="small"
          value={teamText}
          onChange={e => setTeamText(e.target.value)}
        />
      </Box>
      {incidents.error ? (
        <ResponseErrorPanel
          error={incidents.error}
          title="Could not load incidents"
        />
      ) : (
        <>
          <IncidentsTable
            incidents={incidents.value?.items ?? []}
            loading={incidents.loading}
          />
          <Pager
            offset={offset}
            limit={LIMIT}
            total={incidents.value?.totalCount ?? 0}
            onChange={setOffset}
          />
        </>
      )}
      <Box mt={4} mb={2} display="flex" style={{ gap: 12 }}>
        <TextField
          select
          id="problem-filter-status"
          label="Problem status"
          variant="outlined"
          size="small"
          style={{ minWidth: 200 }}
          value={filters.problemStatus}
          onChange={e => change({ problemStatus: e.target.value })}
        >
          <MenuItem value="">Any</MenuItem>
          {PROBLEM_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {PROBLEM_STATUS_LABELS[s]}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {problems.error ? (
        <ResponseErrorPanel
          error={problems.error}
          title="Could not load problems"
        />
      ) : (
        <ProblemsTable
          problems={problems.value ?? []}
          loading={problems.loading}
        />
      )}
    </>
  );
};

export { IncidentsTable };
