import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  CHANGE_TYPE_RISKS,
  type ChangeTypeRisk,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  ChangeTypeWithSchema,
  CreateRfcRequest,
  opsApiRef,
  RfcParameterSchema,
} from '../../api';
import { useCurrentActor } from '../../hooks/useCurrentActor';
import {
  RFC_PARAMETER_QUERY_PREFIX,
  useOpsLinks,
} from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { RfcStatusChip } from '../shared/RfcStatusChip';

type Target = { ref: string; label: string; owner?: string };

/** The RFC's own start time; the form asks for it once, not as a parameter. */
const OWN_FIELDS = new Set(['requestedStartTime', 'requestedEndTime']);

/** The change type's parameters the form shows. */
export function parameterFields(changeType?: ChangeTypeWithSchema) {
  return Object.entries(changeType?.parameterSchema.properties ?? {}).filter(
    ([name]) => !OWN_FIELDS.has(name),
  );
}

/**
 * Parameter values a link carries as `p.<name>` query parameters, for the
 * change type's own parameters only, typed as its schema says.
 */
export function prefilledParameters(
  search: URLSearchParams,
  changeType: ChangeTypeWithSchema | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of parameterFields(changeType)) {
    const raw = search.get(`${RFC_PARAMETER_QUERY_PREFIX}${name}`);
    if (raw === null || raw === '') continue;
    if (schema.type === 'number' || schema.type === 'integer') {
      const n = Number(raw);
      values[name] = Number.isFinite(n) ? n : raw;
    } else if (schema.type === 'boolean') {
      values[name] = raw === 'true';
    } else {
      values[name] = raw;
    }
  }
  return values;
}

/**
 * Starting values for a change type's parameters: the schema's defaults, and
 * the target and its owner for the fields that name them, then whatever the
 * link prefilled.
 */
export function initialParameters(
  changeType: ChangeTypeWithSchema | undefined,
  target?: { ref: string; owner?: string },
  prefilled: Record<string, unknown> = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of parameterFields(changeType)) {
    if (schema.default !== undefined) values[name] = schema.default;
    else if (name === 'component' && target?.ref.startsWith('component:'))
      values[name] = target.ref;
    else if (name === 'owner' && target?.owner) values[name] = target.owner;
  }
  return { ...values, ...prefilled };
}

const INCIDENT_ID = /^INC-\d{6,}$/;

/** Problems with the form, keyed by field, before anything is sent. */
export function validateRfcForm(
  form: CreateRfcRequest,
  changeType: ChangeTypeWithSchema | undefined,
): Record<string, string> {
  const problems: Record<string, string> = {};
  const need = (field: keyof CreateRfcRequest, what: string) => {
    if (!String(form[field] ?? '').trim())
      problems[field] = `${what} is required`;
  };
  need('targetEntityRef', 'The target entity');
  need('changeTypeId', 'The change type');
  need('title', 'A title');
  need('description', 'A description');
  need('implementationPlan', 'An implementation plan');
  need('testPlan', 'A test plan');
  need('rollbackPlan', 'A rollback plan');
  const schema = changeType?.parameterSchema;
  for (const name of schema?.required ?? []) {
    const v = form.parameters?.[name];
    if (v === undefined || v === '') {
      problems[`parameters.${name}`] = `${
        schema?.properties?.[name]?.title ?? name
      } is required`;
    }
  }
  for (const [name, p] of parameterFields(changeType)) {
    const v = form.parameters?.[name];
    if (
      p.pattern &&
      typeof v === 'string' &&
      v &&
      !new RegExp(p.pattern).test(v)
    ) {
      problems[`parameters.${name}`] = `${p.title ?? name} must match ${
        p.pattern
      }`;
    }
  }
  if (form.emergency) {
    const incident = form.emergency.incidentId.trim();
    if (!incident) {
      problems['emergency.incidentId'] =
        'An emergency change names the open P1 or P2 incident it answers';
    } else if (!INCIDENT_ID.test(incident)) {
      problems[
        'emergency.incidentId'
      ] = `"${incident}" is not an incident id such as INC-000012`;
    }
  }
  if (form.requestedStartTime === 'now' && !form.emergency) {
    problems.requestedStartTime =
      'Only an emergency change starts as soon as it is approved';
  }
  if (
    form.requestedStartTime &&
    form.requestedStartTime !== 'now' &&
    form.requestedEndTime &&
    Date.parse(form.requestedEndTime) <= Date.parse(form.requestedStartTime)
  ) {
    problems.requestedEndTime = 'The end must come after the start';
  }
  return problems;
}

