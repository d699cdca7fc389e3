import {
  Link,
  LinkButton,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import {
  cronToMaintenanceWindow,
  nextMaintenanceWindow,
  patchingExclusionEndsAt,
  type OperationsSource,
  type PatchSnapshot,
  type SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { formatTime, relativeTime } from '../shared/time';
import { CardSection } from './CardSection';
import { NewRfcLink, OPS_CHANGE_TYPES } from './changeTypes';
import {
  formatDate,
  formatLocalWithZone,
  formatMaintenanceWindow,
} from './format';
import { DriftAlerts, SetBy, whereSettingsAre } from './SettingsInForce';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(0.5),
  },
}));

/** What every patch settings section is given. */
type PatchSettingsProps = {
  /** The settings in force; null or undefined while they have not been read. */
  inForce?: SettingsSnapshot | null;
  source?: OperationsSource | null;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
};

/** Earliest upcoming SSM maintenance window across the instances. */
function nextSsmWindow(data: PatchSnapshot) {
  return data.instances
    .map(i => i.maintenanceWindow)
    .filter(w => w?.nextExecutionAt)
    .sort((a, b) => a!.nextExecutionAt!.localeCompare(b!.nextExecutionAt!))[0];
}

const NotReadYet = () => (
  <Typography variant="body2" color="textSecondary">
    Not known until the settings in force are read.
  </Typography>
);

/**
 * The stack's maintenance window as AWS holds it: its schedule, next start
 * and whether it is enabled, the RFC that set it, and where it differs from
 * the RFCs.
 */
export const MaintenanceWindowSection = (
  props: PatchSettingsProps & { data: PatchSnapshot; now: Date },
) => {
  const classes = useStyles();
  const { inForce, source, data, rfcLink, newRfcLink, now } = props;
  const window = inForce?.maintenanceWindow;
  const monthly =
    window && (window.window ?? cronToMaintenanceWindow(window.schedule));
  const next =
    window?.enabled &&
    (window.nextExecutionAt ??
      (monthly
        ? nextMaintenanceWindow(monthly, now).toISOString()
        : undefined));
  const ssm = nextSsmWindow(data);

  let body;
  if (!inForce) {
    body = (
      <>
        <NotReadYet />
        <Box className={classes.actions}>
          <Link to={newRfcLink(OPS_CHANGE_TYPES.setMaintenanceWindow)}>
            Choose a maintenance window
          </Link>
        </Box>
      </>
    );
  } else if (window) {
    body = (
      <>
        <Typography variant="body1">
          <strong>
            {monthly ? formatMaintenanceWindow(monthly) : window.schedule}
          </strong>{' '}
          {window.rfcId && <SetBy rfcId={window.rfcId} rfcLink={rfcLink} />}
        </Typography>
        {next && (
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="ops-patch-next-window"
          >
            Next: {formatLocalWithZone(next)} ({relativeTime(next)})
          </Typography>
        )}
        <Typography
          variant="caption"
          color="textSecondary"
          display="block"
          data-testid="ops-patch-window-state"
        >
          SSM maintenance window {window.name}:{' '}
          {window.enabled ? 'enabled' : 'disabled'}
        </Typography>
        <Box className={classes.actions}>
          <Link
            to={newRfcLink(
              OPS_CHANGE_TYPES.setMaintenanceWindow,
              monthly
                ? {
                    week: String(monthly.week),
                    weekday: monthly.weekday,
                    startTime: monthly.startTime,
                  }
                : undefined,
            )}
          >
            Change the window
          </Link>
        </Box>
      </>
    );
  } else {
    body = (
      <>
        <StatusWarning>
          No maintenance window set in {whereSettingsAre(source)}: Important and
          other updates wait until the team chooses one.
        </StatusWarning>
        <Box className={classes.actions}>
          <LinkButton
            to={newRfcLink(OPS_CHANGE_TYPES.setMaintenanceWindow)}
            size="small"
            variant="outlined"
            color="primary"
            startIcon={<ScheduleIcon />}
          >
            Choose a maintenance window
          </LinkButton>
        </Box>
      </>
    );
  }

  return (
    <CardSection title="Maintenance window" testId="ops-patch-window">
      <DriftAlerts
        drift={inForce?.drift}
        settings={['maintenanceWindow']}
        source={source}
        rfcLink={rfcLink}
      />
      {body}
      {ssm && (
        <Typography variant="caption" color="textSecondary" display="block">
          SSM window on the instances: {ssm.name}, next{' '}
          {formatTime(ssm.nextExecutionAt)}
        </Typography>
      )}
    </CardSection>
  );
};

