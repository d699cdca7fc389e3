import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Resource type of RFCs in the permission framework. Resource refs are RFC
 * ids such as `RFC-000123`.
 *
 * @public
 */
export const RFC_RESOURCE_TYPE = 'ops-rfc';

/** Create an RFC, edit it and submit it. @public */
export const rfcCreatePermission = createPermission({
  name: 'ops.rfc.create',
  attributes: { action: 'create' },
});

/** Read RFCs, their history, the change calendar and change types. @public */
export const rfcReadPermission = createPermission({
  name: 'ops.rfc.read',
  attributes: { action: 'read' },
});

/**
 * Approve or reject an RFC. Conditional on the RFC: the approving side, and
 * never the requester.
 *
 * @public
 */
export const rfcApprovePermission = createPermission({
  name: 'ops.rfc.approve',
  attributes: { action: 'update' },
  resourceType: RFC_RESOURCE_TYPE,
});

/** Cancel an RFC before it runs. @public */
export const rfcCancelPermission = createPermission({
  name: 'ops.rfc.cancel',
  attributes: { action: 'update' },
  resourceType: RFC_RESOURCE_TYPE,
});

/**
 * Start an approved RFC of a manual change type and record its outcome.
 * Automated change types are started and completed by the executor only.
 *
 * @public
 */
export const rfcExecutePermission = createPermission({
  name: 'ops.rfc.execute',
  attributes: { action: 'update' },
  resourceType: RFC_RESOURCE_TYPE,
});

/**
 * Schedule a failed RFC again, as a new execution attempt. Asking for a
 * retry is not carrying the change out, so the requester may.
 *
 * @public
 */
export const rfcRetryPermission = createPermission({
  name: 'ops.rfc.retry',
  attributes: { action: 'update' },
  resourceType: RFC_RESOURCE_TYPE,
});

/**
 * Names of the conditional rules the ops backend registers for RFCs, for
 * policies that build conditions without importing the backend.
 *
 * @public
 */
export const RFC_PERMISSION_RULES = {
  /** params `{ claims: string[] }`: the RFC's approving group is one of them */
  isApprovingSide: 'IS_APPROVING_SIDE',
  /** params `{ userEntityRef: string }`: the RFC was requested by this user */
  isRequester: 'IS_REQUESTER',
  /** params `{ claims: string[] }`: the RFC's owning group is one of them */
  isOwner: 'IS_OWNER',
} as const;

/** Resolve an incident by hand. @public */
export const incidentResolvePermission = createPermission({
  name: 'ops.incident.resolve',
  attributes: { action: 'update' },
});

/** Record a problem's root cause, remediation and status. @public */
export const problemUpdatePermission = createPermission({
  name: 'ops.problem.update',
  attributes: { action: 'update' },
});

/** Open a service request for one's own team. @public */
export const serviceRequestCreatePermission = createPermission({
  name: 'ops.service-request.create',
  attributes: { action: 'create' },
});

/**
 * Reply to or close a service request. The backend also requires the caller
 * to be on the request's team or in Central IT.
 *
 * @public
 */
export const serviceRequestReplyPermission = createPermission({
  name: 'ops.service-request.reply',
  attributes: { action: 'update' },
});

/**
 * Read monthly service reports. The backend also limits a caller to their
 * own teams' reports unless they are in Central IT.
 *
 * @public
 */
export const reportReadPermission = createPermission({
  name: 'ops.report.read',
  attributes: { action: 'read' },
});

/**
 * Read, verify and export the hash-chained audit log of every RFC event and
 * change-type governance decision: for Central IT and auditors.
 *
 * @public
 */
export const auditReadPermission = createPermission({
  name: 'ops.audit.read',
  attributes: { action: 'read' },
});

/**
 * Declare, change and lift freeze windows. The backend also limits a team
 * to freezes of its own entities; Central IT may freeze anything.
 *
 * @public
 */
export const freezeManagePermission = createPermission({
  name: 'ops.freeze.manage',
  attributes: { action: 'update' },
});

/**
 * Write the post-implementation review of an emergency RFC. The backend also
 * requires the caller to be on the owning team or in Central IT.
 *
 * @public
 */
export const rfcReviewPermission = createPermission({
  name: 'ops.rfc.review',
  attributes: { action: 'update' },
  resourceType: RFC_RESOURCE_TYPE,
});

/**
 * Create and revoke one's own tokens for the iCalendar feed of the change
 * schedule.
 *
 * @public
 */
export const calendarFeedTokenPermission = createPermission({
  name: 'ops.calendar.feed-token',
  attributes: { action: 'create' },
});

/**
 * Every permission of the ops plugin.
 *
 * @public
 */
export const opsPermissions = [
  rfcCreatePermission,
  rfcReadPermission,
  rfcApprovePermission,
  rfcCancelPermission,
  rfcExecutePermission,
  rfcRetryPermission,
  incidentResolvePermission,
  problemUpdatePermission,
  serviceRequestCreatePermission,
  serviceRequestReplyPermission,
  reportReadPermission,
  auditReadPermission,
  freezeManagePermission,
  rfcReviewPermission,
  calendarFeedTokenPermission,
];
