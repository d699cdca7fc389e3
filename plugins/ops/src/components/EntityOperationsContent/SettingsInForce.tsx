import { Link } from '@backstage/core-components';
import type {
  DriftedSetting,
  OperationsSection,
  OperationsSource,
  SettingDrift,
  SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { formatTime, relativeTime } from '../shared/time';
import { SourceLabel } from './OperationsCard';

const useStyles = makeStyles(theme => ({
  status: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(2),
  },
  alert: { marginBottom: theme.spacing(1) },
}));

/** "AWS" or "the sandbox": where the settings in force were read. */
export function whereSettingsAre(source?: OperationsSource | null): string {
  return source === 'sandbox' ? 'the sandbox' : 'AWS';
}

/** A link to the RFC a setting came from, named by the RFC's id. */
export const SetBy = (props: {
  rfcId: string;
  rfcLink: (id: string) => string;
}) => (
  <Typography variant="caption" color="textSecondary">
    set by <Link to={props.rfcLink(props.rfcId)}>{props.rfcId}</Link>
  </Typography>
);

/**
 * Where the settings in force come from and when they were read, and why
 * they are stale or missing, like the header of an Operations card.
 */
export const SettingsReadStatus = (props: {
  section?: OperationsSection<SettingsSnapshot>;
  testId: string;
}) => {
  const classes = useStyles();
  const { section, testId } = props;
  if (!section?.data) {
    return (
      <Box className={classes.status} data-testid={testId}>
        {section?.error ? (
          <Alert severity="error" data-testid={`${testId}-error`}>
            The settings in force could not be read: {section.error}
          </Alert>
        ) : (
          <Typography variant="caption" color="textSecondary">
            The settings in force have not been read yet. Use Refresh to read
            them now.
          </Typography>
        )}
      </Box>
    );
  }
  return (
    <Box data-testid={testId}>
      <Box className={classes.status}>
        <SourceLabel source={section.source} />
        <Typography
          variant="caption"
          color="textSecondary"
          title={formatTime(section.refreshedAt)}
        >
          Settings in force in {whereSettingsAre(section.source)}, read{' '}
          {relativeTime(section.refreshedAt)}
        </Typography>
      </Box>
      {section.stale && (
        <Box mt={1}>
          <Alert severity="warning" data-testid={`${testId}-stale`}>
            Stale: the last read of the settings in force failed
            {section.error ? ` (${section.error})` : ''}. Showing settings from{' '}
            {relativeTime(section.refreshedAt)}.
          </Alert>
        </Box>
      )}
    </Box>
  );
};

/**
 * One warning per drift entry of the given settings: what the RFC set, what
 * AWS (or the sandbox) holds, and the RFC to look at.
 */
export const DriftAlerts = (props: {
  drift?: SettingDrift[];
  settings: DriftedSetting[];
  source?: OperationsSource | null;
  rfcLink: (id: string) => string;
}) => {
  const classes = useStyles();
  const entries = (props.drift ?? []).filter(d =>
    props.settings.includes(d.setting),
  );
  if (entries.length === 0) return null;
  const where = whereSettingsAre(props.source);
  return (
    <>
      {entries.map(d => (
        <Alert
          key={`${d.setting}:${d.updateId ?? ''}`}
          severity="warning"
          className={classes.alert}
          data-testid="ops-settings-drift"
        >
          <AlertTitle>{d.message}</AlertTitle>
          <Typography variant="body2">
            The RFCs set: {d.expected ?? 'nothing'}
            {d.rfcId && (
              <>
                {' '}
                — see <Link to={props.rfcLink(d.rfcId)}>{d.rfcId}</Link>
              </>
            )}
          </Typography>
          <Typography variant="body2">
            {where === 'AWS' ? 'AWS' : 'The sandbox'} has:{' '}
            {d.actual ?? 'nothing'}
          </Typography>
        </Alert>
      ))}
    </>
  );
};
