import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogIngestionManagePermission,
  catalogIngestionReadPermission,
  catalogLocationAnalyzePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  type Permission,
  type PermissionCondition,
  type PermissionCriteria,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
  templateDryRunPermission,
  templateManagementPermission,
  templateParameterReadPermission,
  templateStepReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  createOpsCatalogConditionalDecision,
  opsCatalogConditions,
} from '@cloud-ops/plugin-catalog-backend-module-ops';
import {
  RFC_PERMISSION_RULES,
  RFC_RESOURCE_TYPE,
  auditReadPermission,
  incidentResolvePermission,
  problemUpdatePermission,
  reportReadPermission,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcCreatePermission,
  rfcExecutePermission,
  rfcReadPermission,
  rfcRetryPermission,
  rfcReviewPermission,
  freezeManagePermission,
  calendarFeedTokenPermission,
  serviceRequestCreatePermission,
  serviceRequestReplyPermission,
} from '@cloud-ops/plugin-ops-common';

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/** The groups that hold a role in the policy. */
export type PortalRoles = {
  /** Config `ops.centralIt.group`. */
  centralItGroup: string;
  /** Config `ops.platformAdmins.group`; without it nobody administers. */
  platformAdminsGroup?: string;
  /** Config `ops.auditors.group`; without it only Central IT audits. */
  auditorsGroup?: string;
};

type Caller = {
  userEntityRef: string;
  /** The user's own ref and their groups' refs. */
  claims: string[];
  centralIt: boolean;
  platformAdmin: boolean;
  auditor: boolean;
};

type Rule = (caller: Caller, permission: Permission) => PolicyDecision;

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

const signedIn: Rule = () => ALLOW;
const centralIt: Rule = c => (c.centralIt ? ALLOW : DENY);
const platformAdmin: Rule = c => (c.platformAdmin ? ALLOW : DENY);
const centralItOrAuditor: Rule = c => (c.centralIt || c.auditor ? ALLOW : DENY);

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

const isRequester = (c: Caller) =>
  rfcCondition(RFC_PERMISSION_RULES.isRequester, {
    userEntityRef: c.userEntityRef,
  });
const isOwner = (c: Caller) =>
  rfcCondition(RFC_PERMISSION_RULES.isOwner, { claims: c.claims });
const isApprovingSide = (c: Caller) =>
  rfcCondition(RFC_PERMISSION_RULES.isApprovingSide, { claims: c.claims });

/**
 * Role-based change types are visible to their groups only, and change-type
 * templates the catalog refused (ungoverned copies) to nobody but Central IT
 * and platform admins, who fix them.
 */
const readEntity: Rule = (c, permission) => {
  if (c.centralIt || c.platformAdmin) return ALLOW;
  if (!isResourcePermission(permission, 'catalog-entity')) return DENY;
  return createOpsCatalogConditionalDecision(permission, {
    allOf: [
      opsCatalogConditions.isChangeTypeAllowedFor({ claims: c.claims }),
      opsCatalogConditions.isNotRefusedChangeType({}),
    ],
  });
};

/** One's own scaffolder tasks; platform admins see and stop all of them. */
const ownTask: Rule = (c, permission) => {
  if (c.platformAdmin) return ALLOW;
  if (!isResourcePermission(permission, 'scaffolder-task')) return DENY;
  return createScaffolderTaskConditionalDecision(
    permission,
    scaffolderTaskConditions.isTaskOwner({ createdBy: [c.userEntityRef] }),
  );
};

