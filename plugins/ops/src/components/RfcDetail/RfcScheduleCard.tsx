import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { Rfc, RfcActor, RfcConflicts } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { RfcStatusChip } from '../shared/RfcStatusChip';
import { formatTime } from '../shared/time';

/** Statuses whose window an approver or the requester still plans around. */
const PLANNED: Rfc['status'][] = ['PendingApproval', 'Scheduled'];

/**
 * Whether the schedule card is for this person: the requester, the approving
 * side and Central IT (which runs the change schedule), while the RFC waits
 * for approval or is scheduled.
 */
export function showsSchedule(
  rfc: Rfc,
  actor: RfcActor | undefined,
  centralItGroup: string,
): boolean {
  if (!PLANNED.includes(rfc.status) || actor?.kind !== 'user') return false;
  const groups = actor.ownershipEntityRefs;
  return (
    actor.userEntityRef === rfc.requester ||
    (Boolean(rfc.approverGroup) && groups.includes(rfc.approverGroup!)) ||
    groups.includes(centralItGroup)
  );
}

/** True when something in the window deserves a second look. */
export function hasWarnings(conflicts: RfcConflicts): boolean {
  const window = conflicts.maintenanceWindow;
  return (
    conflicts.overlapping.length > 0 ||
    conflicts.freezes.some(f => !f.overridden) ||
    Boolean(window && (!window.known || !window.inside))
  );
}

const Section = (props: { title: string; children: ReactNode }) => (
  <Box mt={2}>
    <Typography variant="subtitle2">{props.title}</Typography>
    {props.children}
  </Box>
);

const MaintenanceWindow = ({
  window,
}: {
  window: NonNullable<RfcConflicts['maintenanceWindow']>;
}) => {
  if (!window.known) {
    return (
      <Typography variant="body2" data-testid="rfc-maintenance-window">
        This change type runs in the target's maintenance window, but the target
        has no maintenance window in force.
      </Typography>
    );
  }
  const schedule = window.schedule ? ` (${window.schedule})` : '';
  return (
    <Typography variant="body2" data-testid="rfc-maintenance-window">
      {window.inside
        ? `Inside the maintenance window${schedule}.`
        : `Outside the maintenance window${schedule}.`}
      {!window.inside && window.next
        ? ` The next one is ${formatTime(window.next.start)} – ${formatTime(
            window.next.end,
          )}.`
        : ''}
    </Typography>
  );
};

/**
 * What an approver should know about the RFC's window: other changes on the
 * same target or its stacks, freezes, and the maintenance window. It warns;
 * approval and submission decide on their own.
 */
export const RfcScheduleCard = ({ rfc }: { rfc: Rfc }) => {
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const { value, loading, error } = useAsync(
    () => opsApi.getRfcConflicts(rfc.id),
    // A new version may have moved the window.
    [opsApi, rfc.id, rfc.version],
  );

  let content: ReactNode;
  if (error) {
    content = (
      <Typography variant="body2" color="textSecondary">
        The schedule could not be read: {errorMessage(error)}
      </Typography>
    );
  } else if (loading || !value) {
    content = <Progress />;
  } else {
    content = (
      <>
        {hasWarnings(value) ? (
          <Alert severity="warning">
            Look at the window before deciding: these warn, they do not block.
          </Alert>
        ) : (
          <Alert severity="success">
            Nothing else is planned on this target in its window.
          </Alert>
        )}
        <Box mt={1}>
          <Typography variant="body2">
            Window: {formatTime(value.window.start)} –{' '}
            {formatTime(value.window.end)}
          </Typography>
        </Box>
        <Section title="Freezes">
          {value.freezes.length === 0 ? (
            <Typography variant="body2">
              No freeze covers the window.
            </Typography>
          ) : (
            <Box component="ul" m={0} pl={2} data-testid="rfc-conflict-freezes">
              {value.freezes.map(f => (
                <li key={`${f.freezeId}${f.start}`}>
                  <Typography variant="body2">
                    <strong>{f.name}</strong> ({f.freezeId},{' '}
                    {f.side === 'central-it' ? 'Central IT' : 'team'} freeze):{' '}
                    {f.reason}, until {formatTime(f.end)}
                    {f.overridden && (
                      <>
                        {' '}
                        <Chip size="small" label="overridden" />
                      </>
                    )}
                  </Typography>
                </li>
              ))}
            </Box>
          )}
        </Section>
        <Section title="Other changes in the window">
          {value.overlapping.length === 0 ? (
            <Typography variant="body2">
              No scheduled or running change on the same target or its stacks
              overlaps it.
            </Typography>
          ) : (
            <Box
              component="ul"
              m={0}
              pl={2}
              data-testid="rfc-conflict-overlapping"
            >
              {value.overlapping.map(o => (
                <li key={o.id}>
                  <Box
                    display="flex"
                    alignItems="center"
                    flexWrap="wrap"
                    style={{ gap: 6 }}
                  >
                    <Link to={links.rfc(o.id)}>{o.id}</Link>
                    <Typography variant="body2" component="span">
                      {o.title} on{' '}
                      <EntityRefLink entityRef={o.targetEntityRef} />,{' '}
                      {formatTime(o.start)} – {formatTime(o.end)}
                    </Typography>
                    <RfcStatusChip status={o.status} />
                  </Box>
                </li>
              ))}
            </Box>
          )}
        </Section>
        {value.maintenanceWindow && (
          <Section title="Maintenance window">
            <MaintenanceWindow window={value.maintenanceWindow} />
          </Section>
        )}
      </>
    );
  }
  return (
    <InfoCard title="Schedule and conflicts">
      <div data-testid="rfc-schedule">{content}</div>
    </InfoCard>
  );
};
