import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

/** Asks before something that cannot be taken back. */
export const ConfirmDialog = (props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirm: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) => (
  <Dialog
    open={props.open}
    onClose={props.onClose}
    maxWidth="xs"
    fullWidth
    aria-labelledby="schedule-confirm-title"
  >
    <DialogTitle id="schedule-confirm-title">{props.title}</DialogTitle>
    <DialogContent>
      <Typography variant="body2">{props.children}</Typography>
    </DialogContent>
    <DialogActions>
      <Button onClick={props.onClose}>Back</Button>
      <Button
        color="secondary"
        variant="contained"
        disabled={props.busy}
        onClick={props.onConfirm}
      >
        {props.confirm}
      </Button>
    </DialogActions>
  </Dialog>
);
