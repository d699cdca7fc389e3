import type { ChangeTypeApprovalRule } from '../changeType';
import {
  RFC_ACTIONS,
  type Rfc,
  type RfcAction,
  type RfcOrigin,
  type RfcStatus,
} from './types';

/**
 * Who is acting on an RFC: a signed-in user with the groups they belong to,
 * or the system (scheduled work).
 *
 * @public
 */
export type RfcActor =
  | { kind: 'user'; userEntityRef: string; ownershipEntityRefs: string[] }
  | { kind: 'system' };

/** The parts of an RFC the lifecycle rules look at. @public */
export type RfcLifecycleFacts = Pick<
  Rfc,
  | 'status'
  | 'requester'
  | 'ownerGroup'
  | 'approverGroup'
  | 'requestedStartTime'
  | 'automation'
  | 'changeClass'
  | 'review'
  | 'hold'
  | 'requestedEndTime'
>;

/** @public */
export type RfcTransitionContext = {
  rfc: RfcLifecycleFacts;
  actor: RfcActor;
  /** Group entity ref of Central IT (config `ops.centralIt.group`). */
  centralItGroup: string;
  now: Date;
};

/**
 * The answer to "may this actor take this action now?".
 *
 * When refused, `kind` says why: `state` (the RFC is not in a status that
 * allows it), `actor` (this actor may not), or `time` (not before the
 * requested start time).
 *
 * @public
 */
export type RfcTransitionDecision =
  | { allowed: true; to: RfcStatus }
  | { allowed: false; kind: 'state' | 'actor' | 'time'; reason: string };

type Rule = {
  from: readonly RfcStatus[];
  to: (facts: RfcLifecycleFacts) => RfcStatus;
  /** Why the RFC, though in an allowed status, does not allow it. */
  state?: (facts: RfcLifecycleFacts) => string | undefined;
  actor: (ctx: RfcTransitionContext) => string | undefined;
  time?: (ctx: RfcTransitionContext) => string | undefined;
};

const onlySystem = (what: string) => (ctx: RfcTransitionContext) =>
  ctx.actor.kind === 'system' ? undefined : `only the executor ${what}`;

const isUser = (
  actor: RfcActor,
): actor is Extract<RfcActor, { kind: 'user' }> => actor.kind === 'user';

const memberOf = (actor: RfcActor, group: string | undefined) =>
  Boolean(group) && isUser(actor) && actor.ownershipEntityRefs.includes(group!);

const onlyRequester = (what: string) => (ctx: RfcTransitionContext) =>
  isUser(ctx.actor) && ctx.actor.userEntityRef === ctx.rfc.requester
    ? undefined
    : `only the requester (${ctx.rfc.requester}) may ${what} this RFC`;

/** The requester, the owning team or Central IT. */
const stakeholders = (what: string) => (ctx: RfcTransitionContext) => {
  const { actor, rfc, centralItGroup } = ctx;
  if (actor.kind === 'system') {
    return `the system may not ${what} an RFC`;
  }
  if (
    actor.userEntityRef === rfc.requester ||
    memberOf(actor, rfc.ownerGroup) ||
    memberOf(actor, centralItGroup)
  ) {
    return undefined;
  }
  return `only the requester, a member of ${rfc.ownerGroup} or of ${centralItGroup} may ${what} this RFC`;
};

const approvingSide = (what: string) => (ctx: RfcTransitionContext) => {
  const { actor, rfc } = ctx;
  if (!isUser(actor)) {
    return `the system may not ${what} an RFC`;
  }
  if (actor.userEntityRef === rfc.requester) {
    return `nobody may ${what} their own RFC`;
  }
  if (!rfc.approverGroup) {
    return `this RFC needs no approval`;
  }
  if (!memberOf(actor, rfc.approverGroup)) {
    return `only members of ${rfc.approverGroup} may ${what} this RFC`;
  }
  return undefined;
};

