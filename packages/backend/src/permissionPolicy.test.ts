import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
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
  catalogPermissions,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
  type Permission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  type PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  actionExecutePermission,
  scaffolderPermissions,
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
  templateDryRunPermission,
  templateManagementPermission,
  templateParameterReadPermission,
  templateStepReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
} from '@cloud-ops/plugin-catalog-backend-module-ops';
import { rfcPermissionRules } from '@cloud-ops/plugin-ops-backend';
import {
  CHANGE_TYPE_ANNOTATIONS,
  opsPermissions,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import { PortalPermissionPolicy } from './permissionPolicy';

const CENTRAL_IT = 'group:default/central-it';
const PAYMENTS = 'group:default/payments';
const WEB = 'group:default/web';
const PLATFORM_ADMINS = 'group:default/platform-admins';
const AUDITORS = 'group:default/auditors';

const user = (name: string, group: string): PolicyQueryUser =>
  ({
    identity: {
      type: 'user',
      userEntityRef: `user:default/${name}`,
      ownershipEntityRefs: [`user:default/${name}`, group],
    },
    info: {
      userEntityRef: `user:default/${name}`,
      ownershipEntityRefs: [`user:default/${name}`, group],
    },
    credentials: {} as any,
    token: 'token',
  } as PolicyQueryUser);

const ana = user('ana', PAYMENTS);
const priya = user('priya', PAYMENTS);
const wei = user('wei', WEB);
const omar = user('omar', CENTRAL_IT);
const lena = user('lena', CENTRAL_IT);
const pat = user('pat', PLATFORM_ADMINS);
const audrey = user('audrey', AUDITORS);
/** No identity: not signed in. */
const nobody = undefined;

const rfc = (overrides: Partial<Rfc>): Rfc =>
  ({
    id: 'RFC-000001',
    requester: 'user:default/ana',
    ownerGroup: PAYMENTS,
    origin: 'user',
    approverGroup: CENTRAL_IT,
    automation: 'manual',
    status: 'PendingApproval',
    ...overrides,
  } as Rfc);

/** Ana asks for a change to a Payments component; Central IT approves. */
const userRfc = rfc({});
/** Omar (Central IT) asks; the owning team approves. */
const centralItRfc = rfc({
  requester: 'user:default/omar',
  origin: 'central-it',
  approverGroup: PAYMENTS,
});
/** Priya asks under a change type her own team approves. */
const ownTeamApprovesRfc = rfc({
  requester: 'user:default/priya',
  approverGroup: PAYMENTS,
});
/** Ana asked before the component moved to the Web team. */
const movedRfc = rfc({ ownerGroup: WEB });

const template = (name: string, allowedGroups?: string): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      [CHANGE_TYPE_ANNOTATIONS.id]: name,
      [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
      [CHANGE_TYPE_ANNOTATIONS.classification]:
        'Management/Access/Stack/Grant access',
      [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
      [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
      [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT4H',
      [CHANGE_TYPE_ANNOTATIONS.risk]: 'medium',
      ...(allowedGroups
        ? { [CHANGE_TYPE_ANNOTATIONS.allowedGroups]: allowedGroups }
        : {}),
    },
  },
  spec: {
    type: 'change-type',
    steps: [
      {
        id: 'rfc',
        action: 'ops:rfc:create',
        input: { changeTypeId: name, parameters: '${{ parameters }}' },
      },
    ],
  },
});
const openTemplate = template('open');
const paymentsTemplate = template('payments-db-admin', 'payments');

const authorizeRfc = createConditionAuthorizer<Rfc>(
  Object.values(rfcPermissionRules) as any,
);
const authorizeEntity = createConditionAuthorizer<Entity>([
  isChangeTypeAllowedForRule,
  isNotRefusedChangeTypeRule,
] as any);

const policy = PortalPermissionPolicy.fromConfig(
  new ConfigReader({
    ops: {
      centralIt: { group: CENTRAL_IT },
      platformAdmins: { group: PLATFORM_ADMINS },
      auditors: { group: AUDITORS },
    },
  }),
);

const decide = (
  permission: Permission,
  who: PolicyQueryUser | undefined,
  on: PortalPermissionPolicy = policy,
) => on.handle({ permission }, who);

/** Whether `who` may, on `resource` where the decision is conditional. */
async function allowed(
  permission: Permission,
  who: PolicyQueryUser | undefined,
  resource?: Rfc | Entity,
  on: PortalPermissionPolicy = policy,
): Promise<boolean> {
  const decision: PolicyDecision = await decide(permission, who, on);
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW;
  }
  if (!resource) {
    throw new Error(`${permission.name} is conditional; name a resource`);
  }
  if (decision.pluginId === 'ops') {
    return authorizeRfc(decision, resource as Rfc);
  }
  if (decision.pluginId === 'catalog') {
    return authorizeEntity(decision, resource as Entity);
  }
  throw new Error(`no rules for ${decision.pluginId} conditions`);
}

