import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AWS_TAG_SELECTOR,
  resolveEntityRaci,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { useCallback, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import type {
  EntityOperations,
  OperationsSection,
} from '@cloud-ops/plugin-ops-common';
import { useCurrentActor } from '../../hooks/useCurrentActor';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { AlarmsCard } from './AlarmsCard';
import { BackupsCard } from './BackupsCard';
import { ChangeHistoryCard } from './ChangeHistoryCard';
import { NewRfcLink } from './changeTypes';
import { IncidentsCard } from './IncidentsCard';
import { getAwsMapping, isOperationsAvailable } from './isOperationsAvailable';
import { CardState } from './OperationsCard';
import { PatchComplianceCard } from './PatchComplianceCard';
import { RaciOwnershipCard } from './RaciOwnershipCard';
import { TagComplianceCard } from './TagComplianceCard';

/**
 * The Operations tab of a component or stack: six cards filled from one
 * request to the ops backend, and the RACI card resolved from the RACI
 * config (asked for alongside it) and the entity.
 *
 * @public
 */
export const EntityOperationsContent = () => {
  const { entity } = useEntity();
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const links = useOpsLinks();
  const { actor } = useCurrentActor();
  const entityRef = stringifyEntityRef(entity);
  const compound = getCompoundEntityRef(entity);

  // A refresh answer replaces the first one without a second loading pass.
  const [refreshed, setRefreshed] = useState<EntityOperations>();
  const [refreshing, setRefreshing] = useState(false);
  const { value, loading, error } = useAsync(
    () => opsApi.getEntityOperations(compound),
    [opsApi, entityRef],
  );
  const operations = refreshed ?? value;

  // Started with the operations request, not after it; the client keeps the
  // answer, so other entities' tabs do not ask again.
  const raciConfig = useAsync(() => opsApi.getRaciConfig(), [opsApi]);
  const raci = useMemo(() => {
    if (!raciConfig.value) return {};
    try {
      return { value: resolveEntityRaci(entity, raciConfig.value) };
    } catch (e) {
      // e.g. config naming an activity this version of the matrix lacks
      return { error: e as Error };
    }
  }, [entity, raciConfig.value]);

  // When the backend serves no RFC history with the operations data, the
  // card asks the RFC API itself rather than stay empty.
  const historyFallback = useAsync(async () => {
    if (!operations || operations.recentRfcs.available) return undefined;
    const items = await opsApi.listEntityRfcs(compound);
    return {
      available: true,
      items: items.map(({ id, title, status, updatedAt }) => ({
        id,
        title,
        status,
        updatedAt,
      })),
    };
    // compound is derived from entityRef
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opsApi, entityRef, operations?.recentRfcs.available]);

  const refresh = useCallback(async () => {
    setRefreshing(true);
    try {
      setRefreshed(await opsApi.refreshEntityOperations(compound));
      alertApi.post({
        message: 'Operations data read again',
        severity: 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({
        message: `Refresh failed: ${errorMessage(e as Error)}`,
        severity: 'error',
      });
    } finally {
      setRefreshing(false);
    }
    // compound is derived from entityRef
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opsApi, alertApi, entityRef]);

  const mapped = isOperationsAvailable(entity);
  const base: CardState = {
    loading: loading && !refreshed,
    error: refreshed ? undefined : error,
  };
  const aws = (section?: OperationsSection<unknown>): CardState => ({
    ...base,
    missingAnnotation: mapped ? undefined : ANNOTATION_AWS_TAG_SELECTOR,
    section,
  });
  const { tagSelector, account, region } = getAwsMapping(entity);
  const newRfcLink: NewRfcLink = (changeType, parameters) =>
    links.newRfc({ entity: entityRef, changeType, parameters });

  return (
    <Box data-testid="ops-operations-tab">
      <Box display="flex" alignItems="center" mb={2}>
        <Typography variant="body2" color="textSecondary" style={{ flex: 1 }}>
          {mapped
            ? `AWS resources tagged ${
                tagSelector ?? '(provisioned stack)'
              } in account ${account ?? 'from config'}, region ${
                region ?? 'from config'
              }`
            : 'Not mapped to AWS resources'}
        </Typography>
        <Button
          size="small"
          variant="outlined"
          startIcon={<RefreshIcon />}
          onClick={refresh}
          disabled={!mapped || refreshing || loading}
        >
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </Button>
      </Box>
      <Grid container spacing={3} alignItems="stretch">
        <Grid item xs={12} lg={6}>
          <PatchComplianceCard
            state={aws(operations?.patch)}
            data={operations?.patch.data}
            inForce={operations?.settingsInForce}
            rfcLink={links.rfc}
            newRfcLink={newRfcLink}
          />
        </Grid>
        <Grid item xs={12} lg={6}>
          <BackupsCard
            state={aws(operations?.backups)}
            data={operations?.backups.data}
            inForce={operations?.settingsInForce}
            activities={raci.value?.activities}
            viewerGroups={
              actor?.kind === 'user' ? actor.ownershipEntityRefs : undefined
            }
            rfcLink={links.rfc}
            newRfcLink={newRfcLink}
          />
        </Grid>
        <Grid item xs={12} lg={6}>
          <AlarmsCard
            state={aws(operations?.alarms)}
            data={operations?.alarms.data}
          />
        </Grid>
        <Grid item xs={12} lg={6}>
          <IncidentsCard
            state={{
              ...base,
              missingAnnotation: mapped
                ? undefined
                : ANNOTATION_AWS_TAG_SELECTOR,
              source: operations?.alarms.source,
            }}
            incidents={operations?.incidents}
            incidentLink={links.incident}
            allIncidentsLink={links.incidents}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <ChangeHistoryCard
            state={{
              ...base,
              loading: base.loading || historyFallback.loading,
              error: base.error ?? historyFallback.error,
            }}
            recent={historyFallback.value ?? operations?.recentRfcs}
            rfcLink={links.rfc}
            newRfcLink={links.newRfc({ entity: entityRef })}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <TagComplianceCard
            state={base}
            compliance={operations?.tagCompliance}
          />
        </Grid>
        <Grid item xs={12}>
          <RaciOwnershipCard
            state={{
              loading: raciConfig.loading,
              error: raciConfig.error ?? raci.error,
              missingAnnotation: entity.spec?.owner ? undefined : 'spec.owner',
            }}
            activities={raci.value?.activities}
            warnings={raci.value?.warnings}
            matrixLink={links.raci}
          />
        </Grid>
      </Grid>
    </Box>
  );
};