/**
 * Who carries out the change: the executor (the system) for automated change
 * types, never a person or another service. Manual ones are carried out by
 * the executing side of the RACI table, Central IT, and never by the
 * requester: a Central IT RFC is carried out by another member of Central IT.
 */
const executingSide = (what: string) => (ctx: RfcTransitionContext) => {
  const { actor, rfc, centralItGroup } = ctx;
  if (rfc.automation === 'automated') {
    return actor.kind === 'system'
      ? undefined
      : `only the executor may ${what} an RFC of an automated change type; it runs at the requested start time`;
  }
  if (!isUser(actor)) {
    return `a person carries out this manual change type; the system may not ${what} it`;
  }
  if (actor.userEntityRef === rfc.requester) {
    return `nobody may ${what} their own RFC; another member of ${centralItGroup} carries it out`;
  }
  if (!memberOf(actor, centralItGroup)) {
    return `only members of ${centralItGroup} carry out RFCs of manual change types`;
  }
  return undefined;
};

const startTimeReached = (ctx: RfcTransitionContext) => {
  const start = ctx.rfc.requestedStartTime;
  if (start && Date.parse(start) > ctx.now.getTime()) {
    return `the requested start time ${start} has not come yet`;
  }
  return undefined;
};

const RULES: Record<RfcAction, Rule> = {
  edit: {
    from: ['Editing'],
    to: () => 'Editing',
    actor: onlyRequester('edit'),
  },
  submit: {
    from: ['Editing'],
    // Without an approving side the RFC is approved on submission.
    to: facts => (facts.approverGroup ? 'PendingApproval' : 'Scheduled'),
    actor: onlyRequester('submit'),
  },
  approve: {
    from: ['PendingApproval'],
    to: () => 'Scheduled',
    actor: approvingSide('approve'),
  },
  reject: {
    from: ['PendingApproval'],
    to: () => 'Rejected',
    actor: approvingSide('reject'),
  },
  cancel: {
    from: ['Editing', 'PendingApproval', 'Scheduled'],
    to: () => 'Canceled',
    actor: stakeholders('cancel'),
  },
  start: {
    from: ['Scheduled'],
    to: () => 'InProgress',
    actor: executingSide('start'),
    time: startTimeReached,
  },
  succeed: {
    from: ['InProgress'],
    to: () => 'Success',
    actor: executingSide('complete'),
  },
  fail: {
    from: ['InProgress'],
    to: () => 'Failure',
    actor: executingSide('complete'),
  },
  // The approval still stands: a retry runs the same approved change again.
  retry: {
    from: ['Failure'],
    to: () => 'Scheduled',
    actor: stakeholders('retry'),
  },
  // Unapproved at its start time, or held by a freeze past its requested end.
  expire: {
    from: ['PendingApproval', 'Scheduled'],
    to: () => 'Rejected',
    state: facts =>
      facts.status === 'Scheduled' && !facts.hold
        ? 'only an RFC a freeze holds expires once approved'
        : undefined,
    actor: ctx =>
      ctx.actor.kind === 'system'
        ? undefined
        : 'only the system rejects RFCs whose start time passed unapproved, or whose requested end passed during a freeze',
    time: ctx => {
      if (ctx.rfc.status === 'Scheduled') {
        const end = ctx.rfc.requestedEndTime;
        if (!end) return 'the RFC has no requested end time';
        return Date.parse(end) > ctx.now.getTime()
          ? `the requested end time ${end} has not come yet`
          : undefined;
      }
      const start = ctx.rfc.requestedStartTime;
      if (!start) {
        return 'the RFC has no requested start time';
      }
      return startTimeReached(ctx);
    },
  },
  // The executor waits for a freeze to end, and stops waiting.
  hold: {
    from: ['Scheduled'],
    to: () => 'Scheduled',
    actor: onlySystem('holds an RFC for a freeze'),
  },
  release: {
    from: ['Scheduled'],
    to: () => 'Scheduled',
    actor: onlySystem('releases an RFC from a freeze'),
  },
  // What an emergency change taught, written once after it ran.
  review: {
    from: ['Success', 'Failure'],
    to: facts => facts.status,
    state: facts => {
      if (facts.changeClass !== 'emergency') {
        return 'only emergency changes have a post-implementation review';
      }
      return facts.review ? 'its review was written already' : undefined;
    },
    actor: stakeholders('review'),
  },
};

