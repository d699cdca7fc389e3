import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  RFC_PERMISSION_RULES,
  RFC_RESOURCE_TYPE,
  type Rfc,
} from '@cloud-ops/plugin-ops-common';
import { z } from 'zod';

/**
 * RFC conditions are only evaluated on loaded RFCs (approve, cancel,
 * execute), never turned into list queries, so the query type is unused.
 */
export type RfcQuery = never;

export const rfcResourceRef = createPermissionResourceRef<Rfc, RfcQuery>().with(
  { pluginId: 'ops', resourceType: RFC_RESOURCE_TYPE },
);

const noQuery = (): never => {
  throw new Error('RFC permission conditions cannot be turned into queries');
};

export const isApprovingSide = createPermissionRule({
  name: RFC_PERMISSION_RULES.isApprovingSide,
  description: 'Allow when the RFC is approved by one of the given groups',
  resourceRef: rfcResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Group and user refs of the caller, e.g. ownershipEntityRefs'),
  }),
  apply: (rfc, { claims }) =>
    Boolean(rfc.approverGroup) && claims.includes(rfc.approverGroup!),
  toQuery: noQuery,
});

export const isRequester = createPermissionRule({
  name: RFC_PERMISSION_RULES.isRequester,
  description: 'Allow when the RFC was requested by the given user',
  resourceRef: rfcResourceRef,
  paramsSchema: z.object({
    userEntityRef: z.string().describe('User entity ref of the caller'),
  }),
  apply: (rfc, { userEntityRef }) => rfc.requester === userEntityRef,
  toQuery: noQuery,
});

export const isOwner = createPermissionRule({
  name: RFC_PERMISSION_RULES.isOwner,
  description:
    "Allow when the RFC's target is owned by one of the given groups",
  resourceRef: rfcResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Group and user refs of the caller'),
  }),
  apply: (rfc, { claims }) => claims.includes(rfc.ownerGroup),
  toQuery: noQuery,
});

export const rfcPermissionRules = { isApprovingSide, isRequester, isOwner };
