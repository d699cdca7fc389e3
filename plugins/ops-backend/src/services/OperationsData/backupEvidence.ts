import type {
  BackupMethod,
  RecoveryPointSummary,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';

/** A recovery point with its time, to sort by. */
export type TimedPoint = RecoveryPointSummary & { at: Date };

/** What one backup source found for a resource. */
export type BackupEvidence = {
  method: BackupMethod;
  /** The newest good recovery point, the one the age is measured from. */
  last?: { id: string; at: Date };
  points: TimedPoint[];
  plan?: ResourceBackupState['plan'];
  /** Hours between backups the plan expects, when it says. */
  intervalHours?: number;
};

/** A backup source's answer: evidence per resource ARN, or why it failed. */
export type BackupSourceRead =
  | { ok: true; evidence: Map<string, BackupEvidence> }
  | { ok: false; error: string };

/** Appends to the list kept under `key`. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Keeps the newer of the held point and `point` under `key`. */
export function keepNewest<K>(
  map: Map<K, { id: string; at: Date }>,
  key: K,
  point: { id: string; at: Date },
) {
  const held = map.get(key);
  if (!held || held.at < point.at) map.set(key, point);
}
