import { useApi } from '@backstage/core-plugin-api';
import type {
  FreezeScope,
  FreezeWindow,
  FreezeWindowInput,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { opsApiRef } from '../../api';
import { errorMessage } from '../shared/errors';

type ScopeType = FreezeScope['type'];

const SCOPE_LABELS: Record<ScopeType, string> = {
  global: 'Everything (global)',
  owner: 'Everything a team owns',
  system: 'A system',
  entities: 'Listed entities',
};

/** The form's fields, as typed. */
export type FreezeForm = {
  name: string;
  reason: string;
  start: string;
  end: string;
  timezone: string;
  rrule: string;
  scopeType: ScopeType;
  ownerRef: string;
  systemRef: string;
  entityRefs: string;
};

/** Which input shows a problem the server named by its field. */
type FieldKey =
  | Exclude<keyof FreezeForm, 'ownerRef' | 'systemRef'>
  | 'scopeRef';

/** The reader's zone, the default for a new freeze. */
function localZone(): string {
  return DateTime.local().zoneName || 'UTC';
}

export function emptyFreezeForm(options: {
  centralIt: boolean;
  team?: string;
  now?: DateTime;
}): FreezeForm {
  const start = (options.now ?? DateTime.local())
    .startOf('hour')
    .plus({ hours: 1 });
  return {
    name: '',
    reason: '',
    start: start.toFormat("yyyy-LL-dd'T'HH:mm"),
    end: start.plus({ hours: 4 }).toFormat("yyyy-LL-dd'T'HH:mm"),
    timezone: localZone(),
    rrule: '',
    scopeType: options.centralIt ? 'global' : 'owner',
    ownerRef: options.team ?? '',
    systemRef: '',
    entityRefs: '',
  };
}

/** The form filled in with a declared freeze, to change it. */
export function formOfFreeze(freeze: FreezeWindow): FreezeForm {
  const { scope } = freeze;
  return {
    name: freeze.name,
    reason: freeze.reason,
    start: freeze.start,
    end: freeze.end,
    timezone: freeze.timezone,
    rrule: freeze.rrule ?? '',
    scopeType: scope.type,
    ownerRef: scope.type === 'owner' ? scope.ref : '',
    systemRef: scope.type === 'system' ? scope.ref : '',
    entityRefs: scope.type === 'entities' ? scope.refs.join('\n') : '',
  };
}

/** The request the form stands for. */
export function freezeRequestOf(form: FreezeForm): FreezeWindowInput {
  let scope: FreezeScope;
  switch (form.scopeType) {
    case 'owner':
      scope = { type: 'owner', ref: form.ownerRef.trim() };
      break;
    case 'system':
      scope = { type: 'system', ref: form.systemRef.trim() };
      break;
    case 'entities':
      scope = {
        type: 'entities',
        refs: form.entityRefs
          .split(/[\s,]+/)
          .map(r => r.trim())
          .filter(Boolean),
      };
      break;
    default:
      scope = { type: 'global' };
  }
  return {
    name: form.name,
    reason: form.reason,
    start: form.start,
    end: form.end,
    timezone: form.timezone.trim(),
    ...(form.rrule.trim() ? { rrule: form.rrule.trim() } : {}),
    scope,
  };
}

/**
 * The server's message split by the field each part names, e.g.
 * `Invalid freeze: end: … is not after start …; rrule: …`.
 */
export function fieldProblems(
  message: string,
): Partial<Record<FieldKey, string>> {
  const problems: Partial<Record<FieldKey, string>> = {};
  const body = message.replace(/^Invalid freeze:\s*/, '');
  for (const part of body.split(/;\s*(?=[a-z][\w.[\]]*: )/)) {
    const match = /^([a-z][\w.[\]]*): ([\s\S]*)$/.exec(part.trim());
    if (!match) continue;
    const [, field, text] = match;
    let key: FieldKey | undefined;
    if (field === 'scope.ref') key = 'scopeRef';
    else if (field.startsWith('scope.refs')) key = 'entityRefs';
    else if (field.startsWith('scope')) key = 'scopeType';
    else if (
      ['name', 'reason', 'start', 'end', 'timezone', 'rrule'].includes(field)
    ) {
      key = field as FieldKey;
    }
    if (key) {
      const line = field.startsWith('scope.refs') ? `${field}: ${text}` : text;
      problems[key] = problems[key] ? `${problems[key]}; ${line}` : line;
    }
  }
  return problems;
}

/**
 * Declares a freeze: its name and reason, its first occurrence in a time
 * zone, an optional recurrence and what it covers. Central IT may freeze
 * anything; a team only what it owns. The server checks it all, and what it
 * refuses is shown here with the values kept.
 */
export const DeclareFreezeDialog = (props: {
  open: boolean;
  centralIt: boolean;
  /** Group refs the person may pick for a team freeze. */
  teams: string[];
  defaultTeam?: string;
  /** A declared freeze to change instead of declaring a new one. */
  editing?: FreezeWindow;
  onClose: () => void;
  onDeclared: (freeze: FreezeWindow) => void;
}) => {
  const { open, centralIt, teams, defaultTeam, editing, onClose, onDeclared } =
    props;
  const opsApi = useApi(opsApiRef);
  const [form, setForm] = useState<FreezeForm>(() =>
    editing
      ? formOfFreeze(editing)
      : emptyFreezeForm({ centralIt, team: defaultTeam ?? teams[0] }),
  );
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof FreezeForm) => (e: { target: { value: unknown } }) =>
    setForm(current => ({ ...current, [key]: String(e.target.value) }));
  const problems = failure ? fieldProblems(failure) : {};
  const field = (key: FieldKey, helper?: string) => ({
    error: Boolean(problems[key]),
    helperText: problems[key] ?? helper,
  });

  const close = () => {
    setFailure(undefined);
    onClose();
  };

  const declare = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      onDeclared(
        editing
          ? await opsApi.updateFreeze(
              editing.id,
              editing.version,
              freezeRequestOf(form),
            )
          : await opsApi.declareFreeze(freezeRequestOf(form)),
      );
    } catch (e: any) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      fullWidth
      maxWidth="sm"
      aria-labelledby="declare-freeze-title"
    >
      <DialogTitle id="declare-freeze-title">
        {editing
          ? `Change ${editing.id} "${editing.name}"`
          : 'Declare a freeze'}
      </DialogTitle>
      <DialogContent>
        {failure && (
          <Box mb={2}>
            <Alert severity="error" data-testid="freeze-failure">
              {editing
                ? 'Could not change the freeze: '
                : 'Could not declare the freeze: '}
              {failure}
            </Alert>
          </Box>
        )}
        <TextField
          id="freeze-name"
          label="Name"
          value={form.name}
          onChange={set('name')}
          required
          fullWidth
          margin="dense"
          variant="outlined"
          {...field('name')}
        />
        <TextField
          id="freeze-reason"
          label="Reason"
          value={form.reason}
          onChange={set('reason')}
          required
          fullWidth
          multiline
          minRows={2}
          margin="dense"
          variant="outlined"
          {...field('reason', 'Shown to requesters whose changes it holds.')}
        />
        <Box display="flex" style={{ gap: 12 }}>
          <TextField
            id="freeze-start"
            label="Start"
            type="datetime-local"
            value={form.start}
            onChange={set('start')}
            required
            fullWidth
            margin="dense"
            variant="outlined"
            InputLabelProps={{ shrink: true }}
            {...field('start', 'Of the first occurrence, in the time zone')}
          />
          <TextField
            id="freeze-end"
            label="End"
            type="datetime-local"
            value={form.end}
            onChange={set('end')}
            required
            fullWidth
            margin="dense"
            variant="outlined"
            InputLabelProps={{ shrink: true }}
            {...field('end')}
          />
        </Box>
        <TextField
          id="freeze-timezone"
          label="Time zone"
          value={form.timezone}
          onChange={set('timezone')}
          fullWidth
          margin="dense"
          variant="outlined"
          {...field(
            'timezone',
            'An IANA time zone such as Europe/Berlin or UTC; recurrences keep their wall-clock hours in it',
          )}
        />
        <TextField
          id="freeze-rrule"
          label="Repeats (RRULE, optional)"
          placeholder="FREQ=WEEKLY;BYDAY=FR"
          value={form.rrule}
          onChange={set('rrule')}
          fullWidth
          margin="dense"
          variant="outlined"
          {...field(
            'rrule',
            'An iCalendar RRULE without DTSTART, e.g. FREQ=MONTHLY;BYDAY=-1FR for the last Friday of each month; empty for once',
          )}
        />
        <TextField
          select
          id="freeze-scope"
          label="Covers"
          value={form.scopeType}
          onChange={set('scopeType')}
          fullWidth
          margin="dense"
          variant="outlined"
          {...field(
            'scopeType',
            centralIt
              ? undefined
              : 'A team freezes only what it owns; Central IT freezes everything',
          )}
        >
          {(Object.keys(SCOPE_LABELS) as ScopeType[])
            .filter(t => centralIt || t !== 'global')
            .map(t => (
              <MenuItem key={t} value={t}>
                {SCOPE_LABELS[t]}
              </MenuItem>
            ))}
        </TextField>
        {form.scopeType === 'owner' && (
          <TextField
            id="freeze-owner"
            label="Owner group"
            placeholder="group:default/payments"
            value={form.ownerRef}
            onChange={set('ownerRef')}
            required
            fullWidth
            margin="dense"
            variant="outlined"
            {...field(
              'scopeRef',
              teams.length
                ? `Your teams: ${teams.join(', ')}`
                : 'A group ref such as group:default/payments',
            )}
          />
        )}
        {form.scopeType === 'system' && (
          <TextField
            id="freeze-system"
            label="System"
            placeholder="system:default/shop"
            value={form.systemRef}
            onChange={set('systemRef')}
            required
            fullWidth
            margin="dense"
            variant="outlined"
            {...field('scopeRef', 'Every entity of the system, and the system')}
          />
        )}
        {form.scopeType === 'entities' && (
          <TextField
            id="freeze-entities"
            label="Entities"
            placeholder="component:default/payments-api"
            value={form.entityRefs}
            onChange={set('entityRefs')}
            required
            fullWidth
            multiline
            minRows={3}
            margin="dense"
            variant="outlined"
            {...field(
              'entityRefs',
              'Full entity refs, one a line; a component brings its stacks',
            )}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={declare}
        >
          {editing ? 'Save changes' : 'Declare freeze'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
