export {
  SandboxAwsAccount,
  SANDBOX_RESTORE_DURATION_MS,
} from './SandboxAwsAccount';
export type {
  SandboxAccountState,
  SandboxPatchRun,
  SandboxRestoreJob,
} from './types';
