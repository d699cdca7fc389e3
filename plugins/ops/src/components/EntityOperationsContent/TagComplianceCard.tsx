import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type { TagPolicyViolation } from '@cloud-ops/plugin-ops-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { CardState, OperationsCard } from './OperationsCard';

const Verdict = ({
  compliance,
}: {
  compliance: { compliant: boolean; violations: TagPolicyViolation[] };
}) => {
  const errors = compliance.violations.filter(v => v.severity === 'error');
  if (compliance.violations.length === 0) {
    return (
      <StatusOK>
        Compliant: the owner and every required tag are in order.
      </StatusOK>
    );
  }
  if (compliance.compliant) {
    return (
      <StatusWarning>
        Compliant, with {compliance.violations.length} warning(s)
      </StatusWarning>
    );
  }
  return <StatusError>Not compliant: {errors.length} violation(s)</StatusError>;
};

/** Owner and tag policy violations of the entity. */
export const TagComplianceCard = (props: {
  state: CardState;
  compliance?: { compliant: boolean; violations: TagPolicyViolation[] };
}) => {
  const { state, compliance } = props;
  return (
    <OperationsCard title="Tag compliance" testId="ops-card-tags" state={state}>
      {compliance && (
        <>
          <Typography variant="body2" gutterBottom>
            <Verdict compliance={compliance} />
          </Typography>
          <List dense>
            {compliance.violations.map(v => (
              <ListItem key={`${v.rule}:${v.key ?? ''}:${v.message}`}>
                <ListItemText
                  primary={v.message}
                  secondary={`${v.severity} · ${v.rule}${
                    v.key ? ` · ${v.key}` : ''
                  }`}
                />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </OperationsCard>
  );
};
