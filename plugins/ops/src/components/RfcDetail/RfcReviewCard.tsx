import { InfoCard, Link } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  allowedRfcActions,
  rfcReviewPermission,
  type PostImplementationReview,
  type Rfc,
  type RfcActor,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { formatTime } from '../shared/time';

/** Whether the RFC is an executed emergency, which has a review. */
export function hasReview(rfc: Rfc): boolean {
  return (
    rfc.changeClass === 'emergency' &&
    (rfc.status === 'Success' || rfc.status === 'Failure')
  );
}

/** True when the review is not written and its due date has passed. */
export function isReviewOverdue(rfc: Rfc, now = new Date()): boolean {
  return (
    !rfc.review &&
    Boolean(rfc.reviewDueAt) &&
    Date.parse(rfc.reviewDueAt!) < now.getTime()
  );
}

const RECORD_ID = /^(PRB|INC)-(\d+)$/i;
const URL_LIKE = /^https?:\/\/\S+$/;

/**
 * The root cause as the API takes it: a problem or incident id, its number
 * padded (`prb-12` is `PRB-000012`), or a link; undefined when it is
 * neither.
 */
export function normalizeRootCause(raw: string): string | undefined {
  const value = raw.trim();
  const id = RECORD_ID.exec(value);
  if (id) return `${id[1].toUpperCase()}-${id[2].padStart(6, '0')}`;
  return URL_LIKE.test(value) ? value : undefined;
}

/** The problem, incident or page a review names as the root cause. */
const RootCause = ({ value }: { value: string }) => {
  const links = useOpsLinks();
  if (value.startsWith('PRB-'))
    return <Link to={links.problem(value)}>{value}</Link>;
  if (value.startsWith('INC-'))
    return <Link to={links.incident(value)}>{value}</Link>;
  if (URL_LIKE.test(value)) return <Link to={value}>{value}</Link>;
  return <>{value}</>;
};

const Recorded = ({ review }: { review: PostImplementationReview }) => (
  <Box data-testid="rfc-review">
    <Typography variant="subtitle2">What happened</Typography>
    <Typography variant="body2" style={{ whiteSpace: 'pre-wrap' }} paragraph>
      {review.whatHappened}
    </Typography>
    <Typography variant="subtitle2">Root cause</Typography>
    <Typography variant="body2" paragraph>
      <RootCause value={review.rootCause} />
    </Typography>
    <Typography variant="subtitle2">Follow-up</Typography>
    <Typography variant="body2" style={{ whiteSpace: 'pre-wrap' }} paragraph>
      {review.followUp}
    </Typography>
    <Typography variant="body2" color="textSecondary">
      Written by{' '}
      <EntityRefLink entityRef={review.reviewedBy} defaultKind="user" /> at{' '}
      {formatTime(review.reviewedAt)}
      {review.onTime ? ', on time.' : ', after its due date.'}
    </Typography>
  </Box>
);

type Field = 'whatHappened' | 'rootCause' | 'followUp';

/**
 * The post-implementation review of an executed emergency: the form until
 * it is written, with its due date, then the review as recorded.
 */
export const RfcReviewCard = (props: {
  rfc: Rfc;
  actor?: RfcActor;
  centralItGroup: string;
  onChanged: (rfc: Rfc) => void;
  onConflict: () => void;
}) => {
  const { rfc, actor, centralItGroup, onChanged, onConflict } = props;
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const permission = usePermission({
    permission: rfcReviewPermission,
    resourceRef: rfc.id,
  });
  const [values, setValues] = useState<Record<Field, string>>({
    whatHappened: '',
    rootCause: '',
    followUp: '',
  });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string>();
  const [sending, setSending] = useState(false);

  if (rfc.review) {
    return (
      <InfoCard title="Post-implementation review">
        <Recorded review={rfc.review} />
      </InfoCard>
    );
  }

  const overdue = isReviewOverdue(rfc);
  const mayWrite =
    Boolean(actor) &&
    permission.allowed &&
    allowedRfcActions({
      rfc,
      actor: actor!,
      centralItGroup,
      now: new Date(),
    }).includes('review');

  const send = async () => {
    const found: Partial<Record<Field, string>> = {};
    if (!values.whatHappened.trim()) found.whatHappened = 'Say what happened';
    const rootCause = normalizeRootCause(values.rootCause);
    if (!values.rootCause.trim()) found.rootCause = 'Name the root cause';
    else if (!rootCause)
      found.rootCause =
        'Give a problem or incident id (PRB-000012, INC-000034) or a link';
    if (!values.followUp.trim()) found.followUp = 'Say what follows';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setSending(true);
    setFailure(undefined);
    try {
      const updated = await opsApi.decideRfc(rfc.id, rfc.version, {
        action: 'review',
        whatHappened: values.whatHappened.trim(),
        rootCause: rootCause!,
        followUp: values.followUp.trim(),
      });
      alertApi.post({
        message: `The review of ${rfc.id} is recorded`,
        severity: 'success',
        display: 'transient',
      });
      onChanged(updated);
    } catch (e: any) {
      if (e?.statusCode === 409) {
        alertApi.post({
          message: `${
            rfc.id
          } changed while you were writing; it has been reloaded. ${errorMessage(
            e,
          )}`,
          severity: 'warning',
        });
        onConflict();
      } else {
        setFailure(errorMessage(e));
      }
    } finally {
      setSending(false);
    }
  };

  const field = (name: Field, label: string, helper: string, rows = 3) => (
    <Box mt={2}>
      <TextField
        id={`rfc-review-${name}`}
        label={label}
        value={values[name]}
        onChange={e => setValues({ ...values, [name]: e.target.value })}
        multiline={rows > 1}
        minRows={rows > 1 ? rows : undefined}
        fullWidth
        required
        variant="outlined"
        error={Boolean(problems[name])}
        helperText={problems[name] ?? helper}
      />
    </Box>
  );

  return (
    <InfoCard title="Post-implementation review">
      <Box
        display="flex"
        alignItems="center"
        style={{ gap: 8 }}
        data-testid="rfc-review-due"
      >
        <Typography variant="body2">
          {rfc.reviewDueAt
            ? `Due ${formatTime(rfc.reviewDueAt)}`
            : 'Not written yet'}
        </Typography>
        {overdue && (
          <Chip
            size="small"
            label="overdue"
            style={{ fontWeight: 600 }}
            color="secondary"
          />
        )}
      </Box>
      {!permission.loading && mayWrite && (
        <Box data-testid="rfc-review-form">
          {field(
            'whatHappened',
            'What happened',
            'The incident, what the change did, and how it went',
          )}
          {field(
            'rootCause',
            'Root cause',
            'A problem or incident id such as PRB-12, or a link',
            1,
          )}
          {field(
            'followUp',
            'Follow-up',
            'What is done next so it does not happen again',
          )}
          {failure && (
            <Box mt={2}>
              <Alert severity="error" data-testid="rfc-review-error">
                The review was not recorded: {failure}
              </Alert>
            </Box>
          )}
          <Box mt={2}>
            <Button
              variant="contained"
              color="primary"
              disabled={sending}
              onClick={send}
            >
              {sending ? 'Recording…' : 'Record the review'}
            </Button>
          </Box>
        </Box>
      )}
      {!permission.loading && !mayWrite && (
        <Typography variant="body2" color="textSecondary">
          The requester, the owning team or Central IT writes the review of this
          emergency change.
        </Typography>
      )}
    </InfoCard>
  );
};
