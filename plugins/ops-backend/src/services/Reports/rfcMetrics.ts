import {
  RFC_STATUSES,
  type ChangeClass,
  type MonthlyServiceReport,
  type PostImplementationReview,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { hoursBetween, summarizeHours } from './stats';

/** Whether a change type is automated; undefined when it is not known. */
export type ChangeTypeAutomationLookup = (
  changeTypeId: string,
) => Promise<'automated' | 'manual' | undefined>;

const SYSTEM = 'system';
const FINISHED: string[] = ['Success', 'Failure'];
const CHUNK = 500;

type RfcRow = {
  seq: number;
  status: string;
  change_type_id: string;
  created_at: string;
  change_class: string | null;
  freeze_override: string | null;
  review: string | null;
  review_due_at: string | null;
};

const CHANGE_CLASSES: ChangeClass[] = ['standard', 'normal', 'emergency'];

type EventRow = {
  id: number;
  rfc_seq: number;
  actor: string;
  action: string;
  to_status: string;
  at: string;
};

/**
 * RFC figures of one team for `[from, to)`, read from the RFC tables: RFCs
 * the team owns that were created in the period, by current status; lead
 * time from creation to the event that finished them; approval time from
 * the last submission to a person's approval; and the share whose change
 * type is automated (unknown change types count as manual).
 */
export async function rfcMetrics(options: {
  db: Knex;
  /** Lower-cased group ref. */
  team: string;
  from: string;
  to: string;
  changeTypeAutomation: ChangeTypeAutomationLookup;
  /** ISO time the report is made at: reviews due before it and not written are overdue. */
  generatedAt: string;
}): Promise<MonthlyServiceReport['rfcs']> {
  const { db, team, from, to } = options;
  // Owner refs are stored as written in the catalog; compare them lower-cased.
  const rfcs = (await db('ops_rfcs')
    .select(
      'seq',
      'status',
      'change_type_id',
      'created_at',
      'change_class',
      'freeze_override',
      'review',
      'review_due_at',
    )
    .whereRaw('lower(owner_group) = ?', [team])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('seq', 'asc')) as RfcRow[];

  const byStatus = Object.fromEntries(
    RFC_STATUSES.map(status => [status, 0]),
  ) as Record<RfcStatus, number>;
  for (const rfc of rfcs) {
    if (rfc.status in byStatus) byStatus[rfc.status as RfcStatus] += 1;
  }

  const events = new Map<number, EventRow[]>();
  const seqs = rfcs.map(r => Number(r.seq));
  for (let i = 0; i < seqs.length; i += CHUNK) {
    const rows = (await db('ops_rfc_events')
      .select('id', 'rfc_seq', 'actor', 'action', 'to_status', 'at')
      .whereIn('rfc_seq', seqs.slice(i, i + CHUNK))
      .orderBy('id', 'asc')) as EventRow[];
    for (const row of rows) {
      const key = Number(row.rfc_seq);
      const list = events.get(key) ?? [];
      list.push(row);
      events.set(key, list);
    }
  }

  const leadTimes: number[] = [];
  const approvalTimes: number[] = [];
  for (const rfc of rfcs) {
    const history = events.get(Number(rfc.seq)) ?? [];
    const finished = history.find(e => FINISHED.includes(e.to_status));
    if (finished) leadTimes.push(hoursBetween(rfc.created_at, finished.at));

    const approval = history.find(
      e => e.action === 'approve' && e.actor !== SYSTEM,
    );
    if (approval) {
      const submit = history
        .filter(
          e => e.action === 'submit' && Number(e.id) < Number(approval.id),
        )
        .pop();
      if (submit) approvalTimes.push(hoursBetween(submit.at, approval.at));
    }
  }

  let automatedShare: number | null = null;
  if (rfcs.length > 0) {
    const automation = new Map<string, boolean>();
    for (const id of new Set(rfcs.map(r => r.change_type_id))) {
      automation.set(
        id,
        (await options.changeTypeAutomation(id)) === 'automated',
      );
    }
    const automated = rfcs.filter(r => automation.get(r.change_type_id));
    automatedShare = Math.round((automated.length / rfcs.length) * 1000) / 1000;
  }

  return {
    total: rfcs.length,
    byStatus,
    leadTimeHours: summarizeHours(leadTimes),
    approvalTimeHours: summarizeHours(approvalTimes),
    automatedShare,
    ...changeClassMetrics(rfcs, options.generatedAt),
  };
}

/** Change classes, freeze overrides and emergency reviews of the period's RFCs. */
function changeClassMetrics(
  rfcs: RfcRow[],
  generatedAt: string,
): Pick<
  MonthlyServiceReport['rfcs'],
  'byClass' | 'freezeOverrides' | 'emergencyReviews'
> {
  const byClass = Object.fromEntries(CHANGE_CLASSES.map(c => [c, 0])) as Record<
    ChangeClass,
    number
  >;
  const reviews = { required: 0, onTime: 0, late: 0, overdue: 0, pending: 0 };
  let freezeOverrides = 0;
  for (const rfc of rfcs) {
    // Rows written before change classes existed are normal changes.
    const changeClass = CHANGE_CLASSES.includes(rfc.change_class as ChangeClass)
      ? (rfc.change_class as ChangeClass)
      : 'normal';
    byClass[changeClass] += 1;
    if (changeClass !== 'emergency') continue;
    if (rfc.freeze_override) freezeOverrides += 1;
    if (!rfc.review_due_at) continue;
    reviews.required += 1;
    const review = rfc.review
      ? (JSON.parse(rfc.review) as Partial<PostImplementationReview>)
      : undefined;
    if (review) {
      if (review.onTime) reviews.onTime += 1;
      else reviews.late += 1;
    } else if (rfc.review_due_at < generatedAt) {
      reviews.overdue += 1;
    } else {
      reviews.pending += 1;
    }
  }
  return { byClass, freezeOverrides, emergencyReviews: reviews };
}
