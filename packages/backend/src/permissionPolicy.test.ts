import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  type PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { rfcPermissionRules } from '@cloud-ops/plugin-ops-backend';
import {
  incidentResolvePermission,
  problemUpdatePermission,
  reportReadPermission,
  serviceRequestCreatePermission,
  serviceRequestReplyPermission,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcCreatePermission,
  rfcExecutePermission,
  rfcReadPermission,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import { PortalPermissionPolicy } from './permissionPolicy';

const CENTRAL_IT = 'group:default/central-it';
const PAYMENTS = 'group:default/payments';

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
const wei = user('wei', 'group:default/web');
const omar = user('omar', CENTRAL_IT);

const rules = Object.values(rfcPermissionRules);
const authorize = createConditionAuthorizer<Rfc>({
  getRuleByName: name => {
    const rule = rules.find(r => r.name === name);
    if (!rule) throw new Error(`no rule ${name}`);
    return rule as any;
  },
});

const rfc = (overrides: Partial<Rfc>): Rfc =>
  ({
    id: 'RFC-000001',
    requester: 'user:default/ana',
    ownerGroup: PAYMENTS,
    origin: 'user',
    approverGroup: CENTRAL_IT,
    status: 'PendingApproval',
    ...overrides,
  } as Rfc);

describe('PortalPermissionPolicy', () => {
  const policy = new PortalPermissionPolicy({ centralItGroup: CENTRAL_IT });
  const allowed = async (
    permission: any,
    who: PolicyQueryUser,
    resource: Rfc,
  ) => {
    const decision = await policy.handle({ permission }, who);
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return authorize(decision, resource);
    }
    return decision.result === AuthorizeResult.ALLOW;
  };

  it('denies anyone not signed in', async () => {
    expect(await policy.handle({ permission: rfcReadPermission })).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('lets signed-in users create and read RFCs', async () => {
    for (const permission of [rfcCreatePermission, rfcReadPermission]) {
      expect(await policy.handle({ permission }, wei)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('routes user RFCs to Central IT', async () => {
    const userRfc = rfc({});
    expect(await allowed(rfcApprovePermission, omar, userRfc)).toBe(true);
    expect(await allowed(rfcApprovePermission, priya, userRfc)).toBe(false);
    expect(await allowed(rfcApprovePermission, ana, userRfc)).toBe(false);
    expect(await allowed(rfcApprovePermission, wei, userRfc)).toBe(false);
  });

  it('routes Central IT RFCs to the owning team, never the requester', async () => {
    const centralItRfc = rfc({
      requester: 'user:default/omar',
      origin: 'central-it',
      approverGroup: PAYMENTS,
    });
    expect(await allowed(rfcApprovePermission, priya, centralItRfc)).toBe(true);
    expect(await allowed(rfcApprovePermission, omar, centralItRfc)).toBe(false);
    expect(await allowed(rfcApprovePermission, wei, centralItRfc)).toBe(false);

    const ownRfc = rfc({
      requester: 'user:default/priya',
      approverGroup: PAYMENTS,
    });
    expect(await allowed(rfcApprovePermission, priya, ownRfc)).toBe(false);
    expect(await allowed(rfcApprovePermission, ana, ownRfc)).toBe(true);
  });

  it('lets the requester, the owning team and Central IT cancel and execute', async () => {
    const userRfc = rfc({ requester: 'user:default/ana' });
    for (const permission of [rfcCancelPermission, rfcExecutePermission]) {
      expect(await allowed(permission, ana, userRfc)).toBe(true);
      expect(await allowed(permission, priya, userRfc)).toBe(true);
      expect(await allowed(permission, omar, userRfc)).toBe(true);
      expect(await allowed(permission, wei, userRfc)).toBe(false);
    }
  });

  it('leaves resolving incidents and updating problems to Central IT', async () => {
    for (const permission of [
      incidentResolvePermission,
      problemUpdatePermission,
    ]) {
      expect((await policy.handle({ permission }, omar)).result).toBe(
        AuthorizeResult.ALLOW,
      );
      expect((await policy.handle({ permission }, ana)).result).toBe(
        AuthorizeResult.DENY,
      );
    }
  });

  it('lets signed-in users open and answer service requests and read reports', async () => {
    for (const permission of [
      serviceRequestCreatePermission,
      serviceRequestReplyPermission,
      reportReadPermission,
    ]) {
      expect((await policy.handle({ permission }, wei)).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });

  it('allows permissions outside the suite to signed-in users', async () => {
    const other = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(await policy.handle({ permission: other }, wei)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
