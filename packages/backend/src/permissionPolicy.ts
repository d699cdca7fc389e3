import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  type PermissionCondition,
  type PermissionCriteria,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  RFC_PERMISSION_RULES,
  RFC_RESOURCE_TYPE,
  incidentResolvePermission,
  problemUpdatePermission,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcExecutePermission,
} from '@cloud-ops/plugin-ops-common';

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

type RfcCondition = PermissionCondition<typeof RFC_RESOURCE_TYPE>;

const rfcCondition = (
  rule: string,
  params: Record<string, unknown>,
): RfcCondition => ({
  rule,
  resourceType: RFC_RESOURCE_TYPE,
  params: params as RfcCondition['params'],
});

const rfcDecision = (
  conditions: PermissionCriteria<RfcCondition>,
): PolicyDecision => ({
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'ops',
  resourceType: RFC_RESOURCE_TYPE,
  conditions,
});

/**
 * The portal's permission policy.
 *
 * - Approving or rejecting an RFC: members of the RFC's approving side who
 *   did not request it (Central IT for user RFCs, the owning team for
 *   Central IT RFCs, as the change type says).
 * - Canceling, starting and completing an RFC: its requester, its owning
 *   team, or Central IT.
 * - Resolving incidents and recording problems' root cause and remediation:
 *   Central IT, which is Responsible for both in the RACI table.
 * - Everything else, including creating and reading RFCs, opening and
 *   answering service requests and reading reports: signed-in users. The ops
 *   backend itself limits service requests and reports to the team concerned
 *   and Central IT.
 *
 * The ops backend enforces the same approval rules itself, so a looser
 * policy can never let someone approve their own RFC.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: { centralItGroup: string } = {
      centralItGroup: DEFAULT_CENTRAL_IT_GROUP,
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const claims = user.info.ownershipEntityRefs;
    const userEntityRef = user.info.userEntityRef;

    if (isPermission(request.permission, rfcApprovePermission)) {
      return rfcDecision({
        allOf: [
          rfcCondition(RFC_PERMISSION_RULES.isApprovingSide, { claims }),
          {
            not: rfcCondition(RFC_PERMISSION_RULES.isRequester, {
              userEntityRef,
            }),
          },
        ],
      });
    }

    if (
      isPermission(request.permission, rfcCancelPermission) ||
      isPermission(request.permission, rfcExecutePermission)
    ) {
      if (claims.includes(this.options.centralItGroup)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return rfcDecision({
        anyOf: [
          rfcCondition(RFC_PERMISSION_RULES.isRequester, { userEntityRef }),
          rfcCondition(RFC_PERMISSION_RULES.isOwner, { claims }),
        ],
      });
    }

    if (
      isPermission(request.permission, incidentResolvePermission) ||
      isPermission(request.permission, problemUpdatePermission)
    ) {
      return {
        result: claims.includes(this.options.centralItGroup)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }

    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new PortalPermissionPolicy({
            centralItGroup:
              config.getOptionalString('ops.centralIt.group') ??
              DEFAULT_CENTRAL_IT_GROUP,
          }),
        );
      },
    });
  },
});