const RULES: Record<string, Rule> = {
  // Reading the catalog; search results are filtered by this permission too.
  [catalogEntityReadPermission.name]: readEntity,
  [catalogLocationReadPermission.name]: signedIn,
  // Changing what the catalog holds, and so which templates exist.
  [catalogEntityCreatePermission.name]: platformAdmin,
  [catalogEntityDeletePermission.name]: platformAdmin,
  [catalogEntityRefreshPermission.name]: platformAdmin,
  [catalogEntityValidatePermission.name]: platformAdmin,
  [catalogLocationCreatePermission.name]: platformAdmin,
  [catalogLocationDeletePermission.name]: platformAdmin,
  [catalogLocationAnalyzePermission.name]: platformAdmin,
  [catalogIngestionReadPermission.name]: platformAdmin,
  [catalogIngestionManagePermission.name]: platformAdmin,

  // Running templates the caller can read in the catalog. Their steps are
  // only those of catalog templates: dry runs, which take any template
  // inline, are for platform admins.
  [templateParameterReadPermission.name]: signedIn,
  [templateStepReadPermission.name]: signedIn,
  [taskCreatePermission.name]: signedIn,
  [actionExecutePermission.name]: signedIn,
  [taskReadPermission.name]: ownTask,
  [taskCancelPermission.name]: ownTask,
  [templateDryRunPermission.name]: platformAdmin,
  [templateManagementPermission.name]: platformAdmin,

  // The ops backend scopes what these return to the owning team, the
  // requester and Central IT, and checks who may ask for what.
  [rfcCreatePermission.name]: signedIn,
  [rfcReadPermission.name]: signedIn,
  [serviceRequestCreatePermission.name]: signedIn,
  [serviceRequestReplyPermission.name]: signedIn,
  [reportReadPermission.name]: signedIn,
  // A team declares freezes of its own entities only; Central IT of
  // anything. Each person manages their own calendar feed tokens.
  [freezeManagePermission.name]: signedIn,
  [calendarFeedTokenPermission.name]: signedIn,

  // Nobody approves their own RFC.
  [rfcApprovePermission.name]: c =>
    rfcDecision({ allOf: [isApprovingSide(c), { not: isRequester(c) }] }),
  [rfcCancelPermission.name]: c =>
    c.centralIt ? ALLOW : rfcDecision({ anyOf: [isRequester(c), isOwner(c)] }),
  // Asking for a failed change to run again is not running it.
  [rfcRetryPermission.name]: c =>
    c.centralIt ? ALLOW : rfcDecision({ anyOf: [isRequester(c), isOwner(c)] }),
  // Writing what an emergency change taught: those who asked and own it.
  [rfcReviewPermission.name]: c =>
    c.centralIt ? ALLOW : rfcDecision({ anyOf: [isRequester(c), isOwner(c)] }),
  // Starting and completing: never the requester, who may not
  // carry out their own change. The ops backend narrows it further: the
  // executor alone runs automated change types, Central IT manual ones.
  [rfcExecutePermission.name]: c =>
    c.centralIt
      ? rfcDecision({ not: isRequester(c) })
      : rfcDecision({ allOf: [isOwner(c), { not: isRequester(c) }] }),

  // Central IT is Responsible for both in the RACI table.
  [incidentResolvePermission.name]: centralIt,
  [problemUpdatePermission.name]: centralIt,
  [auditReadPermission.name]: centralItOrAuditor,
};

// A Map, so that a permission named like an Object property (`constructor`)
// finds no rule.
const RULES_BY_NAME = new Map(Object.entries(RULES));

const memberOf = (claims: string[], group: string | undefined) =>
  Boolean(group) &&
  claims.some(
    ref => ref.toLocaleLowerCase('en-US') === group!.toLocaleLowerCase('en-US'),
  );

/**
 * The portal's permission policy. It denies every permission it does not
 * name, and anyone not signed in. Who may do what is the table in
 * docs/security.md.
 *
 * Service principals never reach a policy: the permissions service answers
 * them itself, from their access restrictions.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): PortalPermissionPolicy {
    return new PortalPermissionPolicy({
      centralItGroup:
        config.getOptionalString('ops.centralIt.group') ??
        DEFAULT_CENTRAL_IT_GROUP,
      platformAdminsGroup: config.getOptionalString('ops.platformAdmins.group'),
      auditorsGroup: config.getOptionalString('ops.auditors.group'),
    });
  }

  constructor(private readonly roles: PortalRoles) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const rule = RULES_BY_NAME.get(request.permission.name);
    if (!user || !rule) {
      return DENY;
    }
    const claims = user.info.ownershipEntityRefs;
    return rule(
      {
        userEntityRef: user.info.userEntityRef,
        claims,
        centralIt: memberOf(claims, this.roles.centralItGroup),
        platformAdmin: memberOf(claims, this.roles.platformAdminsGroup),
        auditor: memberOf(claims, this.roles.auditorsGroup),
      },
      request.permission,
    );
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(PortalPermissionPolicy.fromConfig(config));
      },
    });
  },
});
