import { createApiRef } from '@backstage/core-plugin-api';

/** Health of the ops backend. @public */
export type OpsHealth = { status: string; database: string };

/**
 * The ops backend as the frontend sees it.
 *
 * @public
 */
export interface OpsApi {
  getHealth(): Promise<OpsHealth>;
}

/** @public */
export const opsApiRef = createApiRef<OpsApi>({ id: 'plugin.ops.api' });
