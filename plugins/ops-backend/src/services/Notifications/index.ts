export { BackstageOpsNotifier } from './OpsNotifier';
export type {
  OpsNotification,
  OpsNotificationTopic,
  OpsNotifier,
} from './OpsNotifier';
