import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { BackstageOpsNotifier } from './OpsNotifier';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const note = {
  recipients: ['group:default/payments', 'group:default/payments'],
  exclude: ['user:default/ana'],
  topic: 'maintenance-upcoming' as const,
  title: 'Maintenance of payments-db on Tuesday',
  description: 'The monthly window starts at 03:00 UTC.',
  link: '/catalog/default/resource/payments-db/operations',
};

describe.each(databases.eachSupportedId())('BackstageOpsNotifier on %s', id => {
  it('sends through the notifications service, once per key when asked', async () => {
    const knex = await databases.init(id);
    const sent: NotificationSendOptions[] = [];
    const notifier = await BackstageOpsNotifier.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
      notifications: { send: async n => void sent.push(n) },
      logger: mockServices.logger.mock(),
    });

    await notifier.notify(note);
    expect(sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: ['group:default/payments'],
          excludeEntityRef: ['user:default/ana'],
        },
        payload: {
          title: note.title,
          description: note.description,
          link: note.link,
          topic: 'maintenance-upcoming',
          severity: 'normal',
        },
      },
    ]);

    sent.length = 0;
    // Two replicas racing for the same key: one sends.
    const results = await Promise.all([
      notifier.notifyOnce('maintenance:x:2026-03-10T03:00:00Z', note),
      notifier.notifyOnce('maintenance:x:2026-03-10T03:00:00Z', note),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(
      await notifier.notifyOnce('maintenance:x:2026-03-10T03:00:00Z', note),
    ).toBe(false);
    expect(
      await notifier.notifyOnce('maintenance:x:2026-04-14T03:00:00Z', note),
    ).toBe(true);
    expect(sent).toHaveLength(2);
    await knex.destroy();
  });

  it('logs rather than throws when the notifications service fails', async () => {
    const knex = await databases.init(id);
    const logger = mockServices.logger.mock();
    const notifier = await BackstageOpsNotifier.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
      notifications: {
        send: async () => {
          throw new Error('notifications backend is down');
        },
      },
      logger,
    });
    await expect(notifier.notify(note)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('notifications backend is down'),
    );
    await knex.destroy();
  });
});
