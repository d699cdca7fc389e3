import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi, useRouteRefParams } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  allowedRfcActions,
  rfcCreatePermission,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import EditIcon from '@material-ui/icons/Edit';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opsApiRef } from '../../api';
import { useCurrentActor } from '../../hooks/useCurrentActor';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { rfcRouteRef } from '../../routes';
import { RfcStatusChip } from '../shared/RfcStatusChip';
import { formatTime } from '../shared/time';
import { ChangeClassChip } from './ChangeClassChip';
import { RfcActions } from './RfcActions';
import { RfcEditForm } from './RfcEditForm';
import { isExecutionLive, RfcExecutionCard } from './RfcExecutionCard';
import { hasReview, RfcReviewCard } from './RfcReviewCard';
import { RfcScheduleCard, showsSchedule } from './RfcScheduleCard';
import { RfcTimeline } from './RfcTimeline';

const Text = ({ children }: { children?: string }) =>
  children ? (
    <Typography variant="body2" style={{ whiteSpace: 'pre-wrap' }}>
      {children}
    </Typography>
  ) : (
    <>—</>
  );

/** The freezes an emergency overrides, or the reason it will give at submission. */
const FreezeOverrideText = ({
  override,
}: {
  override: NonNullable<Rfc['freezeOverride']>;
}) => (
  <span data-testid="rfc-freeze-override">
    {override.freezeIds.length > 0
      ? `Overrides ${override.freezeIds.join(', ')}: ${override.reason}`
      : `Overrides any freeze found at submission: ${override.reason}`}{' '}
    <Typography variant="caption" color="textSecondary" component="span">
      ({override.by}, {formatTime(override.at)})
    </Typography>
  </span>
);

/** The fields only an emergency change has. */
function emergencyFields(
  rfc: Rfc,
  incidentLink: (id: string) => string,
): Record<string, JSX.Element | string> {
  if (rfc.changeClass !== 'emergency') return {};
  return {
    ...(rfc.emergencyIncidentId
      ? {
          Incident: (
            <Link
              to={incidentLink(rfc.emergencyIncidentId)}
              data-testid="rfc-emergency-incident"
            >
              {rfc.emergencyIncidentId}
            </Link>
          ),
        }
      : {}),
    'Freeze override': rfc.freezeOverride ? (
      <FreezeOverrideText override={rfc.freezeOverride} />
    ) : (
      'none'
    ),
  };
}

const APPROVAL_RULES: Record<string, string> = {
  'by-origin': 'the other side approves',
  'central-it': 'Central IT approves',
  'owning-team': 'the owning team approves',
  none: 'pre-approved',
  'none-if-submitter-approves':
    'the other side approves, unless the submitter is on it',
};

