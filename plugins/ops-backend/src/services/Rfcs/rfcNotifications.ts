import type { Rfc } from '@cloud-ops/plugin-ops-common';
import type { OpsNotification } from '../Notifications';

const rfcLink = (rfc: Rfc) => `/ops/rfcs/${encodeURIComponent(rfc.id)}`;

/**
 * Who must be told about an RFC that moved from `before` (absent when it was
 * just created) to `after`, and what to tell them:
 *
 * - it now waits for approval: the approving group, except the requester;
 * - it was approved or rejected (by a person or because it was still
 *   unapproved at its start time): the requester, except whoever decided;
 * - its execution ended, Success or Failure: the requester, except whoever
 *   recorded the outcome.
 */
export function notificationsForTransition(
  before: Rfc | undefined,
  after: Rfc,
  actor: string,
): OpsNotification[] {
  const notes: OpsNotification[] = [];
  const changed = before?.status !== after.status;
  if (!changed) return notes;

  if (after.status === 'PendingApproval' && after.approverGroup) {
    notes.push({
      recipients: [after.approverGroup],
      exclude: [after.requester],
      topic: 'rfc-awaiting-approval',
      title: `${after.id} awaits your approval`,
      description: `${after.title} — ${after.changeTypeId} on ${
        after.targetEntityRef
      }${
        after.requestedStartTime
          ? `, requested to start ${after.requestedStartTime}`
          : ''
      }.`,
      link: rfcLink(after),
      severity: 'high',
    });
  }

  if (before?.status === 'PendingApproval') {
    if (after.status === 'Scheduled') {
      notes.push({
        recipients: [after.requester],
        exclude: [actor],
        topic: 'rfc-decided',
        title: `${after.id} was approved`,
        description: `${after.title} is scheduled${
          after.requestedStartTime
            ? ` to start ${after.requestedStartTime}`
            : ''
        }.`,
        link: rfcLink(after),
      });
    } else if (after.status === 'Rejected') {
      notes.push({
        recipients: [after.requester],
        exclude: [actor],
        topic: 'rfc-decided',
        title: `${after.id} was rejected`,
        description: `${after.title}: ${
          after.statusReason ?? 'no reason given'
        }.`,
        link: rfcLink(after),
        severity: 'high',
      });
    }
  }
  if (before?.status === 'InProgress') {
    if (after.status === 'Success') {
      notes.push({
        recipients: [after.requester],
        exclude: [actor],
        topic: 'rfc-executed',
        title: `${after.id} was carried out`,
        description: `${after.title}${
          after.outcomeNotes ? `: ${after.outcomeNotes}` : '.'
        }`,
        link: rfcLink(after),
      });
    } else if (after.status === 'Failure') {
      notes.push({
        recipients: [after.requester],
        exclude: [actor],
        topic: 'rfc-executed',
        title: `${after.id} failed`,
        description: `${after.title}: ${
          after.statusReason ?? after.outcomeNotes ?? 'no reason given'
        }. It can be retried from its page.`,
        link: rfcLink(after),
        severity: 'high',
      });
    }
  }
  return notes;
}