/** One change type parameter as a form field, after its JSON schema. */
export const ParameterField = (props: {
  name: string;
  schema: RfcParameterSchema;
  required: boolean;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
}) => {
  const { name, schema, required, value, error, onChange } = props;
  const label = schema.title ?? name;
  if (schema.type === 'boolean') {
    return (
      <FormControlLabel
        control={
          <Checkbox
            checked={Boolean(value)}
            onChange={e => onChange(e.target.checked)}
          />
        }
        label={label}
      />
    );
  }
  if (schema.enum) {
    return (
      <TextField
        select
        fullWidth
        variant="outlined"
        label={label}
        required={required}
        value={value ?? ''}
        error={Boolean(error)}
        helperText={error ?? schema.description}
        onChange={e => onChange(e.target.value)}
      >
        {schema.enum.map(option => (
          <MenuItem key={String(option)} value={String(option)}>
            {String(option)}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  const numeric = schema.type === 'number' || schema.type === 'integer';
  const date = schema.format === 'date';
  let inputType = 'text';
  if (numeric) inputType = 'number';
  else if (date) inputType = 'date';
  const parse = (raw: string) => {
    if (raw === '') return undefined;
    return numeric ? Number(raw) : raw;
  };
  return (
    <TextField
      fullWidth
      id={`rfc-parameter-${name}`}
      variant="outlined"
      label={label}
      required={required}
      type={inputType}
      InputLabelProps={date ? { shrink: true } : undefined}
      value={value ?? ''}
      error={Boolean(error)}
      helperText={error ?? schema.description}
      onChange={e => onChange(parse(e.target.value))}
    />
  );
};

/** What happens next to a freshly created RFC. */
function createdSummary(rfc: Rfc): string {
  if (rfc.status === 'PendingApproval' && rfc.approverGroup) {
    return `It waits for approval by ${rfc.approverGroup}.`;
  }
  if (rfc.status === 'Scheduled') {
    return 'It needs no further approval and is scheduled.';
  }
  return 'It is saved; submit it from its page when it is ready.';
}

/** "2026-03-01T10:00" from a datetime-local input as an ISO instant. */
const toIso = (local: string) =>
  local ? new Date(local).toISOString() : undefined;

/** Create an RFC against a component or stack, with its plans and parameters. */
export const CreateRfcPage = () => {
  const opsApi = useApi(opsApiRef);
  const catalogApi = useApi(catalogApiRef);
  const links = useOpsLinks();
  const { actor, centralItGroup } = useCurrentActor();
  const [search] = useSearchParams();

  const [target, setTarget] = useState(search.get('entity') ?? '');
  const [changeTypeId, setChangeTypeId] = useState(
    search.get('changeType') ?? '',
  );
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [implementationPlan, setImplementationPlan] = useState('');
  const [testPlan, setTestPlan] = useState('');
  const [rollbackPlan, setRollbackPlan] = useState('');
  const [peerReviewer, setPeerReviewer] = useState('');
  const [risk, setRisk] = useState<ChangeTypeRisk | ''>('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [submit, setSubmit] = useState(true);
  // A link from an incident makes the RFC an emergency answering it.
  const [emergency, setEmergency] = useState(Boolean(search.get('incident')));
  const [incidentId, setIncidentId] = useState(search.get('incident') ?? '');
  const [startNow, setStartNow] = useState(false);
  const [overrideReason, setOverrideReason] = useState('');
  const [parameters, setParameters] = useState<Record<string, unknown>>();
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const [created, setCreated] = useState<Rfc>();
  const [failure, setFailure] = useState<Error>();

  const targets = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: [{ kind: 'Component' }, { kind: 'Resource' }],
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.owner',
      ],
    });
    return items
      .map(e => ({
        ref: stringifyEntityRef(e),
        owner:
          typeof e.spec?.owner === 'string'
            ? stringifyEntityRef(
                parseEntityRef(e.spec.owner, {
                  defaultKind: 'group',
                  defaultNamespace: e.metadata.namespace,
                }),
              )
            : undefined,
        label: `${e.metadata.title ?? e.metadata.name} (${stringifyEntityRef(
          e,
        )})`,
      }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
  }, [catalogApi]);
  const changeTypes = useAsync(() => opsApi.listChangeTypes(), [opsApi]);
  const changeType = useMemo(
    () => changeTypes.value?.find(c => c.id === changeTypeId),
    [changeTypes.value, changeTypeId],
  );
  const params =
    parameters ??
    initialParameters(
      changeType,
      (targets.value ?? []).find(t => t.ref === target),
      prefilledParameters(search, changeType),
    );

  const isCentralIt =
    actor?.kind === 'user' &&
    actor.ownershipEntityRefs.includes(centralItGroup);

  const form: CreateRfcRequest = {
    changeTypeId,
    targetEntityRef: target,
    title: title || (changeType ? changeType.title : ''),
    description,
    implementationPlan,
    testPlan,
    rollbackPlan,
    peerReviewer: peerReviewer.trim() || undefined,
    risk: risk || undefined,
    requestedStartTime: emergency && startNow ? 'now' : toIso(start),
    requestedEndTime: toIso(end),
    parameters: params,
    emergency: emergency
      ? {
          incidentId: incidentId.trim(),
          ...(overrideReason.trim()
            ? { freezeOverrideReason: overrideReason.trim() }
            : {}),
        }
      : undefined,
    submit,
  };

  const send = async () => {
    const found = validateRfcForm(form, changeType);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setSending(true);
    setFailure(undefined);
    try {
      setCreated(await opsApi.createRfc(form));
    } catch (e) {
      setFailure(e as Error);
    } finally {
      setSending(false);
    }
  };

  if (created) {
    return (
      <InfoCard title="RFC created">
        <Box
          display="flex"
          alignItems="center"
          style={{ gap: 12 }}
          data-testid="rfc-created"
        >
          <Typography variant="h6">
            <Link to={links.rfc(created.id)}>{created.id}</Link>:{' '}
            {created.title}
          </Typography>
          <RfcStatusChip status={created.status} />
        </Box>
        <Typography variant="body2">{createdSummary(created)}</Typography>
      </InfoCard>
    );
  }

  if (targets.error || changeTypes.error) {
    return <ResponseErrorPanel error={(targets.error ?? changeTypes.error)!} />;
  }
  if (targets.loading || changeTypes.loading) return <Progress />;

  const text = (
    key: keyof CreateRfcRequest,
    label: string,
    value: string,
    set: (v: string) => void,
    rows?: number,
  ) => (
    <TextField
      fullWidth
      required
      id={`rfc-${key}`}
      variant="outlined"
      label={label}
      value={value}
      multiline={Boolean(rows)}
      minRows={rows}
      error={Boolean(problems[key])}
      helperText={problems[key]}
      onChange={e => set(e.target.value)}
    />
  );

  return (
    <InfoCard title={isCentralIt ? 'New Central IT RFC' : 'New RFC'}>
      <Box mb={2}>
        <Alert severity="info">
          {isCentralIt
            ? "You belong to Central IT, so this is a Central IT RFC made on the team's behalf: for change types approved by origin, the owning team approves it."
            : 'This is a user RFC: for change types approved by origin, Central IT approves it.'}
        </Alert>
      </Box>
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Autocomplete<Target>
            id="rfc-target"
            options={targets.value ?? []}
            getOptionLabel={o => o.label}
            value={(targets.value ?? []).find(t => t.ref === target) ?? null}
            onChange={(_, v) => {
              setTarget(v?.ref ?? '');
              setParameters(undefined);
            }}
            renderInput={p => (
              <TextField
                {...p}
                required
                label="Target component or stack"
                variant="outlined"
                error={Boolean(problems.targetEntityRef)}
                helperText={problems.targetEntityRef}
              />
            )}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <TextField
            select
            fullWidth
            required
            variant="outlined"
            id="rfc-change-type"
            label="Change type"
            value={changeType ? changeTypeId : ''}
            error={Boolean(problems.changeTypeId)}
            helperText={
              problems.changeTypeId ??
              (changeType
                ? `${changeType.classification.category} / ${changeType.classification.subcategory}; ${changeType.automation}; approval: ${changeType.approval}; risk ${changeType.risk}`
                : undefined)
            }
            onChange={e => {
              setChangeTypeId(e.target.value);
              setParameters(undefined);
            }}
          >
            {(changeTypes.value ?? []).map(c => (
              <MenuItem key={c.id} value={c.id}>
                {c.title} ({c.id} {c.version})
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12}>
          {text('title', 'Title', form.title, setTitle)}
        </Grid>
        <Grid item xs={12}>
          {text('description', 'Description', description, setDescription, 2)}
        </Grid>
        <Grid item xs={12} md={4}>
          {text(
            'implementationPlan',
            'Implementation plan',
            implementationPlan,
            setImplementationPlan,
            4,
          )}
        </Grid>
        <Grid item xs={12} md={4}>
          {text('testPlan', 'Test plan', testPlan, setTestPlan, 4)}
        </Grid>
        <Grid item xs={12} md={4}>
          {text(
            'rollbackPlan',
            'Rollback plan',
            rollbackPlan,
            setRollbackPlan,
            4,
          )}
        </Grid>
        {changeType &&
          parameterFields(changeType).map(([name, schema]) => (
            <Grid item xs={12} md={6} key={name}>
              <ParameterField
                name={name}
                schema={schema}
                required={(changeType.parameterSchema.required ?? []).includes(
                  name,
                )}
                value={params[name]}
                error={problems[`parameters.${name}`]}
                onChange={v => setParameters({ ...params, [name]: v })}
              />
            </Grid>
          ))}
        <Grid item xs={12} md={3}>
          <TextField
            fullWidth
            variant="outlined"
            id="rfc-peer-reviewer"
            label="Peer reviewer"
            placeholder="user:default/priya"
            value={peerReviewer}
            onChange={e => setPeerReviewer(e.target.value)}
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <TextField
            select
            fullWidth
            variant="outlined"
            id="rfc-risk"
            label="Risk"
            value={risk}
            helperText="Leave empty to use the change type's"
            onChange={e => setRisk(e.target.value as ChangeTypeRisk | '')}
          >
            <MenuItem value="">From the change type</MenuItem>
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
            id="rfc-start"
            label="Requested start"
            InputLabelProps={{ shrink: true }}
            value={emergency && startNow ? '' : start}
            disabled={emergency && startNow}
            helperText={
              emergency && startNow ? 'As soon as it is approved' : undefined
            }
            onChange={e => setStart(e.target.value)}
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <TextField
            fullWidth
            variant="outlined"
            type="datetime-local"
            id="rfc-end"
            label="Requested end"
            InputLabelProps={{ shrink: true }}
            value={end}
            error={Boolean(problems.requestedEndTime)}
            helperText={problems.requestedEndTime}
            onChange={e => setEnd(e.target.value)}
          />
        </Grid>
        <Grid item xs={12}>
          <Box
            border={1}
            borderColor={emergency ? 'error.main' : 'divider'}
            borderRadius={4}
            p={2}
            data-testid="rfc-emergency"
          >
            <FormControlLabel
              control={
                <Checkbox
                  checked={emergency}
                  onChange={e => setEmergency(e.target.checked)}
                />
              }
              label="Emergency change"
            />
            <Typography variant="body2" color="textSecondary">
              An emergency answers an open P1 or P2 incident of the target's
              team. It needs one approval by the other side, may override a
              freeze when you say why, and has a post-implementation review once
              it ran.
            </Typography>
            {emergency && (
              <Grid container spacing={2} style={{ marginTop: 8 }}>
                <Grid item xs={12} md={4}>
                  <TextField
                    fullWidth
                    required
                    variant="outlined"
                    id="rfc-emergency-incident"
                    label="Incident"
                    placeholder="INC-000012"
                    value={incidentId}
                    error={Boolean(problems['emergency.incidentId'])}
                    helperText={
                      problems['emergency.incidentId'] ??
                      'The open P1 or P2 incident this change answers'
                    }
                    onChange={e => setIncidentId(e.target.value)}
                  />
                </Grid>
                <Grid item xs={12} md={8}>
                  <TextField
                    fullWidth
                    variant="outlined"
                    id="rfc-emergency-override"
                    label="Freeze override reason"
                    value={overrideReason}
                    helperText="Optional: why the change must run even if a freeze covers its window"
                    onChange={e => setOverrideReason(e.target.value)}
                  />
                </Grid>
                <Grid item xs={12}>
                  <FormControlLabel
                    control={
                      <Checkbox
                        checked={startNow}
                        onChange={e => setStartNow(e.target.checked)}
                      />
                    }
                    label="Start as soon as approved"
                  />
                </Grid>
              </Grid>
            )}
          </Box>
        </Grid>
        <Grid item xs={12}>
          <FormControlLabel
            control={
              <Checkbox
                checked={submit}
                onChange={e => setSubmit(e.target.checked)}
              />
            }
            label="Submit for approval now"
          />
        </Grid>
        {failure && (
          <Grid item xs={12}>
            <Alert severity="error" data-testid="rfc-create-error">
              The RFC was not created: {errorMessage(failure)}
            </Alert>
          </Grid>
        )}
        <Grid item xs={12}>
          <Button
            variant="contained"
            color="primary"
            onClick={send}
            disabled={sending}
          >
            {sending ? 'Creating…' : 'Create RFC'}
          </Button>
        </Grid>
      </Grid>
    </InfoCard>
  );
};
