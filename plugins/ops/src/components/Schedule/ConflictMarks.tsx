import type { CalendarRfc } from '@cloud-ops/plugin-ops-common';
import { makeStyles } from '@material-ui/core/styles';
import BlockIcon from '@material-ui/icons/Block';
import PauseIcon from '@material-ui/icons/PauseCircleOutline';
import FlashIcon from '@material-ui/icons/FlashOn';
import WarningIcon from '@material-ui/icons/Warning';
import { conflictMarks, type ConflictKind } from './calendarModel';

const useStyles = makeStyles(theme => ({
  mark: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: 2,
    fontSize: '0.65rem',
    fontWeight: 600,
    lineHeight: 1.4,
    padding: '0 4px',
    marginRight: 4,
    borderRadius: 3,
    border: '1px solid',
    whiteSpace: 'nowrap',
    verticalAlign: 'middle',
  },
  overlap: {
    color: theme.palette.warning.dark,
    borderColor: theme.palette.warning.main,
  },
  held: {
    color: theme.palette.error.dark,
    borderColor: theme.palette.error.main,
  },
  frozen: {
    color: theme.palette.error.dark,
    borderColor: theme.palette.error.main,
  },
  override: {
    color: theme.palette.secondary.dark,
    borderColor: theme.palette.secondary.main,
  },
  icon: { fontSize: '0.8rem' },
  detail: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
}));

const ICONS: Record<ConflictKind, typeof WarningIcon> = {
  overlap: WarningIcon,
  held: PauseIcon,
  frozen: BlockIcon,
  override: FlashIcon,
};

/**
 * The conflicts of an RFC as labels with an icon, each saying in words what
 * it is: a colour alone says nothing to some readers. With `detailed` the
 * full explanation is shown, otherwise it is in the title and for screen
 * readers.
 */
export const ConflictMarks = (props: {
  rfc: CalendarRfc;
  freezeNames: Map<string, string>;
  detailed?: boolean;
}) => {
  const classes = useStyles();
  const marks = conflictMarks(props.rfc, props.freezeNames);
  if (marks.length === 0) return null;
  return (
    <>
      {marks.map(mark => {
        const Icon = ICONS[mark.kind];
        return (
          <span
            key={mark.kind}
            className={`${classes.mark} ${classes[mark.kind]}`}
            title={`${mark.label}: ${mark.detail}`}
            data-testid={`conflict-${mark.kind}`}
          >
            <Icon className={classes.icon} aria-hidden />
            {mark.label}
            {props.detailed ? (
              <span>: {mark.detail}</span>
            ) : (
              <span className={classes.detail}>: {mark.detail}</span>
            )}
          </span>
        );
      })}
    </>
  );
};
