import Box from '@material-ui/core/Box';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  heading: { marginBottom: theme.spacing(0.5) },
}));

/** A titled part of an Operations card, below a divider. */
export const CardSection = (props: {
  title: string;
  testId: string;
  children: ReactNode;
}) => {
  const classes = useStyles();
  return (
    <Box className={classes.section} data-testid={props.testId}>
      <Divider />
      <Box mt={1.5}>
        <Typography variant="subtitle2" className={classes.heading}>
          {props.title}
        </Typography>
        {props.children}
      </Box>
    </Box>
  );
};
