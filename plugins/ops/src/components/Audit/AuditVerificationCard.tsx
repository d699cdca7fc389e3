import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import type { AuditVerification } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';

/** Whether every link of the audit log holds, and where the first one breaks. */
export const AuditVerificationCard = (props: {
  loading: boolean;
  error?: Error;
  verification?: AuditVerification;
  onVerify: () => void;
}) => {
  const { loading, error, verification } = props;
  return (
    <InfoCard
      title="Verification"
      subheader="Each entry carries the hash of the one before it, in the whole log and in its RFC's or change type's chain"
    >
      {loading && <Progress />}
      {error && !loading && (
        <ResponseErrorPanel
          error={error}
          title="Could not verify the audit log"
        />
      )}
      {verification && !loading && verification.ok && (
        <Box data-testid="audit-verification">
          <Typography variant="h6">
            <StatusOK>Intact</StatusOK>
          </Typography>
          <Typography paragraph>
            All {verification.checked} entries verified.
          </Typography>
          {verification.head && (
            <Typography variant="body2" color="textSecondary">
              Last entry {verification.head.id}, hash{' '}
              <code>{verification.head.hash}</code>. Keep this hash outside the
              portal: a later rewrite of the log up to it would change it.
            </Typography>
          )}
        </Box>
      )}
      {verification && !loading && !verification.ok && (
        <Box data-testid="audit-verification">
          <Typography variant="h6">
            <StatusError>Broken</StatusError>
          </Typography>
          <Typography paragraph>
            Entry {verification.firstBroken?.id} in chain{' '}
            <code>{verification.firstBroken?.chain}</code>:{' '}
            {verification.firstBroken?.reason}.
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {verification.checked} entries before it verified.
          </Typography>
        </Box>
      )}
      <Box mt={2}>
        <Button
          variant="outlined"
          color="primary"
          startIcon={<RefreshIcon />}
          disabled={loading}
          onClick={props.onVerify}
        >
          Verify again
        </Button>
      </Box>
    </InfoCard>
  );
};
