import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { NotificationSeverity } from '@backstage/plugin-notifications-common';
import type { Knex } from 'knex';
import { migrateOpsDatabase } from '../../database/OperationsSnapshotStore';

/** What the suite tells people about. */
export type OpsNotificationTopic =
  | 'rfc-awaiting-approval'
  | 'rfc-decided'
  | 'rfc-executed'
  | 'rfc-held'
  | 'emergency-review-overdue'
  | 'maintenance-upcoming'
  | 'incident-opened'
  | 'problem-opened'
  | 'service-request';

export type OpsNotification = {
  /** User or group entity refs; groups reach their members. */
  recipients: string[];
  /** Left out of the recipients, e.g. whoever caused the notification. */
  exclude?: string[];
  topic: OpsNotificationTopic;
  title: string;
  description: string;
  /** Portal-relative link, e.g. `/ops/rfcs/RFC-000001`. */
  link: string;
  severity?: NotificationSeverity;
};

/**
 * Sends Backstage notifications for the suite. Telling people is never part
 * of the change that caused it: a failure to notify is logged, not thrown.
 */
export interface OpsNotifier {
  notify(notification: OpsNotification): Promise<void>;
  /**
   * Sends a notification at most once per `key`, across replicas. Returns
   * whether it was sent now.
   */
  notifyOnce(key: string, notification: OpsNotification): Promise<boolean>;
}

/** The notifier behind the notifications plugin's service. */
export class BackstageOpsNotifier implements OpsNotifier {
  private constructor(
    private readonly db: Knex,
    private readonly notifications: NotificationService | undefined,
    private readonly logger: LoggerService,
    private readonly now: () => Date,
  ) {}

  static async create(options: {
    database: DatabaseService;
    notifications?: NotificationService;
    logger: LoggerService;
    now?: () => Date;
  }) {
    const db = await migrateOpsDatabase(options.database);
    return new BackstageOpsNotifier(
      db,
      options.notifications,
      options.logger,
      options.now ?? (() => new Date()),
    );
  }

  async notify(notification: OpsNotification): Promise<void> {
    const recipients = [...new Set(notification.recipients.filter(Boolean))];
    if (!this.notifications || recipients.length === 0) return;
    try {
      await this.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: recipients,
          ...(notification.exclude?.length
            ? { excludeEntityRef: notification.exclude }
            : {}),
        },
        payload: {
          title: notification.title,
          description: notification.description,
          link: notification.link,
          topic: notification.topic,
          severity: notification.severity ?? 'normal',
        },
      });
    } catch (e) {
      this.logger.warn(
        `Could not send the "${notification.topic}" notification "${
          notification.title
        }": ${(e as Error).message}`,
      );
    }
  }

  async notifyOnce(key: string, notification: OpsNotification) {
    // RETURNING lists only rows actually written: none when the key exists.
    const inserted = await this.db('ops_notification_log')
      .insert({ key, sent_at: this.now().toISOString() })
      .onConflict('key')
      .ignore()
      .returning('key');
    const wrote = inserted.length > 0;
    if (!wrote) return false;
    await this.notify(notification);
    return true;
  }
}
