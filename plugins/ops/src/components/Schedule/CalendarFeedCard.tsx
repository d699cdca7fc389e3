import {
  CopyTextButton,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { CalendarFeedTokenInfo } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef, type IssuedFeedToken } from '../../api';
import { errorMessage } from '../shared/errors';
import { formatTime, relativeTime } from '../shared/time';
import { shortRef } from './calendarModel';
import { ConfirmDialog } from './ConfirmDialog';

const When = ({ iso }: { iso?: string }) =>
  iso ? <span title={formatTime(iso)}>{relativeTime(iso)}</span> : <>never</>;

/** The address of a new token, shown the one time the server tells it. */
const IssuedUrl = (props: { issued: IssuedFeedToken; onDone: () => void }) => (
  <Alert
    severity="success"
    data-testid="feed-issued"
    action={
      <Button color="inherit" size="small" onClick={props.onDone}>
        Done
      </Button>
    }
  >
    <Typography variant="body2" gutterBottom>
      Subscribe to this address in your calendar app. It is shown only once:
      copy it now. Anyone who has it can read the feed, so revoke the token if
      it leaks.
    </Typography>
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <TextField
        id="feed-issued-url"
        label={`Feed address for "${props.issued.feedToken.label}"`}
        value={props.issued.url}
        variant="outlined"
        size="small"
        fullWidth
        InputProps={{ readOnly: true }}
        onFocus={e => e.target.select()}
      />
      <CopyTextButton
        text={props.issued.url}
        aria-label="Copy the feed address"
        tooltipText="Feed address copied"
      />
    </Box>
  </Alert>
);

/**
 * The caller's tokens for the iCalendar feed of the change calendar: a
 * subscription address each, for everything they see or for one team.
 */
export const CalendarFeedCard = (props: { teams: string[] }) => {
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const tokens = useAsyncRetry(() => opsApi.listFeedTokens(), [opsApi]);
  const [label, setLabel] = useState('');
  const [team, setTeam] = useState('');
  const [issuing, setIssuing] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [issued, setIssued] = useState<IssuedFeedToken>();
  const [revoking, setRevoking] = useState<CalendarFeedTokenInfo>();
  const [busy, setBusy] = useState(false);

  const issue = async () => {
    setIssuing(true);
    setFailure(undefined);
    try {
      const result = await opsApi.issueFeedToken({
        label: label.trim(),
        ...(team ? { owner: team } : {}),
      });
      setIssued(result);
      setLabel('');
      setTeam('');
      tokens.retry();
    } catch (e: any) {
      setFailure(errorMessage(e));
    } finally {
      setIssuing(false);
    }
  };

  const revoke = async (token: CalendarFeedTokenInfo) => {
    setBusy(true);
    try {
      await opsApi.revokeFeedToken(token.id);
      if (issued?.feedToken.id === token.id) setIssued(undefined);
      alertApi.post({
        message: `The feed token "${token.label}" is revoked`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e: any) {
      alertApi.post({
        message: `Could not revoke "${token.label}": ${errorMessage(e)}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
      setRevoking(undefined);
      tokens.retry();
    }
  };

  const live = (tokens.value ?? []).filter(t => !t.revokedAt);
  return (
    <InfoCard
      title="Calendar feed"
      subheader="Subscribe to the change calendar from Outlook, Google Calendar or another calendar app"
    >
      {issued && (
        <Box mb={2}>
          <IssuedUrl issued={issued} onDone={() => setIssued(undefined)} />
        </Box>
      )}
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="flex-start"
        style={{ gap: 12 }}
      >
        <TextField
          id="feed-label"
          label="Label"
          placeholder="Work laptop"
          variant="outlined"
          size="small"
          value={label}
          onChange={e => setLabel(e.target.value)}
          error={Boolean(failure)}
          helperText={failure ?? 'Where you subscribe, to tell tokens apart'}
        />
        <TextField
          select
          id="feed-team"
          label="Feed of"
          variant="outlined"
          size="small"
          style={{ minWidth: 220 }}
          value={team}
          onChange={e => setTeam(e.target.value)}
        >
          <MenuItem value="">Everything I see</MenuItem>
          {props.teams.map(t => (
            <MenuItem key={t} value={t}>
              {shortRef(t)}
            </MenuItem>
          ))}
        </TextField>
        <Button
          variant="contained"
          color="primary"
          disabled={issuing || !label.trim()}
          onClick={issue}
        >
          Issue feed token
        </Button>
      </Box>
      <Box mt={2}>
        {tokens.error && (
          <ResponseErrorPanel
            error={tokens.error}
            title="Could not load your feed tokens"
          />
        )}
        {tokens.loading && !tokens.value && <Progress />}
        {tokens.value && live.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            You have no feed token.
          </Typography>
        )}
        {live.length > 0 && (
          <Table size="small" aria-label="Your feed tokens">
            <TableHead>
              <TableRow>
                <TableCell>Label</TableCell>
                <TableCell>Feed of</TableCell>
                <TableCell>Created</TableCell>
                <TableCell>Last used</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {live.map(t => (
                <TableRow key={t.id} data-testid={`feed-token-${t.id}`}>
                  <TableCell>{t.label}</TableCell>
                  <TableCell>
                    {t.feedOwner ? shortRef(t.feedOwner) : 'Everything I see'}
                  </TableCell>
                  <TableCell>
                    <When iso={t.createdAt} />
                  </TableCell>
                  <TableCell>
                    <When iso={t.lastUsedAt} />
                  </TableCell>
                  <TableCell align="right">
                    <Button
                      size="small"
                      variant="outlined"
                      color="secondary"
                      aria-label={`Revoke ${t.label}`}
                      onClick={() => setRevoking(t)}
                    >
                      Revoke
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Box>
      <ConfirmDialog
        open={Boolean(revoking)}
        title={revoking ? `Revoke "${revoking.label}"?` : ''}
        confirm="Revoke"
        busy={busy}
        onClose={() => setRevoking(undefined)}
        onConfirm={() => revoking && revoke(revoking)}
      >
        Calendar apps subscribed with this token stop receiving the change
        calendar. A new token gives a new address.
      </ConfirmDialog>
    </InfoCard>
  );
};