/** The updates the stack's patch baseline rejects, each of which can be applied after all. */
export const RejectedSection = (props: PatchSettingsProps) => {
  const { inForce, source, rfcLink, newRfcLink } = props;
  const rejected = inForce?.rejectedUpdates ?? [];
  const drifted = inForce?.drift.some(d => d.setting === 'rejectedUpdate');
  if (rejected.length === 0 && !drifted) return null;
  return (
    <CardSection title="Rejected updates" testId="ops-patch-rejected">
      <DriftAlerts
        drift={inForce?.drift}
        settings={['rejectedUpdate']}
        source={source}
        rfcLink={rfcLink}
      />
      {rejected.length === 0 && (
        <Typography variant="body2">
          The patch baseline in {whereSettingsAre(source)} rejects no updates.
        </Typography>
      )}
      {rejected.map(r => (
        <Box
          key={r.updateId}
          display="flex"
          alignItems="baseline"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Typography variant="body2">
            <strong>{r.updateId}</strong>
          </Typography>
          <Typography variant="caption" color="textSecondary">
            rejected by patch baseline {r.baselineId}
          </Typography>
          {r.rfcId && <SetBy rfcId={r.rfcId} rfcLink={rfcLink} />}
          <Link
            to={newRfcLink(OPS_CHANGE_TYPES.applyUpdate, {
              updateId: r.updateId,
            })}
            aria-label={`Apply ${r.updateId} after all`}
          >
            Apply it after all
          </Link>
        </Box>
      ))}
    </CardSection>
  );
};

/**
 * Whether the stack is excluded from patching, as its maintenance window in
 * AWS says (disabled, until when), and which instances patching cannot reach.
 */
export const ExclusionSection = (
  props: PatchSettingsProps & { data: PatchSnapshot; now: Date },
) => {
  const classes = useStyles();
  const { inForce, source, data, rfcLink, newRfcLink, now } = props;
  const window = inForce?.maintenanceWindow;
  const until = window?.excludedUntil;
  const untilInFuture =
    until !== undefined && patchingExclusionEndsAt(until) > now.getTime();
  const excluded = Boolean(window && (untilInFuture || !window.enabled));

  let status;
  if (!inForce) {
    status = <NotReadYet />;
  } else if (!excluded) {
    status = <StatusOK>Not excluded from patching</StatusOK>;
  } else if (untilInFuture) {
    status = (
      <StatusWarning>
        Excluded from patching until {formatDate(until)}: the maintenance window
        is disabled
      </StatusWarning>
    );
  } else {
    status = (
      <StatusWarning>
        Excluded from patching: the maintenance window is disabled
        {until ? `, though the exclusion ended ${formatDate(until)}` : ''}
      </StatusWarning>
    );
  }

  return (
    <CardSection title="Exclusions" testId="ops-patch-exclusion">
      <DriftAlerts
        drift={inForce?.drift}
        settings={['patchingExclusion']}
        source={source}
        rfcLink={rfcLink}
      />
      {status}
      {excluded && window?.rfcId && (
        <Box>
          <SetBy rfcId={window.rfcId} rfcLink={rfcLink} />
        </Box>
      )}
      <Typography variant="body2">
        {data.unmanagedInstanceIds.length > 0
          ? `Not under patch management: ${data.unmanagedInstanceIds.join(
              ', ',
            )}`
          : 'Every instance is under patch management.'}
      </Typography>
      <Box className={classes.actions}>
        {excluded ? (
          <Link to={newRfcLink(OPS_CHANGE_TYPES.includeInPatching)}>
            Include in patching again
          </Link>
        ) : (
          <Link to={newRfcLink(OPS_CHANGE_TYPES.excludeFromPatching)}>
            Exclude from patching
          </Link>
        )}
      </Box>
    </CardSection>
  );
};