type Who = PolicyQueryUser | undefined;
type Case = { allowed: [Who, Rfc?][]; denied: [Who, Rfc?][] };

/**
 * Who may and who may not, for every permission of the suite. A permission
 * added to `opsPermissions` without a case here fails the test below.
 */
const OPS_CASES: Record<string, Case> = {
  'ops.rfc.create': { allowed: [[wei]], denied: [[nobody]] },
  'ops.rfc.read': { allowed: [[wei]], denied: [[nobody]] },
  'ops.rfc.approve': {
    allowed: [
      [omar, userRfc],
      [priya, centralItRfc],
      [ana, ownTeamApprovesRfc],
    ],
    denied: [
      [ana, userRfc],
      [priya, userRfc],
      [wei, userRfc],
      [omar, centralItRfc],
      [priya, ownTeamApprovesRfc],
      [nobody, userRfc],
    ],
  },
  'ops.rfc.cancel': {
    allowed: [
      [ana, userRfc],
      [priya, userRfc],
      [lena, userRfc],
      [ana, movedRfc],
    ],
    denied: [
      [wei, userRfc],
      [priya, movedRfc],
      [nobody, userRfc],
    ],
  },
  // Asking for a failed change to run again: the requester may.
  'ops.rfc.retry': {
    allowed: [
      [ana, userRfc],
      [priya, userRfc],
      [lena, userRfc],
      [ana, movedRfc],
    ],
    denied: [
      [wei, userRfc],
      [priya, movedRfc],
      [nobody, userRfc],
    ],
  },
  'ops.rfc.execute': {
    allowed: [
      [lena, userRfc],
      [priya, userRfc],
      [lena, centralItRfc],
    ],
    denied: [
      [ana, userRfc],
      [omar, centralItRfc],
      [wei, userRfc],
      [ana, movedRfc],
      [nobody, userRfc],
    ],
  },
  // What an emergency taught: written by those who asked and own it.
  'ops.rfc.review': {
    allowed: [
      [ana, userRfc],
      [priya, userRfc],
      [lena, userRfc],
      [ana, movedRfc],
    ],
    denied: [
      [wei, userRfc],
      [priya, movedRfc],
      [nobody, userRfc],
    ],
  },
  // The backend limits a team to freezes of its own entities.
  'ops.freeze.manage': { allowed: [[wei], [omar]], denied: [[nobody]] },
  'ops.calendar.feed-token': { allowed: [[wei]], denied: [[nobody]] },
  'ops.incident.resolve': { allowed: [[omar]], denied: [[ana], [pat]] },
  'ops.problem.update': { allowed: [[omar]], denied: [[ana], [pat]] },
  'ops.service-request.create': { allowed: [[wei]], denied: [[nobody]] },
  'ops.service-request.reply': { allowed: [[wei]], denied: [[nobody]] },
  'ops.report.read': { allowed: [[wei]], denied: [[nobody]] },
  'ops.audit.read': {
    allowed: [[omar], [audrey]],
    denied: [[ana], [pat], [nobody]],
  },
};

const name = (who: Who) => who?.info.userEntityRef ?? 'nobody';

