import {
  EmptyState,
  Link,
  LinkButton,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  RFC_ORIGINS,
  RFC_STATUSES,
  type Rfc,
  type RfcOrigin,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import Badge from '@material-ui/core/Badge';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef, RfcListQuery } from '../../api';
import { useCurrentActor } from '../../hooks/useCurrentActor';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { ScheduledChanges } from '../Schedule/ScheduledChanges';
import { RFC_STATUS_LABELS } from '../shared/RfcStatusChip';
import { awaitingApprovalBy, reviewableBy } from './queues';
import { RfcTable } from './RfcTable';

type QueueTab = 'approval' | 'mine' | 'reviews' | 'scheduled' | 'all';
const TABS: { id: QueueTab; label: string }[] = [
  { id: 'approval', label: 'Awaiting my approval' },
  { id: 'mine', label: 'My requests' },
  { id: 'reviews', label: 'Reviews' },
  { id: 'scheduled', label: 'Scheduled' },
  { id: 'all', label: 'All' },
];

/** The tab named in `?queue=`, so a queue can be linked to. */
function tabOf(params: URLSearchParams): QueueTab {
  const wanted = params.get('queue');
  return TABS.some(t => t.id === wanted) ? (wanted as QueueTab) : 'approval';
}

const AwaitingApproval = (props: { onCount: (n: number) => void }) => {
  const opsApi = useApi(opsApiRef);
  const { actor, centralItGroup, error: identityError } = useCurrentActor();
  const { onCount } = props;
  const { value, loading, error } = useAsync(async () => {
    if (!actor) return undefined;
    const { items } = await opsApi.listRfcs({
      status: ['PendingApproval'],
      sort: 'requestedStartTime',
      order: 'asc',
      limit: 500,
    });
    return awaitingApprovalBy(items, actor, centralItGroup);
  }, [opsApi, actor, centralItGroup]);
  useEffect(() => {
    if (value) onCount(value.length);
  }, [value, onCount]);
  if (error || identityError)
    return <ResponseErrorPanel error={(error ?? identityError)!} />;
  return (
    <RfcTable
      title="Awaiting my approval"
      rfcs={value ?? []}
      loading={loading || !actor}
      emptyContent={
        <EmptyState
          missing="content"
          title="Nothing waits for you"
          description="RFCs that your side approves appear here when they are submitted."
        />
      }
    />
  );
};

const MyRequests = () => {
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const { actor, error: identityError } = useCurrentActor();
  const { value, loading, error } = useAsync(async () => {
    if (actor?.kind !== 'user') return undefined;
    return (
      await opsApi.listRfcs({
        requester: actor.userEntityRef,
        sort: 'createdAt',
        order: 'desc',
        limit: 200,
      })
    ).items;
  }, [opsApi, actor]);
  if (error || identityError)
    return <ResponseErrorPanel error={(error ?? identityError)!} />;
  return (
    <RfcTable
      title="My requests"
      rfcs={value ?? []}
      loading={loading || !actor}
      emptyContent={
        <EmptyState
          missing="content"
          title="You have not requested any change"
          action={<Link to={links.newRfc()}>Create an RFC</Link>}
        />
      }
    />
  );
};

/**
 * Executed emergencies whose review this person may write and nobody wrote,
 * `overdue` those past their due date, `due` all of them.
 */
function useReviews(review: 'due' | 'overdue') {
  const opsApi = useApi(opsApiRef);
  const { actor, centralItGroup, error: identityError } = useCurrentActor();
  const state = useAsync(async () => {
    if (!actor) return undefined;
    const { items } = await opsApi.listRfcs({
      review,
      sort: 'updatedAt',
      order: 'asc',
      limit: 500,
    });
    return reviewableBy(items, actor, centralItGroup);
  }, [opsApi, actor, centralItGroup, review]);
  return {
    ...state,
    loading: state.loading || (!actor && !identityError),
    error: state.error ?? identityError,
  };
}

const Reviews = (props: { overdue: ReturnType<typeof useReviews> }) => {
  const { overdue } = props;
  const due = useReviews('due');
  const late = new Set((overdue.value ?? []).map(r => r.id));
  if (overdue.error || due.error)
    return <ResponseErrorPanel error={(overdue.error ?? due.error)!} />;
  return (
    <>
      <Box mb={2} data-testid="reviews-overdue">
        <RfcTable
          title="Reviews overdue"
          rfcs={overdue.value ?? []}
          loading={overdue.loading}
          reviewDue
          emptyContent={
            <EmptyState
              missing="content"
              title="No review is overdue"
              description="Emergency changes whose post-implementation review is past its due date appear here."
            />
          }
        />
      </Box>
      <div data-testid="reviews-due">
        <RfcTable
          title="Reviews due"
          rfcs={(due.value ?? []).filter(r => !late.has(r.id))}
          loading={due.loading}
          reviewDue
          emptyContent={
            <EmptyState
              missing="content"
              title="No review waits"
              description="An emergency change needs its post-implementation review once it ran."
            />
          }
        />
      </div>
    </>
  );
};

