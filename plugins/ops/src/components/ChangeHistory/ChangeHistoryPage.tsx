import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  RFC_TERMINAL_STATUSES,
  type Rfc,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { opsApiRef, RfcListQuery } from '../../api';
import { useUrlFilters } from '../Incidents/useUrlFilters';
import { RfcTable } from '../RfcQueue/RfcTable';
import { RFC_STATUS_LABELS } from '../shared/RfcStatusChip';

const LIMIT = 50;

/** A text filter that updates the URL once typing pauses. */
function useDebouncedFilter(value: string, commit: (v: string) => void) {
  const [text, setText] = useState(value);
  useDebounce(
    () => {
      if (text.trim() !== value) commit(text.trim());
    },
    400,
    [text],
  );
  return [text, setText] as const;
}

/** Finished RFCs (succeeded, failed, rejected or canceled), newest first. */
export const ChangeHistoryPage = () => {
  const opsApi = useApi(opsApiRef);
  const [filters, setFilters] = useUrlFilters([
    'status',
    'entity',
    'team',
  ] as const);
  const [entity, setEntity] = useDebouncedFilter(filters.entity, v =>
    setFilters({ entity: v }),
  );
  const [team, setTeam] = useDebouncedFilter(filters.team, v =>
    setFilters({ team: v }),
  );
  const [pages, setPages] = useState<Rfc[][]>([]);
  const [cursor, setCursor] = useState<string>();
  const [more, setMore] = useState<{ loading: boolean; error?: Error }>({
    loading: false,
  });

  const status = RFC_TERMINAL_STATUSES.includes(filters.status as RfcStatus)
    ? [filters.status as RfcStatus]
    : [...RFC_TERMINAL_STATUSES];
  const query: RfcListQuery = {
    status,
    targetEntityRef: filters.entity || undefined,
    owner: filters.team || undefined,
    sort: 'updatedAt',
    order: 'desc',
    limit: LIMIT,
  };
  const key = JSON.stringify(query);
  const first = useAsync(async () => {
    const page = await opsApi.listRfcs(query);
    setPages([page.items]);
    setCursor(page.nextCursor);
    // the query is captured through its key
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opsApi, key]);

  const loadMore = async () => {
    setMore({ loading: true });
    try {
      const page = await opsApi.listRfcs({ ...query, cursor });
      setPages(p => [...p, page.items]);
      setCursor(page.nextCursor);
      setMore({ loading: false });
    } catch (e: any) {
      setMore({ loading: false, error: e });
    }
  };

  return (
    <>
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 12 }}>
        <TextField
          select
          id="history-filter-status"
          label="Outcome"
          variant="outlined"
          size="small"
          style={{ minWidth: 180 }}
          value={status.length === 1 ? status[0] : ''}
          onChange={e => setFilters({ status: e.target.value })}
        >
          <MenuItem value="">Any</MenuItem>
          {RFC_TERMINAL_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {RFC_STATUS_LABELS[s]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="history-filter-entity"
          label="Entity"
          placeholder="component:default/payments-api"
          variant="outlined"
          size="small"
          value={entity}
          onChange={e => setEntity(e.target.value)}
        />
        <TextField
          id="history-filter-team"
          label="Team"
          placeholder="group:default/payments"
          variant="outlined"
          size="small"
          value={team}
          onChange={e => setTeam(e.target.value)}
        />
      </Box>
      {first.error ? (
        <ResponseErrorPanel
          error={first.error}
          title="Could not load the change history"
        />
      ) : (
        <RfcTable
          title="Change history"
          rfcs={pages.flat()}
          loading={first.loading}
          emptyContent={
            <EmptyState
              missing="content"
              title="No finished changes match"
              description="RFCs appear here once they succeed, fail, are rejected or are canceled."
            />
          }
        />
      )}
      {more.error && (
        <ResponseErrorPanel error={more.error} title="Could not load more" />
      )}
      {cursor && !first.loading && !first.error && (
        <Box mt={1}>
          <Button variant="outlined" disabled={more.loading} onClick={loadMore}>
            Load more
          </Button>
        </Box>
      )}
    </>
  );
};
