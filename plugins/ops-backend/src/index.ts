export { opsPlugin as default } from './plugin';
export {
  rfcPermissionRules,
  rfcResourceRef,
  type RfcQuery,
} from './permissions/rules';
export {
  migrateLatestWaitingForLock,
  type MigrationLockOptions,
} from './database/migrate';