/** Every RFC the person may read, filtered on the server and paged. */
const AllRfcs = () => {
  const opsApi = useApi(opsApiRef);
  const [status, setStatus] = useState<RfcStatus[]>([]);
  const [origin, setOrigin] = useState<RfcOrigin | ''>('');
  const [owner, setOwner] = useState('');
  const [target, setTarget] = useState('');
  const [changeType, setChangeType] = useState('');
  const [pages, setPages] = useState<Rfc[][]>([]);
  const [cursor, setCursor] = useState<string>();

  const query: RfcListQuery = {
    status: status.length ? status : undefined,
    origin: origin || undefined,
    owner: owner.trim() || undefined,
    targetEntityRef: target.trim() || undefined,
    changeTypeId: changeType.trim() || undefined,
    sort: 'id',
    order: 'desc',
    limit: 50,
  };
  const key = JSON.stringify(query);
  const { loading, error, retry } = useAsyncRetry(async () => {
    const page = await opsApi.listRfcs(query);
    setPages([page.items]);
    setCursor(page.nextCursor);
    // query is captured through key
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opsApi, key]);

  const more = async () => {
    const page = await opsApi.listRfcs({ ...query, cursor });
    setPages(p => [...p, page.items]);
    setCursor(page.nextCursor);
  };

  return (
    <>
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 12 }}>
        <TextField
          select
          label="Status"
          variant="outlined"
          size="small"
          style={{ minWidth: 200 }}
          value={status}
          SelectProps={{
            multiple: true,
            renderValue: v =>
              (v as RfcStatus[]).map(s => RFC_STATUS_LABELS[s]).join(', '),
          }}
          onChange={e => setStatus(e.target.value as unknown as RfcStatus[])}
        >
          {RFC_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {RFC_STATUS_LABELS[s]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Origin"
          variant="outlined"
          size="small"
          style={{ minWidth: 140 }}
          value={origin}
          onChange={e => setOrigin(e.target.value as RfcOrigin | '')}
        >
          <MenuItem value="">Any</MenuItem>
          {RFC_ORIGINS.map(o => (
            <MenuItem key={o} value={o}>
              {o === 'central-it' ? 'Central IT' : 'User'}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="rfc-filter-owner"
          label="Owner group"
          placeholder="group:default/payments"
          variant="outlined"
          size="small"
          value={owner}
          onChange={e => setOwner(e.target.value)}
        />
        <TextField
          id="rfc-filter-target"
          label="Target entity"
          placeholder="component:default/payments-api"
          variant="outlined"
          size="small"
          value={target}
          onChange={e => setTarget(e.target.value)}
        />
        <TextField
          id="rfc-filter-change-type"
          label="Change type"
          variant="outlined"
          size="small"
          value={changeType}
          onChange={e => setChangeType(e.target.value)}
        />
      </Box>
      {error ? (
        <ResponseErrorPanel error={error} />
      ) : (
        <RfcTable title="All RFCs" rfcs={pages.flat()} loading={loading} />
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        {cursor && (
          <Button variant="outlined" onClick={more}>
            Load more
          </Button>
        )}
        <Button onClick={retry}>Reload</Button>
      </Box>
    </>
  );
};

/** The RFC queue: what waits for me, what I asked for, the calendar, everything. */
export const RfcQueuePage = () => {
  const [params, setParams] = useSearchParams();
  const tab = tabOf(params);
  const setTab = (next: QueueTab) =>
    setParams(
      current => {
        const updated = new URLSearchParams(current);
        if (next === 'approval') updated.delete('queue');
        else updated.set('queue', next);
        return updated;
      },
      { replace: true },
    );
  const [waiting, setWaiting] = useState<number>();
  // Read on every tab: an overdue review shows on the tab's badge.
  const overdue = useReviews('overdue');
  const badges: Partial<Record<QueueTab, number | undefined>> = {
    approval: waiting,
    reviews: overdue.value?.length,
  };
  const links = useOpsLinks();
  return (
    <>
      <Box display="flex" alignItems="center" mb={2}>
        <Tabs
          value={tab}
          onChange={(_, v) => setTab(v)}
          indicatorColor="primary"
          style={{ flex: 1 }}
          aria-label="RFC queues"
        >
          {TABS.map(t => (
            <Tab
              key={t.id}
              value={t.id}
              label={
                badges[t.id] ? (
                  <Badge badgeContent={badges[t.id]} color="secondary">
                    <span style={{ paddingRight: 12 }}>{t.label}</span>
                  </Badge>
                ) : (
                  t.label
                )
              }
            />
          ))}
        </Tabs>
        <LinkButton variant="contained" color="primary" to={links.newRfc()}>
          New RFC
        </LinkButton>
      </Box>
      {tab === 'approval' && <AwaitingApproval onCount={setWaiting} />}
      {tab === 'mine' && <MyRequests />}
      {tab === 'scheduled' && <ScheduledChanges />}
      {tab === 'all' && <AllRfcs />}
      {tab === 'reviews' && <Reviews overdue={overdue} />}
    </>
  );
};
