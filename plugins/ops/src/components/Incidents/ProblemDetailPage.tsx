import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  PROBLEM_STATUSES,
  type Problem,
  type ProblemStatus,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef, ProblemUpdate } from '../../api';
import { errorMessage } from '../shared/errors';
import { formatTime } from '../shared/time';
import { IncidentsTable } from './IncidentsPage';
import { PROBLEM_STATUS_LABELS, ProblemStatusChip } from './labels';
import { RecordHeader } from '../shared/RecordHeader';

/** How many of the newest linked incidents the page reads. */
const LINKED_LIMIT = 50;

/** What the status needs before it can be saved, or undefined when ready. */
export function missingForStatus(
  status: ProblemStatus,
  rootCause: string,
  remediation: string,
): string | undefined {
  if (status === 'RootCauseIdentified' && !rootCause.trim())
    return 'Describe the root cause to mark it identified.';
  if (status === 'Resolved' && (!rootCause.trim() || !remediation.trim()))
    return 'Describe the root cause and the remediation to resolve the problem.';
  return undefined;
}

/** Root cause, remediation and status, saved against the version loaded. */
const ProblemForm = (props: {
  problem: Problem;
  onSaved: (problem: Problem) => void;
  onConflict: () => void;
}) => {
  const { problem, onSaved, onConflict } = props;
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const [status, setStatus] = useState<ProblemStatus>(problem.status);
  const [rootCause, setRootCause] = useState(problem.rootCause ?? '');
  const [remediation, setRemediation] = useState(problem.remediation ?? '');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  // A reload (after a save or a conflict) shows what the server has now.
  useEffect(() => {
    setStatus(problem.status);
    setRootCause(problem.rootCause ?? '');
    setRemediation(problem.remediation ?? '');
  }, [problem]);

  const update: ProblemUpdate = { version: problem.version };
  if (status !== problem.status) update.status = status;
  if (rootCause.trim() !== (problem.rootCause ?? ''))
    update.rootCause = rootCause.trim();
  if (remediation.trim() !== (problem.remediation ?? ''))
    update.remediation = remediation.trim();
  const changed = Object.keys(update).length > 1;
  const missing = missingForStatus(status, rootCause, remediation);

  const save = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const saved = await opsApi.updateProblem(problem.id, update);
      alertApi.post({
        message: `${saved.id} is saved`,
        severity: 'success',
        display: 'transient',
      });
      onSaved(saved);
    } catch (e: any) {
      if (e?.statusCode === 409) {
        alertApi.post({
          message: `${
            problem.id
          } changed while you were editing it; it has been reloaded. ${errorMessage(
            e,
          )}`,
          severity: 'warning',
        });
        onConflict();
      } else {
        setFailure(errorMessage(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="Analysis">
      {failure && (
        <Box mb={2}>
          <Alert severity="error" data-testid="problem-save-failure">
            Could not save: {failure}
          </Alert>
        </Box>
      )}
      <TextField
        select
        id="problem-status"
        label="Status"
        variant="outlined"
        size="small"
        style={{ minWidth: 240 }}
        value={status}
        onChange={e => setStatus(e.target.value as ProblemStatus)}
      >
        {PROBLEM_STATUSES.map(s => (
          <MenuItem key={s} value={s}>
            {PROBLEM_STATUS_LABELS[s]}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id="problem-root-cause"
        label="Root cause"
        value={rootCause}
        onChange={e => setRootCause(e.target.value)}
        multiline
        minRows={3}
        fullWidth
        margin="normal"
        variant="outlined"
        required={status !== 'Open'}
      />
      <TextField
        id="problem-remediation"
        label="Remediation"
        helperText="What was or will be changed so the alarm stops recurring."
        value={remediation}
        onChange={e => setRemediation(e.target.value)}
        multiline
        minRows={3}
        fullWidth
        margin="normal"
        variant="outlined"
        required={status === 'Resolved'}
      />
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 12 }}>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !changed || Boolean(missing)}
          onClick={save}
        >
          Save
        </Button>
        {missing && (
          <Typography variant="body2" color="error">
            {missing}
          </Typography>
        )}
      </Box>
    </InfoCard>
  );
};

/** One problem: its incidents, and its root cause, remediation and status. */
export const ProblemDetailPage = () => {
  const { id = '' } = useParams();
  const opsApi = useApi(opsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => opsApi.getProblem(id),
    [opsApi, id],
  );
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => setProblem(value), [value]);
  const incidentIds = problem?.incidentIds.slice(-LINKED_LIMIT).reverse();
  const incidents = useAsync(
    async () =>
      incidentIds
        ? Promise.all(incidentIds.map(i => opsApi.getIncident(i)))
        : [],
    [opsApi, incidentIds?.join()],
  );

  if (error)
    return <ResponseErrorPanel error={error} title={`Could not load ${id}`} />;
  if (loading && !problem) return <Progress />;
  if (!problem) return null;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <RecordHeader
          title={`${problem.id}: ${problem.title}`}
          chips={
            <span data-testid="problem-status">
              <ProblemStatusChip status={problem.status} />
            </span>
          }
        />
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard title="Problem">
          <StructuredMetadataTable
            metadata={{
              Entity: <EntityRefLink entityRef={problem.entityRef} />,
              'Owning group': (
                <EntityRefLink
                  entityRef={problem.ownerGroup}
                  defaultKind="group"
                />
              ),
              Alarm: problem.alarmName,
              Incidents: problem.incidentIds.length,
              Opened: formatTime(problem.openedAt),
              Updated: formatTime(problem.updatedAt),
              Resolved: formatTime(problem.resolvedAt),
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <ProblemForm
          problem={problem}
          onSaved={saved => setProblem(saved)}
          onConflict={retry}
        />
      </Grid>
      <Grid item xs={12}>
        {incidents.error ? (
          <ResponseErrorPanel
            error={incidents.error}
            title="Could not load the linked incidents"
          />
        ) : (
          <IncidentsTable
            title={
              problem.incidentIds.length > LINKED_LIMIT
                ? `Linked incidents (newest ${LINKED_LIMIT} of ${problem.incidentIds.length})`
                : 'Linked incidents'
            }
            incidents={incidents.value ?? []}
            loading={incidents.loading}
          />
        )}
      </Grid>
    </Grid>
  );
};
