import { Link, StatusWarning } from '@backstage/core-components';
import type {
  BackupsSnapshot,
  OperationsSection,
  SettingsSnapshot,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import { CardSection } from './CardSection';
import { NewRfcLink, OPS_CHANGE_TYPES } from './changeTypes';
import { formatBackupSchedule } from './format';
import {
  DriftAlerts,
  SetBy,
  SettingsReadStatus,
  whereSettingsAre,
} from './SettingsInForce';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
}));

/**
 * The stack's backup schedule as its AWS Backup plan holds it, with the RFC
 * that set it and where it differs from the RFCs; without a plan of its
 * own, the plans its resources are backed up by.
 */
export const BackupScheduleSection = (props: {
  data: BackupsSnapshot;
  inForce?: OperationsSection<SettingsSnapshot>;
  rfcLink: (id: string) => string;
  newRfcLink: NewRfcLink;
}) => {
  const classes = useStyles();
  const { data, inForce, rfcLink, newRfcLink } = props;
  const settings = inForce?.data;
  const plan = settings?.backupPlan;
  const chosen = plan?.backupSchedule;
  const resourcePlans = [
    ...new Map(
      data.resources.flatMap(r => (r.plan ? [[r.plan.id, r.plan]] : [])),
    ).values(),
  ];

  let schedule: ReactNode;
  if (plan) {
    schedule = (
      <>
        <Typography variant="body1">
          <strong>
            {chosen ? formatBackupSchedule(chosen) : plan.schedule}
          </strong>{' '}
          {plan.rfcId && <SetBy rfcId={plan.rfcId} rfcLink={rfcLink} />}
        </Typography>
        <Typography variant="caption" color="textSecondary" display="block">
          AWS Backup plan {plan.name}
        </Typography>
      </>
    );
  } else if (resourcePlans.length > 0) {
    schedule = (
      <Typography variant="body2">
        From the backup plan{resourcePlans.length > 1 ? 's' : ''}:{' '}
        {resourcePlans
          .map(p => (p.schedule ? `${p.name} (${p.schedule})` : p.name))
          .join(', ')}
      </Typography>
    );
  } else if (settings) {
    schedule = (
      <StatusWarning>
        No backup schedule set in {whereSettingsAre(inForce?.source)} for this
        entity.
      </StatusWarning>
    );
  }

  return (
    <CardSection title="Backup schedule" testId="ops-backups-schedule">
      <DriftAlerts
        drift={settings?.drift}
        settings={['backupSchedule']}
        source={inForce?.source}
        rfcLink={rfcLink}
      />
      {schedule}
      <SettingsReadStatus section={inForce} testId="ops-backups-settings" />
      <Box className={classes.actions}>
        <Link
          to={newRfcLink(
            OPS_CHANGE_TYPES.setBackupSchedule,
            chosen
              ? {
                  frequency: chosen.frequency,
                  startTime: chosen.startTime,
                  retentionDays: String(chosen.retentionDays),
                }
              : undefined,
          )}
        >
          {plan ? 'Change schedule' : 'Choose a schedule'}
        </Link>
      </Box>
    </CardSection>
  );
};
