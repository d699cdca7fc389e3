import type { ChangeClass } from '@cloud-ops/plugin-ops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  chip: { fontWeight: 600, margin: 0 },
  standard: {},
  normal: { backgroundColor: theme.palette.info.light, color: '#fff' },
  emergency: { backgroundColor: theme.palette.error.main, color: '#fff' },
}));

/** Readable names of the change classes. */
export const CHANGE_CLASS_LABELS: Record<ChangeClass, string> = {
  standard: 'Standard',
  normal: 'Normal',
  emergency: 'Emergency',
};

/**
 * Standard, normal or emergency as a chip; nothing for RFCs recorded before
 * changes were classed.
 */
export const ChangeClassChip = ({
  changeClass,
}: {
  changeClass?: ChangeClass;
}) => {
  const classes = useStyles();
  if (!changeClass) return null;
  return (
    <Chip
      size="small"
      variant={changeClass === 'standard' ? 'outlined' : 'default'}
      label={CHANGE_CLASS_LABELS[changeClass] ?? changeClass}
      className={`${classes.chip} ${classes[changeClass] ?? ''}`}
    />
  );
};
