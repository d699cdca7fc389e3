import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  allowedRfcActions,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcCreatePermission,
  rfcExecutePermission,
  rfcRetryPermission,
  type Rfc,
  type RfcActor,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { opsApiRef, RfcDecision } from '../../api';
import { errorMessage } from '../shared/errors';

/** What the page offers; `succeed` and `fail` both record the outcome. */
type Offered =
  | 'submit'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'start'
  | 'succeed'
  | 'fail'
  | 'retry';

const LABELS: Record<
  Offered,
  { button: string; title: string; field?: string; required?: boolean }
> = {
  submit: { button: 'Submit for approval', title: 'Submit this RFC?' },
  approve: {
    button: 'Approve',
    title: 'Approve this RFC?',
    field: 'Comment (optional)',
  },
  reject: {
    button: 'Reject',
    title: 'Reject this RFC?',
    field: 'Why is it rejected?',
    required: true,
  },
  cancel: {
    button: 'Cancel RFC',
    title: 'Cancel this RFC?',
    field: 'Reason (optional)',
  },
  start: { button: 'Start', title: 'Start carrying out this RFC?' },
  succeed: {
    button: 'Record success',
    title: 'Record that the change succeeded?',
    field: 'Outcome notes (optional)',
  },
  fail: {
    button: 'Record failure',
    title: 'Record that the change failed?',
    field: 'What went wrong?',
    required: true,
  },
  retry: {
    button: 'Retry',
    title: 'Run this change again?',
    field: 'Why retry now (optional)',
  },
};

/**
 * The server's message when it refused a submission because a freeze covers
 * the RFC's window (409 naming the freeze), or undefined for any other error.
 */
export function freezeRefusal(error: unknown): string | undefined {
  if ((error as { statusCode?: number })?.statusCode !== 409) return undefined;
  const message = errorMessage(error as Error);
  return /\bthe freeze "/.test(message) ? message : undefined;
}

/**
 * The decisions this person may take on the RFC now. An action shows only
 * when the lifecycle allows it for this person and the permission policy
 * does not deny it; the server enforces both again. The lifecycle offers
 * start and completion only on manual change types: the executor carries
 * out automated ones.
 */
export function offeredActions(options: {
  rfc: Rfc;
  actor: RfcActor;
  centralItGroup: string;
  permitted: Record<Offered, boolean>;
  now?: Date;
}): Offered[] {
  const lifecycle = allowedRfcActions({
    rfc: options.rfc,
    actor: options.actor,
    centralItGroup: options.centralItGroup,
    now: options.now ?? new Date(),
  });
  const offered: Offered[] = [
    'submit',
    'approve',
    'reject',
    'cancel',
    'start',
    'succeed',
    'fail',
    'retry',
  ];
  return offered.filter(a => lifecycle.includes(a) && options.permitted[a]);
}

