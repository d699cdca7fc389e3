import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  CHANGE_TYPE_RISKS,
  type ChangeTypeRisk,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { ChangeTypeWithSchema, opsApiRef, UpdateRfcRequest } from '../../api';
import {
  ParameterField,
  parameterFields,
  validateRfcForm,
} from '../CreateRfc/CreateRfcPage';
import { errorMessage } from '../shared/errors';

/** An ISO instant as the value of a datetime-local input, in the reader's zone. */
const toLocalInput = (iso?: string) =>
  iso ? DateTime.fromISO(iso).toFormat("yyyy-MM-dd'T'HH:mm") : '';

/** A datetime-local value as an ISO instant. */
const toIso = (local: string) =>
  local ? new Date(local).toISOString() : undefined;

const sameInstant = (a?: string, b?: string) =>
  (a ? Date.parse(a) : undefined) === (b ? Date.parse(b) : undefined);

/** The form's values, as far as they can be edited. */
export type RfcEditValues = {
  title: string;
  description: string;
  implementationPlan: string;
  testPlan: string;
  rollbackPlan: string;
  peerReviewer: string;
  risk: ChangeTypeRisk;
  /** datetime-local values */
  start: string;
  end: string;
  parameters: Record<string, unknown>;
};

/** What the person changed, as the update request sends it; empty when nothing. */
export function rfcChanges(rfc: Rfc, values: RfcEditValues): UpdateRfcRequest {
  const changes: UpdateRfcRequest = {};
  for (const key of [
    'title',
    'description',
    'implementationPlan',
    'testPlan',
    'rollbackPlan',
  ] as const) {
    if (values[key] !== rfc[key]) changes[key] = values[key];
  }
  const reviewer = values.peerReviewer.trim();
  if (reviewer !== (rfc.peerReviewer ?? '')) {
    changes.peerReviewer = reviewer || null;
  }
  if (values.risk !== rfc.risk) changes.risk = values.risk;
  const start = toIso(values.start);
  if (!sameInstant(start, rfc.requestedStartTime)) {
    changes.requestedStartTime = start ?? null;
  }
  const end = toIso(values.end);
  if (!sameInstant(end, rfc.requestedEndTime)) {
    changes.requestedEndTime = end ?? null;
  }
  if (JSON.stringify(values.parameters) !== JSON.stringify(rfc.parameters)) {
    changes.parameters = values.parameters;
  }
  return changes;
}

/**
 * Edits an RFC that is still being written. Saves only what changed,
 * naming the version it was opened on; when someone else changed the RFC in
 * the meantime, the save fails with 409 and `onConflict` reloads it.
 */
