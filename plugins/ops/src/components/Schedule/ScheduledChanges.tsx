import {
  EmptyState,
  LinkButton,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { RfcTable } from '../RfcQueue/RfcTable';

/**
 * The RFCs that are scheduled or running, soonest first, and the way to the
 * change calendar, which shows them with freezes, maintenance windows and
 * conflicts.
 */
export const ScheduledChanges = () => {
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const { value, loading, error } = useAsync(
    async () =>
      (
        await opsApi.listRfcs({
          status: ['Scheduled', 'InProgress'],
          sort: 'requestedStartTime',
          order: 'asc',
          limit: 200,
        })
      ).items,
    [opsApi],
  );
  return (
    <>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 12 }}>
        <Typography variant="body2" style={{ flex: 1 }}>
          The change calendar shows these changes by day, with the freezes, the
          maintenance windows of your stacks and the conflicts between them.
        </Typography>
        <LinkButton
          variant="outlined"
          color="primary"
          to={`${links.root}/calendar`}
        >
          Open the change calendar
        </LinkButton>
      </Box>
      {error ? (
        <ResponseErrorPanel error={error} />
      ) : (
        <RfcTable
          title="Scheduled and in progress"
          rfcs={value ?? []}
          loading={loading}
          emptyContent={
            <EmptyState
              missing="content"
              title="No change is scheduled"
              description="Approved RFCs appear here until they have run."
            />
          }
        />
      )}
    </>
  );
};