/** One RFC: every field, its lifecycle, and what this person may do now. */
export const RfcDetailPage = () => {
  const { id } = useRouteRefParams(rfcRouteRef);
  const opsApi = useApi(opsApiRef);
  const links = useOpsLinks();
  const { actor, centralItGroup } = useCurrentActor();
  const [rfc, setRfc] = useState<Rfc>();
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const [loaded, events] = await Promise.all([
      opsApi.getRfc(id),
      opsApi.listRfcEvents(id),
    ]);
    return { rfc: loaded, events };
  }, [opsApi, id]);
  useEffect(() => setRfc(value?.rfc), [value]);
  /** A decision changed the RFC: show it at once, then read its history again. */
  const changed = (updated: Rfc) => {
    setRfc(updated);
    retry();
  };
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState<string>();
  const create = usePermission({ permission: rfcCreatePermission });
  // The change type tells which parameters the edit form shows.
  const changeTypeId = rfc?.changeTypeId;
  const changeType = useAsync(async () => {
    if (!changeTypeId) return undefined;
    const types = await opsApi.listChangeTypes();
    return types.find(t => t.id === changeTypeId);
  }, [opsApi, changeTypeId]);
  // While the executor is about to run it or runs it, the status moves on
  // its own; read it again until it settles.
  const live = rfc ? isExecutionLive(rfc) : false;
  useEffect(() => {
    if (!live || editing) return undefined;
    const timer = setInterval(retry, 3_000);
    return () => clearInterval(timer);
  }, [live, editing, retry]);

  if (error)
    return <ResponseErrorPanel error={error} title={`Could not load ${id}`} />;
  if (loading && !value) return <Progress />;
  if (!rfc || !value) return null;

  const canEdit =
    !editing &&
    Boolean(actor) &&
    create.allowed &&
    allowedRfcActions({
      rfc,
      actor: actor!,
      centralItGroup,
      now: new Date(),
    }).includes('edit');

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box
          display="flex"
          alignItems="center"
          style={{ gap: 16 }}
          flexWrap="wrap"
        >
          <Typography variant="h4" component="h2">
            {rfc.id}: {rfc.title}
          </Typography>
          <span data-testid="rfc-status">
            <RfcStatusChip status={rfc.status} />
          </span>
          <span data-testid="rfc-change-class">
            <ChangeClassChip changeClass={rfc.changeClass} />
          </span>
          <Box flex={1} />
          {canEdit && (
            <Button
              variant="outlined"
              color="primary"
              startIcon={<EditIcon />}
              onClick={() => {
                setConflict(undefined);
                setEditing(true);
              }}
            >
              Edit
            </Button>
          )}
          {actor && !editing && (
            <RfcActions
              rfc={rfc}
              actor={actor}
              centralItGroup={centralItGroup}
              onChanged={changed}
              onConflict={retry}
            />
          )}
        </Box>
        {conflict && (
          <Box mt={1}>
            <Alert
              severity="warning"
              data-testid="rfc-edit-conflict"
              onClose={() => setConflict(undefined)}
            >
              Someone else changed {rfc.id} while you were editing it, so your
              changes were not saved. It has been reloaded; edit it again to
              make your changes. ({conflict})
            </Alert>
          </Box>
        )}
        {rfc.statusReason && (
          <Typography variant="body2" color="textSecondary">
            {rfc.statusReason}
          </Typography>
        )}
        {rfc.hold && rfc.status === 'Scheduled' && (
          <Box mt={1}>
            <Alert severity="warning" data-testid="rfc-hold">
              Held by freeze {rfc.hold.freezeName}: {rfc.hold.reason}, until{' '}
              {formatTime(rfc.hold.until)}. The executor starts it once the
              freeze ends (held since {formatTime(rfc.hold.since)}).
            </Alert>
          </Box>
        )}
      </Grid>
      <Grid item xs={12} md={8}>
        {editing ? (
          <RfcEditForm
            rfc={rfc}
            changeType={changeType.value}
            onSaved={updated => {
              setRfc(updated);
              setEditing(false);
              retry();
            }}
            onConflict={message => {
              setConflict(message);
              setEditing(false);
              retry();
            }}
            onClose={() => setEditing(false)}
          />
        ) : (
          <InfoCard title="Request">
            <StructuredMetadataTable
              metadata={{
                Target: <EntityRefLink entityRef={rfc.targetEntityRef} />,
                'Change type': `${rfc.changeTypeId} ${rfc.changeTypeVersion}`,
                ...emergencyFields(rfc, links.incident),
                Description: <Text>{rfc.description}</Text>,
                Origin:
                  rfc.origin === 'central-it' ? 'Central IT RFC' : 'User RFC',
                Requester: (
                  <EntityRefLink entityRef={rfc.requester} defaultKind="user" />
                ),
                'Owning group': (
                  <EntityRefLink
                    entityRef={rfc.ownerGroup}
                    defaultKind="group"
                  />
                ),
                Approval: rfc.approverGroup ? (
                  <>
                    <EntityRefLink
                      entityRef={rfc.approverGroup}
                      defaultKind="group"
                    />{' '}
                    ({APPROVAL_RULES[rfc.approvalRule] ?? rfc.approvalRule})
                  </>
                ) : (
                  APPROVAL_RULES[rfc.approvalRule] ?? rfc.approvalRule
                ),
                Risk: rfc.risk,
                'Requested start': rfc.requestedStartTime
                  ? formatTime(rfc.requestedStartTime)
                  : 'As soon as approved',
                'Requested end': formatTime(rfc.requestedEndTime),
                'Implementation plan': <Text>{rfc.implementationPlan}</Text>,
                'Test plan': <Text>{rfc.testPlan}</Text>,
                'Rollback plan': <Text>{rfc.rollbackPlan}</Text>,
                'Peer reviewer': rfc.peerReviewer ?? '—',
                Parameters: (
                  <Box component="pre" m={0} style={{ whiteSpace: 'pre-wrap' }}>
                    {JSON.stringify(rfc.parameters, null, 2)}
                  </Box>
                ),
                'Outcome notes': <Text>{rfc.outcomeNotes}</Text>,
                'Carried out by':
                  rfc.automation === 'automated'
                    ? 'the executor, at the requested start time'
                    : 'a person (manual change type)',
                Created: formatTime(rfc.createdAt),
                Updated: `${formatTime(rfc.updatedAt)} (version ${
                  rfc.version
                })`,
              }}
            />
          </InfoCard>
        )}
        {!editing && showsSchedule(rfc, actor, centralItGroup) && (
          <Box mt={2}>
            <RfcScheduleCard rfc={rfc} />
          </Box>
        )}
        {hasReview(rfc) && (
          <Box mt={2}>
            <RfcReviewCard
              rfc={rfc}
              actor={actor}
              centralItGroup={centralItGroup}
              onChanged={changed}
              onConflict={retry}
            />
          </Box>
        )}
        {rfc.automation === 'automated' &&
          !['Editing', 'PendingApproval', 'Rejected'].includes(rfc.status) && (
            <Box mt={2}>
              <RfcExecutionCard rfc={rfc} onEnded={retry} />
            </Box>
          )}
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Lifecycle">
          <RfcTimeline events={value.events} />
          {rfc.approvals.length > 0 && (
            <Box mt={1}>
              <Typography variant="subtitle2">Decisions</Typography>
              {rfc.approvals.map(a => (
                <Typography variant="body2" key={`${a.approver}${a.at}`}>
                  {a.decision} by {a.approver} at {formatTime(a.at)}
                  {a.comment ? `: “${a.comment}”` : ''}
                </Typography>
              ))}
            </Box>
          )}
        </InfoCard>
        <Box mt={2}>
          <Link to={links.root}>Back to the queue</Link>
        </Box>
      </Grid>
    </Grid>
  );
};
