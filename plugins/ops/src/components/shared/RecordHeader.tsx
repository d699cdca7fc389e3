import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

/**
 * The heading row of a record's page (an incident, a problem, a service
 * request): its id and title, its chips, then links and actions at the right.
 */
export const RecordHeader = (props: {
  title: string;
  /** Chips shown after the title, e.g. priority and status. */
  chips: ReactNode;
  /** Links and buttons, aligned to the right. */
  actions?: ReactNode;
}) => (
  <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 16 }}>
    <Typography variant="h4" component="h2">
      {props.title}
    </Typography>
    {props.chips}
    {props.actions && (
      <>
        <Box flex={1} />
        {props.actions}
      </>
    )}
  </Box>
);
