import {
  decideRfcTransition,
  type Rfc,
  type RfcActor,
} from '@cloud-ops/plugin-ops-common';

/**
 * The RFCs this person may approve now: Central IT sees user RFCs, a team
 * sees Central IT RFCs against its entities. The approving side is on each
 * RFC, so the state machine decides; the server checks again on approval.
 */
export function awaitingApprovalBy(
  rfcs: Rfc[],
  actor: RfcActor,
  centralItGroup: string,
  now = new Date(),
): Rfc[] {
  return rfcs.filter(
    rfc =>
      decideRfcTransition('approve', { rfc, actor, centralItGroup, now })
        .allowed,
  );
}

/**
 * The executed emergencies whose post-implementation review this person may
 * write: the requester, the owning team and Central IT.
 */
export function reviewableBy(
  rfcs: Rfc[],
  actor: RfcActor,
  centralItGroup: string,
  now = new Date(),
): Rfc[] {
  return rfcs.filter(
    rfc =>
      decideRfcTransition('review', { rfc, actor, centralItGroup, now })
        .allowed,
  );
}