describe('PortalPermissionPolicy', () => {
  describe('the suite’s permissions', () => {
    it.each(opsPermissions.map(p => [p.name, p] as const))(
      '%s',
      async (permissionName, permission) => {
        const cases = OPS_CASES[permissionName];
        expect(cases).toBeDefined();
        expect(cases.allowed.length).toBeGreaterThan(0);
        expect(cases.denied.length).toBeGreaterThan(0);
        for (const [who, resource] of cases.allowed) {
          await expect(
            allowed(permission, who, resource).then(ok =>
              ok ? 'allowed' : `denied to ${name(who)} on ${resource?.id}`,
            ),
          ).resolves.toBe('allowed');
        }
        for (const [who, resource] of cases.denied) {
          await expect(
            allowed(permission, who, resource).then(ok =>
              ok ? `allowed to ${name(who)} on ${resource?.id}` : 'denied',
            ),
          ).resolves.toBe('denied');
        }
      },
    );

    it('has no case for a permission the suite does not define', () => {
      expect(Object.keys(OPS_CASES).sort()).toEqual(
        opsPermissions.map(p => p.name).sort(),
      );
    });
  });

  describe('the catalog', () => {
    const changesCatalog = [
      catalogEntityCreatePermission,
      catalogEntityDeletePermission,
      catalogEntityRefreshPermission,
      catalogEntityValidatePermission,
      catalogLocationCreatePermission,
      catalogLocationDeletePermission,
      catalogLocationAnalyzePermission,
      catalogIngestionReadPermission,
      catalogIngestionManagePermission,
    ];

    it('lets only platform admins register, delete, create or refresh', async () => {
      for (const permission of changesCatalog) {
        expect((await decide(permission, pat)).result).toBe(
          AuthorizeResult.ALLOW,
        );
        for (const who of [ana, omar, nobody]) {
          expect((await decide(permission, who)).result).toBe(
            AuthorizeResult.DENY,
          );
        }
      }
    });

    it('has no platform admins unless configured', async () => {
      const unconfigured = PortalPermissionPolicy.fromConfig(
        new ConfigReader({}),
      );
      for (const permission of [
        catalogEntityDeletePermission,
        catalogLocationCreatePermission,
      ]) {
        expect((await decide(permission, pat, unconfigured)).result).toBe(
          AuthorizeResult.DENY,
        );
      }
    });

    it('lets signed-in users read entities and locations', async () => {
      expect(
        await allowed(catalogEntityReadPermission, wei, openTemplate),
      ).toBe(true);
      expect(await allowed(catalogLocationReadPermission, wei)).toBe(true);
      expect(await allowed(catalogEntityReadPermission, nobody)).toBe(false);
      expect(await allowed(catalogLocationReadPermission, nobody)).toBe(false);
    });

    it('shows a role-based change type to its groups, Central IT and platform admins only', async () => {
      expect(
        await allowed(catalogEntityReadPermission, ana, paymentsTemplate),
      ).toBe(true);
      expect(
        await allowed(catalogEntityReadPermission, wei, paymentsTemplate),
      ).toBe(false);
      for (const who of [omar, pat]) {
        expect((await decide(catalogEntityReadPermission, who)).result).toBe(
          AuthorizeResult.ALLOW,
        );
      }
    });

    it('hides change-type templates the catalog refused from all but Central IT and platform admins', async () => {
      const refused = {
        ...openTemplate,
        metadata: {
          ...openTemplate.metadata,
          annotations: {
            ...openTemplate.metadata.annotations,
            [CHANGE_TYPE_ANNOTATIONS.refused]: 'true',
          },
        },
      };
      for (const who of [ana, wei]) {
        expect(await allowed(catalogEntityReadPermission, who, refused)).toBe(
          false,
        );
        expect(
          await allowed(catalogEntityReadPermission, who, openTemplate),
        ).toBe(true);
      }
      for (const who of [omar, pat]) {
        expect(await allowed(catalogEntityReadPermission, who, refused)).toBe(
          true,
        );
      }
    });

    it('covers every catalog permission', () => {
      const named = [
        catalogEntityReadPermission,
        catalogLocationReadPermission,
        ...changesCatalog,
      ].map(p => p.name);
      expect(named.sort()).toEqual(catalogPermissions.map(p => p.name).sort());
    });
  });

  describe('the scaffolder', () => {
    it('lets signed-in users run templates they can read', async () => {
      for (const permission of [
        templateParameterReadPermission,
        templateStepReadPermission,
        taskCreatePermission,
        actionExecutePermission,
      ]) {
        expect((await decide(permission, wei)).result).toBe(
          AuthorizeResult.ALLOW,
        );
        expect((await decide(permission, nobody)).result).toBe(
          AuthorizeResult.DENY,
        );
      }
    });

    it('shows and cancels only one’s own tasks, except to platform admins', async () => {
      for (const permission of [taskReadPermission, taskCancelPermission]) {
        expect(await decide(permission, wei)).toEqual({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'scaffolder',
          resourceType: 'scaffolder-task',
          conditions: {
            rule: 'IS_TASK_OWNER',
            resourceType: 'scaffolder-task',
            params: { createdBy: ['user:default/wei'] },
          },
        });
        expect((await decide(permission, pat)).result).toBe(
          AuthorizeResult.ALLOW,
        );
      }
    });

    it('leaves dry runs and template management to platform admins', async () => {
      for (const permission of [
        templateDryRunPermission,
        templateManagementPermission,
      ]) {
        expect((await decide(permission, pat)).result).toBe(
          AuthorizeResult.ALLOW,
        );
        expect((await decide(permission, omar)).result).toBe(
          AuthorizeResult.DENY,
        );
      }
    });

    it('covers every scaffolder permission', async () => {
      for (const permission of scaffolderPermissions) {
        expect((await decide(permission, pat)).result).not.toBe(
          AuthorizeResult.DENY,
        );
      }
    });
  });

  it('denies a permission it does not know, to everyone', async () => {
    for (const unknown of ['kubernetes.proxy', 'constructor', 'toString']) {
      const permission = createPermission({ name: unknown, attributes: {} });
      for (const who of [wei, omar, pat, audrey]) {
        expect(await decide(permission, who)).toEqual({
          result: AuthorizeResult.DENY,
        });
      }
    }
  });

  it('denies everything to a caller without an identity', async () => {
    for (const permission of [
      ...opsPermissions,
      ...catalogPermissions,
      ...scaffolderPermissions,
    ]) {
      expect(await decide(permission, nobody)).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });
});
