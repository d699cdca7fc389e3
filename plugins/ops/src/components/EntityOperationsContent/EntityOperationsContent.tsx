import {
  InfoCard,
  MissingAnnotationEmptyState,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ANNOTATION_AWS_TAG_SELECTOR } from '@cloud-ops/plugin-ops-common';
import Grid from '@material-ui/core/Grid';
import { getAwsMapping, isOperationsAvailable } from './isOperationsAvailable';

/**
 * The Operations tab of a component or stack.
 *
 * @public
 */
export const EntityOperationsContent = () => {
  const { entity } = useEntity();

  if (!isOperationsAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState annotation={ANNOTATION_AWS_TAG_SELECTOR} />
    );
  }

  const { tagSelector, account, region } = getAwsMapping(entity);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard title="AWS resources">
          <StructuredMetadataTable
            metadata={{
              'Tag selector': tagSelector ?? '—',
              Account: account ?? 'from config',
              Region: region ?? 'from config',
            }}
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
};
