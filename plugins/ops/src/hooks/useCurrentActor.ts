import {
  configApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import type { RfcActor } from '@cloud-ops/plugin-ops-common';
import useAsync from 'react-use/esm/useAsync';

/** Default of the `ops.centralIt.group` config key. */
export const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/**
 * The signed-in user as the RFC state machine sees them, and the Central IT
 * group from config.
 */
export function useCurrentActor() {
  const identityApi = useApi(identityApiRef);
  const configApi = useApi(configApiRef);
  const centralItGroup =
    configApi.getOptionalString('ops.centralIt.group') ??
    DEFAULT_CENTRAL_IT_GROUP;
  const { value, loading, error } = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    const actor: RfcActor = {
      kind: 'user',
      userEntityRef: identity.userEntityRef,
      ownershipEntityRefs: identity.ownershipEntityRefs,
    };
    return actor;
  }, [identityApi]);
  return { actor: value, loading, error, centralItGroup };
}