export const RfcActions = (props: {
  rfc: Rfc;
  actor: RfcActor;
  centralItGroup: string;
  onChanged: (rfc: Rfc) => void;
  onConflict: () => void;
}) => {
  const { rfc, actor, centralItGroup, onChanged, onConflict } = props;
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const approve = usePermission({
    permission: rfcApprovePermission,
    resourceRef: rfc.id,
  });
  const cancel = usePermission({
    permission: rfcCancelPermission,
    resourceRef: rfc.id,
  });
  const create = usePermission({ permission: rfcCreatePermission });
  const execute = usePermission({
    permission: rfcExecutePermission,
    resourceRef: rfc.id,
  });
  const retry = usePermission({
    permission: rfcRetryPermission,
    resourceRef: rfc.id,
  });
  const [open, setOpen] = useState<Offered>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  // A submission a freeze refused, and why an emergency overrides it.
  const [frozen, setFrozen] = useState<string>();
  const [overrideReason, setOverrideReason] = useState('');
  const emergency = rfc.changeClass === 'emergency';

  const close = () => {
    setOpen(undefined);
    setFrozen(undefined);
    setOverrideReason('');
  };

  const offered = offeredActions({
    rfc,
    actor,
    centralItGroup,
    permitted: {
      submit: create.allowed,
      approve: approve.allowed,
      reject: approve.allowed,
      cancel: cancel.allowed,
      start: execute.allowed,
      succeed: execute.allowed,
      fail: execute.allowed,
      retry: retry.allowed,
    },
  });

  const run = async (action: Offered) => {
    setBusy(true);
    const value = text.trim() || undefined;
    let decision: RfcDecision;
    if (action === 'reject') decision = { action, comment: value ?? '' };
    else if (action === 'approve') decision = { action, comment: value };
    else if (action === 'cancel') decision = { action, reason: value };
    else if (action === 'retry') decision = { action, reason: value };
    else if (action === 'succeed')
      decision = {
        action: 'complete',
        outcome: 'Success',
        outcomeNotes: value,
      };
    else if (action === 'fail')
      decision = {
        action: 'complete',
        outcome: 'Failure',
        outcomeNotes: value,
      };
    else if (action === 'submit' && frozen && overrideReason.trim())
      decision = { action, freezeOverrideReason: overrideReason.trim() };
    else decision = { action };
    try {
      const updated = await opsApi.decideRfc(rfc.id, rfc.version, decision);
      alertApi.post({
        message: `${rfc.id} is now ${updated.status}`,
        severity: 'success',
        display: 'transient',
      });
      close();
      setText('');
      onChanged(updated);
    } catch (e: any) {
      const refusal = action === 'submit' ? freezeRefusal(e) : undefined;
      if (refusal) {
        // The RFC did not change: the dialog stays, with the freeze named
        // and, for an emergency, the override offered.
        setFrozen(refusal);
      } else if (e?.statusCode === 409) {
        alertApi.post({
          message: `${
            rfc.id
          } changed while you were looking at it; it has been reloaded. ${errorMessage(
            e,
          )}`,
          severity: 'warning',
        });
        close();
        onConflict();
      } else {
        alertApi.post({
          message: `Could not ${action} ${rfc.id}: ${errorMessage(e)}`,
          severity: 'error',
        });
      }
    } finally {
      setBusy(false);
    }
  };

  if (
    approve.loading ||
    cancel.loading ||
    create.loading ||
    execute.loading ||
    retry.loading
  )
    return null;
  if (offered.length === 0) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="rfc-no-actions"
      >
        No action is open to you on this RFC.
      </Typography>
    );
  }
  const dialog = open ? LABELS[open] : undefined;
  return (
    <Box display="flex" style={{ gap: 8 }}>
      {offered.map(a => (
        <Button
          key={a}
          variant={
            ['approve', 'submit', 'start', 'succeed', 'retry'].includes(a)
              ? 'contained'
              : 'outlined'
          }
          color={
            ['reject', 'cancel', 'fail'].includes(a) ? 'secondary' : 'primary'
          }
          onClick={() => setOpen(a)}
        >
          {LABELS[a].button}
        </Button>
      ))}
      <Dialog open={Boolean(open)} onClose={close} fullWidth maxWidth="sm">
        {dialog && open && (
          <>
            <DialogTitle>{dialog.title}</DialogTitle>
            <DialogContent>
              <Typography variant="body2" gutterBottom>
                {rfc.id}: {rfc.title}
              </Typography>
              {frozen && (
                <Box mb={2}>
                  <Alert severity="warning" data-testid="rfc-freeze-refusal">
                    {frozen}
                  </Alert>
                </Box>
              )}
              {frozen && emergency && (
                <TextField
                  id="rfc-freeze-override-reason"
                  label="Why must this emergency override the freeze?"
                  value={overrideReason}
                  onChange={e => setOverrideReason(e.target.value)}
                  multiline
                  minRows={3}
                  fullWidth
                  required
                  variant="outlined"
                  helperText="Recorded on the RFC and in its history"
                />
              )}
              {frozen && !emergency && (
                <Typography variant="body2" data-testid="rfc-freeze-advice">
                  Edit the requested time so the change runs after the freeze,
                  then submit it again.
                </Typography>
              )}
              {!frozen && dialog.field && (
                <TextField
                  id="rfc-decision-text"
                  label={dialog.field}
                  value={text}
                  onChange={e => setText(e.target.value)}
                  multiline
                  minRows={3}
                  fullWidth
                  required={dialog.required}
                  variant="outlined"
                />
              )}
            </DialogContent>
            <DialogActions>
              <Button onClick={close}>Back</Button>
              {frozen && emergency && (
                <Button
                  color="secondary"
                  variant="contained"
                  disabled={busy || !overrideReason.trim()}
                  onClick={() => run(open)}
                >
                  Override the freeze
                </Button>
              )}
              {!frozen && (
                <Button
                  color="primary"
                  variant="contained"
                  disabled={busy || (dialog.required && !text.trim())}
                  onClick={() => run(open)}
                >
                  {dialog.button}
                </Button>
              )}
            </DialogActions>
          </>
        )}
      </Dialog>
    </Box>
  );
};
