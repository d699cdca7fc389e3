import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  ServiceRequest,
  ServiceRequestMessage,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { formatTime, relativeTime } from '../shared/time';
import { ServiceRequestStatusChip, SIDE_LABELS, TOPIC_LABELS } from './labels';
import { RecordHeader } from '../shared/RecordHeader';

const useStyles = makeStyles(theme => ({
  message: {
    padding: theme.spacing(1.5, 2),
    marginBottom: theme.spacing(1.5),
    borderLeft: `4px solid ${theme.palette.primary.main}`,
  },
  centralIt: {
    borderLeftColor: theme.palette.secondary.main,
    marginLeft: theme.spacing(4),
  },
  body: { whiteSpace: 'pre-wrap', marginTop: theme.spacing(1) },
}));

const Message = ({ message }: { message: ServiceRequestMessage }) => {
  const classes = useStyles();
  return (
    <Paper
      variant="outlined"
      className={`${classes.message} ${
        message.side === 'central-it' ? classes.centralIt : ''
      }`}
      data-testid={`message-${message.id}`}
    >
      <Box display="flex" alignItems="baseline" style={{ gap: 8 }}>
        <EntityRefLink entityRef={message.author} defaultKind="user" />
        <Typography variant="caption" color="textSecondary">
          {SIDE_LABELS[message.side] ?? message.side} ·{' '}
          <span title={formatTime(message.at)}>{relativeTime(message.at)}</span>
        </Typography>
      </Box>
      <Typography variant="body2" className={classes.body}>
        {message.body}
      </Typography>
    </Paper>
  );
};

/** Sends a reply, or closes the request, against the version on screen. */
function useRequestActions(
  request: ServiceRequest | undefined,
  reload: () => void,
) {
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const run = async (
    what: string,
    action: (r: ServiceRequest) => Promise<unknown>,
  ) => {
    if (!request) return false;
    setBusy(true);
    setFailure(undefined);
    try {
      await action(request);
      reload();
      return true;
    } catch (e: any) {
      if (e?.statusCode === 409) {
        alertApi.post({
          message: `${
            request.id
          } changed while you were looking at it; it has been reloaded. ${errorMessage(
            e,
          )}`,
          severity: 'warning',
        });
        reload();
      } else {
        setFailure(`Could not ${what}: ${errorMessage(e)}`);
      }
      return false;
    } finally {
      setBusy(false);
    }
  };
  return {
    busy,
    failure,
    reply: (body: string) =>
      run('send the reply', r =>
        opsApi.replyToServiceRequest(r.id, r.version, body),
      ),
    close: (reason?: string) =>
      run('close the request', r =>
        opsApi.closeServiceRequest(r.id, r.version, reason),
      ),
  };
}

/** One service request: its thread, a reply box and a close button. */
export const ServiceRequestDetailPage = () => {
  const { id = '' } = useParams();
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const { value, loading, error, retry } = useAsyncRetry(
    () => opsApi.getServiceRequest(id),
    [opsApi, id],
  );
  const actions = useRequestActions(value, retry);
  const [reply, setReply] = useState('');
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState('');

  if (error)
    return <ResponseErrorPanel error={error} title={`Could not load ${id}`} />;
  if (loading && !value) return <Progress />;
  if (!value) return null;
  const request = value;
  const open = request.status !== 'Closed';

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <RecordHeader
          title={`${request.id}: ${request.title}`}
          chips={
            <span data-testid="service-request-status">
              <ServiceRequestStatusChip status={request.status} />
            </span>
          }
          actions={
            <>
              <Link to={links.serviceRequests}>All requests</Link>
              {open && (
                <Button
                  variant="outlined"
                  color="secondary"
                  onClick={() => setClosing(true)}
                >
                  Close request
                </Button>
              )}
            </>
          }
        />
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard title="Conversation">
          {(request.messages ?? []).map(m => (
            <Message key={m.id} message={m} />
          ))}
          {actions.failure && (
            <Box mb={2}>
              <Alert severity="error" data-testid="service-request-failure">
                {actions.failure}
              </Alert>
            </Box>
          )}
          {open ? (
            <>
              <TextField
                id="service-request-reply"
                label="Reply"
                value={reply}
                onChange={e => setReply(e.target.value)}
                multiline
                minRows={3}
                fullWidth
                variant="outlined"
              />
              <Box mt={1}>
                <Button
                  variant="contained"
                  color="primary"
                  disabled={actions.busy || !reply.trim()}
                  onClick={async () => {
                    if (await actions.reply(reply.trim())) setReply('');
                  }}
                >
                  Send reply
                </Button>
              </Box>
            </>
          ) : (
            <Typography variant="body2" color="textSecondary">
              This request is closed
              {request.closedAt ? ` since ${formatTime(request.closedAt)}` : ''}
              ; nothing more can be added.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Request">
          <StructuredMetadataTable
            metadata={{
              Topic: TOPIC_LABELS[request.topic] ?? request.topic,
              Team: (
                <EntityRefLink entityRef={request.team} defaultKind="group" />
              ),
              Requester: (
                <EntityRefLink
                  entityRef={request.requester}
                  defaultKind="user"
                />
              ),
              Entity: request.entityRef ? (
                <EntityRefLink entityRef={request.entityRef} />
              ) : (
                '—'
              ),
              Opened: formatTime(request.createdAt),
              Updated: formatTime(request.updatedAt),
              Closed: formatTime(request.closedAt),
            }}
          />
        </InfoCard>
      </Grid>
      <Dialog
        open={closing}
        onClose={() => setClosing(false)}
        fullWidth
        maxWidth="sm"
      >
        <DialogTitle>Close {request.id}?</DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>
            Nobody can reply to a closed request.
          </Typography>
          <TextField
            id="service-request-close-reason"
            label="Reason (optional)"
            value={reason}
            onChange={e => setReason(e.target.value)}
            fullWidth
            variant="outlined"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setClosing(false)}>Back</Button>
          <Button
            variant="contained"
            color="primary"
            disabled={actions.busy}
            onClick={async () => {
              setClosing(false);
              await actions.close(reason.trim() || undefined);
            }}
          >
            Close request
          </Button>
        </DialogActions>
      </Dialog>
    </Grid>
  );
};
