import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_AWS_TAG_SELECTOR,
  RESERVED_AWS_TAGS,
} from '@cloud-ops/plugin-ops-common';
import { parseTagSelector } from './targets';

/**
 * The stacks the suite provisioned, as the sandbox sees them: the catalog's
 * stack Resources (ingested from the sandbox Service Catalog), each tagged
 * with the components it belongs to (`spec.dependencyOf`), as AWS would tag
 * them with `cloud-ops.io/entity-ref`.
 */
export function provisionedStacksFromCatalog(options: {
  catalog: CatalogService;
  auth: AuthService;
}) {
  return async () => {
    // Listing stacks is account-wide work for the refresh, not a user's read.
    const credentials = await options.auth.getOwnServiceCredentials();
    const { items } = await options.catalog.getEntities(
      {
        filter: { kind: 'resource', 'spec.type': 'stack' },
        fields: ['metadata.annotations', 'spec.dependencyOf'],
      },
      { credentials },
    );
    return items.flatMap(entity => {
      const annotations = entity.metadata.annotations ?? {};
      const dependencyOf = (entity.spec as { dependencyOf?: unknown })
        ?.dependencyOf;
      let tags: Array<{ Key: string; Value: string }>;
      try {
        tags = Object.entries(
          parseTagSelector(annotations[ANNOTATION_AWS_TAG_SELECTOR] ?? ''),
        ).map(([Key, Value]) => ({ Key, Value }));
      } catch {
        return [];
      }
      return (Array.isArray(dependencyOf) ? dependencyOf : [])
        .filter((ref): ref is string => typeof ref === 'string')
        .map(ref => ({
          tags: [...tags, { Key: RESERVED_AWS_TAGS.entityRef, Value: ref }],
          account: annotations[ANNOTATION_AWS_ACCOUNT],
          region: annotations[ANNOTATION_AWS_REGION],
        }));
    });
  };
}
