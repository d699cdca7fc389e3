import {
  InfoCard,
  MissingAnnotationEmptyState,
} from '@backstage/core-components';
import type {
  OperationsReadNotes,
  OperationsSection,
  OperationsSource,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import Skeleton from '@material-ui/lab/Skeleton';
import type { ReactNode } from 'react';
import { errorMessage } from '../shared/errors';
import { formatTime, relativeTime } from '../shared/time';

const useStyles = makeStyles(theme => ({
  card: { height: '100%' },
  meta: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  sandbox: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText ?? '#000',
    fontWeight: 600,
  },
}));

/** Says where data comes from; sandbox data stands out, as it is simulated. */
export const SourceLabel = (props: { source?: OperationsSource | null }) => {
  const classes = useStyles();
  if (props.source === 'sandbox') {
    return (
      <Chip
        size="small"
        className={classes.sandbox}
        label="Sandbox data"
        title="Simulated by the sandbox AWS account, not read from AWS"
      />
    );
  }
  return props.source === 'aws' ? <Chip size="small" label="AWS" /> : null;
};

/** How a card names the AWS source of a partial failure. */
const SOURCE_NAMES: Record<string, string> = {
  'aws-backup': 'AWS Backup',
  'ebs-snapshots': 'EBS snapshots',
  'rds-snapshots': 'RDS snapshots',
  'maintenance-windows': 'Maintenance windows',
  'pending-updates': 'Missing-patch lists',
};

/**
 * What the read that produced the data could not use: a source that failed
 * while the others were read, and resources whose ARN was not understood.
 */
const ReadNotes = (props: { notes: OperationsReadNotes; testId: string }) => {
  const { warnings = [], notUnderstood } = props.notes;
  if (!warnings.length && !notUnderstood?.count) return null;
  return (
    <Box mb={2} data-testid={`${props.testId}-notes`}>
      {warnings.map(w => (
        <Alert
          key={w.source}
          severity="warning"
          data-testid={`${props.testId}-warning-${w.source}`}
        >
          {SOURCE_NAMES[w.source] ?? w.source} could not be read ({w.error})
          {w.resourcesLeftOut
            ? `; ${w.resourcesLeftOut} ${
                w.resourcesLeftOut === 1 ? 'resource is' : 'resources are'
              } not shown.`
            : '; the rest is shown.'}
        </Alert>
      ))}
      {notUnderstood?.count ? (
        <Alert
          severity="info"
          data-testid={`${props.testId}-not-understood`}
          title={notUnderstood.examples.join('\n')}
        >
          {notUnderstood.count}{' '}
          {notUnderstood.count === 1 ? 'resource' : 'resources'} not understood,
          e.g. {notUnderstood.examples[0]}
        </Alert>
      ) : null}
    </Box>
  );
};

/** An empty state sized for a card rather than a page. */
const Quiet = (props: {
  title: string;
  description?: string | JSX.Element;
}) => (
  <Box py={2} textAlign="center">
    <Typography variant="subtitle1">{props.title}</Typography>
    {props.description && (
      <Typography variant="body2" color="textSecondary" component="div">
        {props.description}
      </Typography>
    )}
  </Box>
);

/** What a card can know about where its data comes from. */
export type CardState = {
  loading?: boolean;
  /** The request the card's data comes from failed. */
  error?: Error;
  /** The annotation this card needs and the entity lacks. */
  missingAnnotation?: string;
  /** An AWS-backed section: its source, freshness and last read error. */
  section?: OperationsSection<unknown>;
  /**
   * Where the data comes from when it is not a section of its own, e.g.
   * incidents opened from the alarms section; labels sandbox data.
   */
  source?: OperationsSource | null;
};

/**
 * The frame every Operations card shares: title, where the data comes from
 * (sandbox or AWS) and how fresh it is, and the loading, error,
 * missing-annotation and stale states. Children render only with data.
 */
export const OperationsCard = (props: {
  title: string;
  testId: string;
  state: CardState;
  /** Shown instead of children when there is nothing to show. */
  empty?: { title: string; description?: string | JSX.Element };
  /** What the error state says could not be loaded. */
  errorSubject?: string;
  action?: ReactNode;
  children?: ReactNode;
}) => {
  const classes = useStyles();
  const { title, testId, state, empty, action, children } = props;
  const errorSubject = props.errorSubject ?? 'operations data';
  const section = state.section;

  const body = (): ReactNode => {
    if (state.loading) {
      return (
        <Box data-testid={`${testId}-loading`}>
          <Skeleton variant="rect" height={24} />
          <Skeleton variant="text" />
          <Skeleton variant="text" />
        </Box>
      );
    }
    if (state.error) {
      return (
        <Alert severity="error" data-testid={`${testId}-error`}>
          Could not load {errorSubject}: {errorMessage(state.error)}
        </Alert>
      );
    }
    if (state.missingAnnotation) {
      return (
        <MissingAnnotationEmptyState
          annotation={state.missingAnnotation}
          readMoreUrl="/docs"
        />
      );
    }
    if (section && section.data === null) {
      return (
        <Quiet
          title={section.error ? 'No data could be read yet' : 'Not read yet'}
          description={
            section.error ??
            'The scheduled read has not reached this entity yet. Use Refresh to read it now.'
          }
        />
      );
    }
    if (empty) {
      return <Quiet title={empty.title} description={empty.description} />;
    }
    return children;
  };

  const source = section?.source ?? state.source;
  const shown = !state.loading && !state.error && !state.missingAnnotation;
  const meta =
    (section || source) &&
    !state.loading &&
    !state.error &&
    !state.missingAnnotation ? (
      <Box className={classes.meta}>
        <SourceLabel source={source} />
        {section?.refreshedAt && (
          <Typography
            variant="caption"
            color="textSecondary"
            title={formatTime(section.refreshedAt)}
          >
            Read {relativeTime(section.refreshedAt)}
          </Typography>
        )}
      </Box>
    ) : undefined;

  return (
    <InfoCard
      title={title}
      subheader={meta}
      action={action}
      className={classes.card}
      variant="gridItem"
    >
      <div data-testid={testId}>
        {section?.stale &&
          section.data !== null &&
          !state.loading &&
          !state.error &&
          !state.missingAnnotation && (
            <Box mb={2}>
              <Alert severity="warning" data-testid={`${testId}-stale`}>
                Stale: the last read failed
                {section.error ? ` (${section.error})` : ''}. Showing data from{' '}
                {relativeTime(section.refreshedAt)}.
              </Alert>
            </Box>
          )}
        {shown && section?.data ? (
          <ReadNotes
            notes={section.data as OperationsReadNotes}
            testId={testId}
          />
        ) : null}
        {body()}
      </div>
    </InfoCard>
  );
};
