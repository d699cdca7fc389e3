import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  cronToMaintenanceWindow,
  nextMaintenanceWindow,
} from '@cloud-ops/plugin-ops-common';
import {
  readSandboxStateFile,
  writeSandboxStateFile,
} from '../../sandboxStateFile';
import type { ChangeStamp, StackTarget } from '../types';
import { checkLocation, checkStamp, normalizeEntityRef } from './checks';

/**
 * The sandbox account's settings state as kept in memory and in its state
 * file. Records are keyed by the stack's lower-cased entity ref and carry
 * the AWS fields the aws gateways would write.
 */

export type Tags = Record<string, string>;

export type StoredMaintenanceWindow = {
  id: string;
  name: string;
  account: string;
  region: string;
  schedule: string;
  /** The tag pairs the window targets. */
  targets: Tags;
  enabled: boolean;
  /** The `cloud-ops.io/patching-excluded-until` tag of the aws gateway. */
  excludedUntil?: string;
  tags: Tags;
  createdAt: string;
  updatedAt: string;
};

export type StoredPatchBaseline = {
  id: string;
  name: string;
  rejectedPatches: { updateId: string; rfcId: string; at: string }[];
  tags: Tags;
  createdAt: string;
  updatedAt: string;
};

export type StoredPatchRun = {
  entityRef: string;
  commandId: string;
  updateId: string;
  baselineId: string;
  rfcId: string;
  createdAt: string;
};

export type StoredBackupPlan = {
  id: string;
  name: string;
  schedule: string;
  retentionDays: number;
  selection: { id: string; name: string; selector: Tags };
  tags: Tags;
  createdAt: string;
  updatedAt: string;
};

export type StoredBackupJob = {
  entityRef: string;
  id: string;
  resourceArn: string;
  recoveryPointArn: string;
  rfcId: string;
  createdAt: string;
};

export type StoredRecoveryPoint = {
  entityRef: string;
  arn: string;
  account: string;
  region: string;
  resourceArn: string;
  backupJobId: string;
  createdAt: string;
  completedAt: string;
};

export type StoredRestoreJob = {
  entityRef: string;
  id: string;
  recoveryPointId: string;
  rfcId: string;
  createdAt: string;
};

export type State = {
  maintenanceWindows: Record<string, StoredMaintenanceWindow>;
  patchBaselines: Record<string, StoredPatchBaseline>;
  patchRuns: StoredPatchRun[];
  backupPlans: Record<string, StoredBackupPlan>;
  backupJobs: StoredBackupJob[];
  recoveryPoints: StoredRecoveryPoint[];
  restoreJobs: StoredRestoreJob[];
  /** The first result of every write, by operation and idempotency token. */
  writes: Record<string, unknown>;
};

/** SSM gives a next execution only for an enabled window. */
export function nextExecutionAt(
  window: StoredMaintenanceWindow,
  now: Date,
): string | undefined {
  const parsed = cronToMaintenanceWindow(window.schedule);
  if (!window.enabled || !parsed) return undefined;
  return nextMaintenanceWindow(parsed, now).toISOString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const record = <T>(value: unknown): Record<string, T> =>
  isRecord(value) ? (value as Record<string, T>) : {};

const list = <T>(value: unknown): T[] =>
  Array.isArray(value) ? (value as T[]) : [];

/**
 * The state a parsed state file holds, each part empty when the file lacks
 * it, so a file written by an older sandbox still loads.
 */
export function toState(value: unknown): State {
  const v = isRecord(value) ? value : {};
  return {
    maintenanceWindows: record(v.maintenanceWindows),
    patchBaselines: record(v.patchBaselines),
    patchRuns: list(v.patchRuns),
    backupPlans: record(v.backupPlans),
    backupJobs: list(v.backupJobs),
    recoveryPoints: list(v.recoveryPoints),
    restoreJobs: list(v.restoreJobs),
    writes: record(v.writes),
  };
}

/**
 * Holds the state, in memory or in a state file shared by every instance on
 * it, and makes writes idempotent per operation and token as AWS does.
 */
export class SandboxStateStore {
  readonly now: () => Date;
  private state: State;

  constructor(
    private readonly options: {
      stateFile?: string;
      now?: () => Date;
      logger?: LoggerService;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.state = this.load();
  }

  /**
   * The state as it is now: reread from the state file, so another
   * instance's writes (the scaffolder's, a restarted backend's) show.
   */
  current(): State {
    if (this.options.stateFile) {
      this.state = this.load();
    }
    return this.state;
  }

  /**
   * Checks the stack's location and the stamp like AWS, then runs `apply` once per
   * operation and token: the first result is kept, and the same token gets
   * it again with nothing written anew. `apply` checks its input before it
   * changes the state, so a rejected request leaves nothing behind.
   */
  write<T>(
    operation: string,
    stack: StackTarget,
    stamp: ChangeStamp,
    apply: (state: State, ref: string, at: string) => T,
  ): T {
    checkLocation(stack);
    checkStamp(stamp);
    const state = this.current();
    const key = `${operation} ${stamp.token}`;
    if (key in state.writes) {
      return structuredClone(state.writes[key] as T);
    }
    const result = apply(
      state,
      normalizeEntityRef(stack.entityRef),
      this.now().toISOString(),
    );
    state.writes[key] = structuredClone(result);
    if (this.options.stateFile) {
      writeSandboxStateFile(this.options.stateFile, state);
    }
    return result;
  }

  private load(): State {
    const file = this.options.stateFile;
    return toState(file ? readSandboxStateFile(file, this.options.logger) : {});
  }
}