export const RfcEditForm = (props: {
  rfc: Rfc;
  /** The RFC's change type, for its parameter form; without it the parameters are not editable. */
  changeType?: ChangeTypeWithSchema;
  onSaved: (rfc: Rfc) => void;
  onConflict: (message: string) => void;
  onClose: () => void;
}) => {
  const { rfc, changeType, onSaved, onConflict, onClose } = props;
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const [values, setValues] = useState<RfcEditValues>(() => ({
    title: rfc.title,
    description: rfc.description,
    implementationPlan: rfc.implementationPlan,
    testPlan: rfc.testPlan,
    rollbackPlan: rfc.rollbackPlan,
    peerReviewer: rfc.peerReviewer ?? '',
    risk: rfc.risk,
    start: toLocalInput(rfc.requestedStartTime),
    end: toLocalInput(rfc.requestedEndTime),
    parameters: { ...rfc.parameters },
  }));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<Error>();
  const set = <K extends keyof RfcEditValues>(key: K, v: RfcEditValues[K]) =>
    setValues(current => ({ ...current, [key]: v }));
  const schema = changeType?.parameterSchema ? changeType : undefined;

  const save = async () => {
    const found = validateRfcForm(
      {
        changeTypeId: rfc.changeTypeId,
        targetEntityRef: rfc.targetEntityRef,
        title: values.title,
        description: values.description,
        implementationPlan: values.implementationPlan,
        testPlan: values.testPlan,
        rollbackPlan: values.rollbackPlan,
        parameters: values.parameters,
        requestedStartTime: toIso(values.start),
        requestedEndTime: toIso(values.end),
      },
      schema,
    );
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const changes = rfcChanges(rfc, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setSaving(true);
    setFailure(undefined);
    try {
      const updated = await opsApi.updateRfc(rfc.id, rfc.version, changes);
      alertApi.post({
        message: `${rfc.id} saved`,
        severity: 'success',
        display: 'transient',
      });
      onSaved(updated);
    } catch (e: any) {
      if (e?.statusCode === 409) {
        onConflict(errorMessage(e));
      } else {
        setFailure(e as Error);
      }
    } finally {
      setSaving(false);
    }
  };

  const text = (
    key:
      | 'title'
      | 'description'
      | 'implementationPlan'
      | 'testPlan'
      | 'rollbackPlan',
    label: string,
    rows?: number,
  ) => (
    <TextField
      fullWidth
      required
      id={`rfc-edit-${key}`}
      variant="outlined"
      label={label}
      value={values[key]}
      multiline={Boolean(rows)}
      minRows={rows}
      error={Boolean(problems[key])}
      helperText={problems[key]}
      onChange={e => set(key, e.target.value)}
    />
  );

  return (
    <InfoCard title={`Edit ${rfc.id}`}>
      <Grid container spacing={2} data-testid="rfc-edit-form">
        <Grid item xs={12}>
          {text('title', 'Title')}
        </Grid>
        <Grid item xs={12}>
          {text('description', 'Description', 2)}
        </Grid>
        <Grid item xs={12} md={4}>
          {text('implementationPlan', 'Implementation plan', 4)}
        </Grid>
        <Grid item xs={12} md={4}>
          {text('testPlan', 'Test plan', 4)}
        </Grid>
        <Grid item xs={12} md={4}>
          {text('rollbackPlan', 'Rollback plan', 4)}
        </Grid>
        {schema ? (
          parameterFields(schema).map(([name, field]) => (
            <Grid item xs={12} md={6} key={name}>
              <ParameterField
                name={name}
                schema={field}
                required={(schema.parameterSchema.required ?? []).includes(
                  name,
                )}
                value={values.parameters[name]}
                error={problems[`parameters.${name}`]}
                onChange={v =>
                  set('parameters', { ...values.parameters, [name]: v })
                }
              />
            </Grid>
          ))
        ) : (
          <Grid item xs={12}>
            <Typography variant="body2" color="textSecondary">
              The parameters cannot be edited here: change type{' '}
              {rfc.changeTypeId} is not in the catalog.
            </Typography>
          </Grid>
        )}
        <Grid item xs={12} md={3}>
          <TextField
            fullWidth
            variant="outlined"
            id="rfc-edit-peer-reviewer"
            label="Peer reviewer"
            placeholder="user:default/priya"
            value={values.peerReviewer}
            onChange={e => set('peerReviewer', e.target.value)}
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <TextField
            select
            fullWidth
            variant="outlined"
            id="rfc-edit-risk"
            label="Risk"
            value={values.risk}
            onChange={e => set('risk', e.target.value as ChangeTypeRisk)}
          >
            {CHANGE_TYPE_RISKS.map(r => (
              <MenuItem key={r} value={r}>
                {r}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12} md={3}>
          <TextField
            fullWidth
            variant="outlined"
            type="datetime-local"
            id="rfc-edit-start"
            label="Requested start"
            InputLabelProps={{ shrink: true }}
            value={values.start}
            onChange={e => set('start', e.target.value)}
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <TextField
            fullWidth
            variant="outlined"
            type="datetime-local"
            id="rfc-edit-end"
            label="Requested end"
            InputLabelProps={{ shrink: true }}
            value={values.end}
            error={Boolean(problems.requestedEndTime)}
            helperText={problems.requestedEndTime}
            onChange={e => set('end', e.target.value)}
          />
        </Grid>
        {failure && (
          <Grid item xs={12}>
            <Alert severity="error" data-testid="rfc-edit-error">
              The changes were not saved: {errorMessage(failure)}
            </Alert>
          </Grid>
        )}
        <Grid item xs={12}>
          <Box display="flex" style={{ gap: 8 }}>
            <Button
              variant="contained"
              color="primary"
              onClick={save}
              disabled={saving}
            >
              {saving ? 'Saving…' : 'Save changes'}
            </Button>
            <Button onClick={onClose} disabled={saving}>
              Discard
            </Button>
          </Box>
        </Grid>
      </Grid>
    </InfoCard>
  );
};
