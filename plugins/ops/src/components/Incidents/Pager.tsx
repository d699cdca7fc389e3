import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import ChevronLeft from '@material-ui/icons/ChevronLeft';
import ChevronRight from '@material-ui/icons/ChevronRight';

/** Previous and next page of a list read with limit and offset. */
export const Pager = (props: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) => {
  const { offset, limit, total, onChange } = props;
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return (
    <Box display="flex" alignItems="center" justifyContent="flex-end" mt={1}>
      <Typography variant="body2" color="textSecondary">
        {total === 0 ? 0 : offset + 1}–{last} of {total}
      </Typography>
      <IconButton
        aria-label="Previous page"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        <ChevronLeft />
      </IconButton>
      <IconButton
        aria-label="Next page"
        disabled={last >= total}
        onClick={() => onChange(offset + limit)}
      >
        <ChevronRight />
      </IconButton>
    </Box>
  );
};
