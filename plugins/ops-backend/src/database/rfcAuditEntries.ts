import { rfcAuditSubject, type Rfc } from '@cloud-ops/plugin-ops-common';
import type { AuditEntryInput } from '../services/Audit';
import type { RfcEventInput } from './RfcStore';

/** The RFC as its audit entries record it. */
export type RfcAuditState = Omit<Rfc, 'approvals'>;

/**
 * The RFC as its audit entries record it, before and after each change: the
 * RFC as the API serves it, without its approvals (those are the approve,
 * reject and expire entries themselves) and without the executor's lease and
 * secret hash, which change with no event. So, in an RFC's chain, each
 * entry's `before` is the `after` of the entry before it.
 */
export function rfcAuditState(rfc: Rfc): RfcAuditState {
  const { approvals: _approvals, ...state } = rfc;
  return state;
}

/** The entry of one RFC event, from the state before to the state after. */
export function rfcEventEntry(
  event: RfcEventInput,
  before: RfcAuditState | null,
  after: RfcAuditState,
): AuditEntryInput {
  return {
    subject: rfcAuditSubject(after.id),
    actor: event.actor,
    action: event.action,
    before,
    after,
    details: {
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      comment: event.comment,
    },
  };
}

/**
 * The entries of a new RFC, one per first event. An RFC created and
 * submitted in one step gets a `create` entry whose `after` differs from the
 * stored row in its status only, then the `submit` entry that takes it
 * there. An RFC created without events still gets its `create` entry.
 */
export function rfcCreatedEntries(
  state: RfcAuditState,
  events: RfcEventInput[],
): AuditEntryInput[] {
  const logged: RfcEventInput[] =
    events.length > 0
      ? events
      : [{ actor: state.requester, action: 'create', toStatus: state.status }];
  let before: RfcAuditState | null = null;
  return logged.map((event, i) => {
    const after =
      i === logged.length - 1 ? state : { ...state, status: event.toStatus };
    const entry = rfcEventEntry(event, before, after);
    before = after;
    return entry;
  });
}