/**
 * Decides whether an actor may take an action on an RFC now, and which status
 * follows. This is the one definition of the RFC lifecycle: the backend
 * enforces it and the frontend uses it to offer only allowed actions.
 *
 * @public
 */
export function decideRfcTransition(
  action: RfcAction,
  ctx: RfcTransitionContext,
): RfcTransitionDecision {
  const rule = RULES[action];
  if (!rule.from.includes(ctx.rfc.status)) {
    return {
      allowed: false,
      kind: 'state',
      reason: `cannot ${action} an RFC in status ${
        ctx.rfc.status
      }; allowed from ${rule.from.join(', ')}`,
    };
  }
  const stateProblem = rule.state?.(ctx.rfc);
  if (stateProblem) {
    return {
      allowed: false,
      kind: 'state',
      reason: `cannot ${action} this RFC: ${stateProblem}`,
    };
  }
  const actorProblem = rule.actor(ctx);
  if (actorProblem) {
    return { allowed: false, kind: 'actor', reason: actorProblem };
  }
  const timeProblem = rule.time?.(ctx);
  if (timeProblem) {
    return { allowed: false, kind: 'time', reason: timeProblem };
  }
  return { allowed: true, to: rule.to(ctx.rfc) };
}

/**
 * The actions this actor may take on the RFC now.
 *
 * @public
 */
export function allowedRfcActions(ctx: RfcTransitionContext): RfcAction[] {
  return RFC_ACTIONS.filter(action => decideRfcTransition(action, ctx).allowed);
}

/**
 * Which side must approve an RFC, given the change type's rule and who asked.
 * `none` means the RFC is approved when submitted.
 *
 * @public
 */
export function resolveRfcApprovingSide(options: {
  rule: ChangeTypeApprovalRule;
  origin: RfcOrigin;
  /** The submitter's user and group refs. */
  submitterOwnershipRefs: string[];
  ownerGroup: string;
  centralItGroup: string;
  /** An emergency needs one approval from the other side, whatever the rule. */
  emergency?: boolean;
}): { side: 'central-it' | 'owning-team' | 'none'; group?: string } {
  const { origin, ownerGroup, centralItGroup } = options;
  const rule =
    options.emergency &&
    (options.rule === 'none' || options.rule === 'none-if-submitter-approves')
      ? 'by-origin'
      : options.rule;
  const bySide = (side: 'central-it' | 'owning-team') => ({
    side,
    group: side === 'central-it' ? centralItGroup : ownerGroup,
  });
  switch (rule) {
    case 'none':
      return { side: 'none' };
    case 'central-it':
      return bySide('central-it');
    case 'owning-team':
      return bySide('owning-team');
    case 'by-origin':
      return bySide(origin === 'user' ? 'central-it' : 'owning-team');
    case 'none-if-submitter-approves': {
      const other = bySide(origin === 'user' ? 'central-it' : 'owning-team');
      return options.submitterOwnershipRefs.includes(other.group)
        ? { side: 'none' }
        : other;
    }
    default:
      throw new Error(`Unknown approval rule ${String(rule)}`);
  }
}

/**
 * The origin of an RFC: `central-it` when the requester belongs to the
 * Central IT group.
 *
 * @public
 */
export function resolveRfcOrigin(
  requesterOwnershipRefs: string[],
  centralItGroup: string,
): RfcOrigin {
  return requesterOwnershipRefs.includes(centralItGroup)
    ? 'central-it'
    : 'user';
}
