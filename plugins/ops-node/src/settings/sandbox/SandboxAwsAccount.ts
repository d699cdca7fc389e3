import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type {
  MaintenanceWindowSummary,
  RecoveryPointSummary,
} from '@cloud-ops/plugin-ops-common';
import { defaultSandboxStateFile } from '../../sandboxStateFile';
import type { BackupGateway, PatchingGateway, SettingsReader } from '../types';
import { normalizeEntityRef } from './checks';
import { SandboxBackupGateway } from './SandboxBackupGateway';
import { SandboxPatchingGateway } from './SandboxPatchingGateway';
import { SandboxSettingsReader } from './SandboxSettingsReader';
import { nextExecutionAt, SandboxStateStore } from './state';
import type {
  SandboxAccountState,
  SandboxPatchRun,
  SandboxRestoreJob,
} from './types';

/** How long a sandbox restore job runs before it completes. @public */
export const SANDBOX_RESTORE_DURATION_MS = 60_000;

/**
 * A simulated AWS account for the settings gateways: SSM maintenance windows
 * and patch baselines, AWS Backup plans, on-demand backups and restores, all
 * in process. Writes are idempotent per `stamp.token` as in AWS: the same
 * token returns the first result and changes nothing, a new token (a retry
 * is a new attempt) writes again. With a state file the account survives
 * backend restarts and is shared by every instance on the file.
 *
 * @public
 */
export class SandboxAwsAccount implements SandboxAccountState {
  readonly patching: PatchingGateway;
  readonly backup: BackupGateway;
  readonly settings: SettingsReader;
  private readonly store: SandboxStateStore;

  /**
   * Keeps the account in `ops.aws.sandbox.settingsStateFile`, by default
   * `sandbox/settings.json` in the nearest `.data` directory above the
   * working directory, or in memory without one.
   */
  static fromConfig(
    config: Config,
    options: { logger?: LoggerService } = {},
  ): SandboxAwsAccount {
    return new SandboxAwsAccount({
      stateFile:
        config.getOptionalString('ops.aws.sandbox.settingsStateFile') ??
        defaultSandboxStateFile('settings.json'),
      logger: options.logger,
    });
  }

  constructor(
    options: {
      stateFile?: string;
      now?: () => Date;
      /** Told when a broken state file is set aside. */
      logger?: LoggerService;
    } = {},
  ) {
    this.store = new SandboxStateStore(options);
    this.patching = new SandboxPatchingGateway(this.store);
    this.backup = new SandboxBackupGateway(this.store);
    this.settings = new SandboxSettingsReader(this.store);
  }

  maintenanceWindowFor(
    entityRef: string,
  ): MaintenanceWindowSummary | undefined {
    const window =
      this.store.current().maintenanceWindows[normalizeEntityRef(entityRef)];
    if (!window) return undefined;
    const next = nextExecutionAt(window, this.store.now());
    return {
      id: window.id,
      name: window.name,
      schedule: window.schedule,
      ...(next ? { nextExecutionAt: next } : {}),
    };
  }

  onDemandRecoveryPoints(entityRef: string): RecoveryPointSummary[] {
    const ref = normalizeEntityRef(entityRef);
    const now = this.store.now().toISOString();
    const points = this.store
      .current()
      .recoveryPoints.filter(p => p.entityRef === ref && p.completedAt <= now);
    return newestFirst(points, p => p.completedAt).map(p => ({
      id: p.arn,
      completedAt: p.completedAt,
      status: 'COMPLETED',
      origin: 'on-demand',
    }));
  }

  restoreJobsFor(entityRef: string): SandboxRestoreJob[] {
    const ref = normalizeEntityRef(entityRef);
    const now = this.store.now().getTime();
    const jobs = this.store
      .current()
      .restoreJobs.filter(j => j.entityRef === ref);
    return newestFirst(jobs, j => j.createdAt).map(j => {
      const end = Date.parse(j.createdAt) + SANDBOX_RESTORE_DURATION_MS;
      const done = end <= now;
      return {
        id: j.id,
        recoveryPointId: j.recoveryPointId,
        status: done ? 'COMPLETED' : 'RUNNING',
        createdAt: j.createdAt,
        ...(done ? { completedAt: new Date(end).toISOString() } : {}),
        rfcId: j.rfcId,
      };
    });
  }

  /** The patch runs `applyUpdate` started for the stack, newest first. */
  patchRunsFor(entityRef: string): SandboxPatchRun[] {
    const ref = normalizeEntityRef(entityRef);
    const runs = this.store
      .current()
      .patchRuns.filter(r => r.entityRef === ref);
    return newestFirst(runs, r => r.createdAt).map(r => ({
      commandId: r.commandId,
      updateId: r.updateId,
      baselineId: r.baselineId,
      createdAt: r.createdAt,
      rfcId: r.rfcId,
    }));
  }
}

function newestFirst<T>(items: T[], at: (item: T) => string): T[] {
  // Reversed first so that, at the same instant, the later write comes first.
  return [...items].reverse().sort((a, b) => at(b).localeCompare(at(a)));
}
