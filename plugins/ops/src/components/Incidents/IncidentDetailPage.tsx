import {
  InfoCard,
  Link,
  LinkButton,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { Incident } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { formatTime } from '../shared/time';
import {
  IncidentStatusChip,
  PRIORITY_DESCRIPTIONS,
  PriorityChip,
  timeToResolve,
} from './labels';
import { RecordHeader } from '../shared/RecordHeader';

/** Who resolved the incident: a person, or the alarm clearing. */
const ResolvedBy = ({ incident }: { incident: Incident }) => {
  if (!incident.resolvedBy) return <>—</>;
  if (incident.resolvedBy === 'system') return <>The alarm cleared</>;
  return <EntityRefLink entityRef={incident.resolvedBy} defaultKind="user" />;
};

/** Asks for resolution notes and resolves the incident; the server decides who may. */
const ResolveDialog = (props: {
  incident: Incident;
  open: boolean;
  onClose: () => void;
  onResolved: (incident: Incident) => void;
}) => {
  const { incident, open, onClose, onResolved } = props;
  const opsApi = useApi(opsApiRef);
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ title: string; message: string }>();

  const resolve = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const resolved = await opsApi.resolveIncident(incident.id, notes.trim());
      setNotes('');
      onResolved(resolved);
    } catch (e: any) {
      setFailure({
        title:
          e?.statusCode === 403
            ? 'You may not resolve this incident'
            : `Could not resolve ${incident.id}`,
        message: errorMessage(e),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Resolve {incident.id}?</DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {incident.alarmName} on {incident.entityRef}. Incidents also resolve
          by themselves when the alarm returns to OK.
        </Typography>
        {failure && (
          <Box mb={2}>
            <Alert severity="warning" data-testid="resolve-failure">
              <strong>{failure.title}.</strong> {failure.message}
            </Alert>
          </Box>
        )}
        <TextField
          id="incident-resolution-notes"
          label="Resolution notes"
          helperText="What was done, so the next person knows."
          value={notes}
          onChange={e => setNotes(e.target.value)}
          multiline
          minRows={3}
          fullWidth
          required
          variant="outlined"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Back</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !notes.trim()}
          onClick={resolve}
        >
          Resolve
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/** One incident: the alarm, its timing, its problem, and a manual resolve. */
export const IncidentDetailPage = () => {
  const { id = '' } = useParams();
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const links = useOpsLinks();
  const { value, loading, error, retry } = useAsyncRetry(
    () => opsApi.getIncident(id),
    [opsApi, id],
  );
  const [incident, setIncident] = useState<Incident>();
  const [resolving, setResolving] = useState(false);
  useEffect(() => setIncident(value), [value]);

  if (error)
    return <ResponseErrorPanel error={error} title={`Could not load ${id}`} />;
  if (loading && !incident) return <Progress />;
  if (!incident) return null;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <RecordHeader
          title={`${incident.id}: ${incident.alarmName}`}
          chips={
            <>
              <PriorityChip priority={incident.priority} />
              <span data-testid="incident-status">
                <IncidentStatusChip status={incident.status} />
              </span>
            </>
          }
          actions={
            <>
              <Link to={links.incidents}>All incidents</Link>
              {incident.status === 'Open' &&
                (incident.priority === 'P1' || incident.priority === 'P2') && (
                  <LinkButton
                    variant="outlined"
                    color="secondary"
                    // Any change type may be asked for as an emergency; the
                    // new-RFC page ticks it and fills in the incident.
                    to={links.newRfc({
                      entity: incident.entityRef,
                      incident: incident.id,
                      parameters: {
                        owner: incident.ownerGroup,
                        component: incident.entityRef,
                        incidentId: incident.id,
                      },
                    })}
                  >
                    Request an emergency change
                  </LinkButton>
                )}
              {incident.status === 'Open' && (
                <Button
                  variant="contained"
                  color="primary"
                  onClick={() => setResolving(true)}
                >
                  Resolve
                </Button>
              )}
            </>
          }
        />
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard title="Incident">
          <StructuredMetadataTable
            metadata={{
              Entity: <EntityRefLink entityRef={incident.entityRef} />,
              'Owning group': (
                <EntityRefLink
                  entityRef={incident.ownerGroup}
                  defaultKind="group"
                />
              ),
              Alarm: incident.consoleUrl ? (
                <Link to={incident.consoleUrl}>{incident.alarmName}</Link>
              ) : (
                incident.alarmName
              ),
              Reason: incident.reason,
              Priority: `${PRIORITY_DESCRIPTIONS[incident.priority]} (rule: ${
                incident.priorityRule
              })`,
              Problem: incident.problemId ? (
                <Link to={links.problem(incident.problemId)}>
                  {incident.problemId}
                </Link>
              ) : (
                'Not linked to a problem'
              ),
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Timing and resolution">
          <StructuredMetadataTable
            metadata={{
              Opened: formatTime(incident.openedAt),
              Resolved: formatTime(incident.resolvedAt),
              'Time to resolve': timeToResolve(incident),
              'Resolved by': <ResolvedBy incident={incident} />,
              Notes: (
                <Typography variant="body2" style={{ whiteSpace: 'pre-wrap' }}>
                  {incident.resolutionNotes ?? '—'}
                </Typography>
              ),
            }}
          />
        </InfoCard>
      </Grid>
      <ResolveDialog
        incident={incident}
        open={resolving}
        onClose={() => setResolving(false)}
        onResolved={resolved => {
          setResolving(false);
          setIncident(resolved);
          alertApi.post({
            message: `${resolved.id} is resolved`,
            severity: 'success',
            display: 'transient',
          });
          retry();
        }}
      />
    </Grid>
  );
};
