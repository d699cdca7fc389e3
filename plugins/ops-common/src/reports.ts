import type { IncidentPriority } from './incidents';
import type { RfcStatus } from './rfc/types';
import type { ChangeClass } from './schedule/changeClass';

/**
 * The monthly service report of one business-unit team.
 *
 * Durations are in hours; `null` when there was nothing to measure.
 *
 * @public
 */
export type MonthlyServiceReport = {
  /** Group ref of the team. */
  team: string;
  /** `YYYY-MM`, in UTC. */
  month: string;
  /** ISO times bounding the month, `from` inclusive, `to` exclusive. */
  period: { from: string; to: string };
  generatedAt: string;
  rfcs: {
    /** RFCs created in the month against the team's entities. */
    total: number;
    byStatus: Record<RfcStatus, number>;
    /** Created to finished (Success or Failure). */
    leadTimeHours: { median: number | null; p90: number | null };
    /** Submitted to approved, for RFCs that needed someone's approval. */
    approvalTimeHours: { median: number | null; p90: number | null };
    /** Share of RFCs whose change type is automated, 0..1, or null without RFCs. */
    automatedShare: number | null;
    /** The same RFCs by ITIL change class. */
    byClass: Record<ChangeClass, number>;
    /** Emergency RFCs of the month that went ahead inside a freeze, with a recorded reason. */
    freezeOverrides: number;
    /**
     * Post-implementation reviews of the month's emergency RFCs that ended
     * (Success or Failure): written by their due time, written late, not
     * written and past due at generation, and not yet due.
     */
    emergencyReviews: {
      required: number;
      onTime: number;
      late: number;
      overdue: number;
      pending: number;
    };
  };
  incidents: {
    total: number;
    byPriority: Record<IncidentPriority, number>;
    /** Opened to resolved, for incidents resolved in the month. */
    timeToResolveHours: { median: number | null; p90: number | null };
    /** Problems opened in the month. */
    problemsOpened: number;
  };
  /** From the latest stored snapshots of the team's entities. */
  patch: {
    instances: number;
    compliantInstances: number;
    /** 0..100, or null without instances. */
    compliancePercent: number | null;
  };
  backups: {
    resources: number;
    /** Resources whose last good recovery point is within schedule. */
    onSchedule: number;
    /** 0..100, or null without resources. */
    successPercent: number | null;
  };
  alarms: { ok: number; alarm: number; insufficientData: number };
  serviceRequests: { opened: number; closed: number };
};
