import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import {
  CalendarFeedTokenStore,
  MAX_FEED_TOKENS_PER_USER,
} from './CalendarFeedTokenStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const AT = '2026-12-01T10:00:00.000Z';

describe.each(databases.eachSupportedId())(
  'CalendarFeedTokenStore on %s',
  databaseId => {
    let knex: Knex;
    let store: CalendarFeedTokenStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await CalendarFeedTokenStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_calendar_feed_tokens').delete();
    });

    afterAll(async () => {
      await knex.destroy();
    });

    it('issues a token shown once, keeps only its hash, and resolves it until revoked', async () => {
      const { token, feedToken } = await store.issue({
        userEntityRef: 'user:default/ana',
        label: 'Outlook',
        feedOwner: 'group:default/payments',
        at: AT,
      });
      expect(token).toMatch(/^opsfeed_[A-Za-z0-9_-]{43}$/);
      const rows = await knex('ops_calendar_feed_tokens');
      expect(JSON.stringify(rows)).not.toContain(token.slice(8));

      const later = '2026-12-02T10:00:00.000Z';
      expect(await store.resolve(token, later)).toMatchObject({
        id: feedToken.id,
        userEntityRef: 'user:default/ana',
        feedOwner: 'group:default/payments',
        lastUsedAt: later,
      });
      expect(
        await store.resolve(`${token.slice(0, -1)}x`, later),
      ).toBeUndefined();
      expect(await store.resolve('nonsense', later)).toBeUndefined();

      // Only its owner revokes it.
      expect(await store.revoke(feedToken.id, 'user:default/wei', later)).toBe(
        false,
      );
      expect(await store.revoke(feedToken.id, 'user:default/ana', later)).toBe(
        true,
      );
      expect(await store.revoke(feedToken.id, 'user:default/ana', later)).toBe(
        false,
      );
      expect(await store.resolve(token, later)).toBeUndefined();
      expect(await store.list('user:default/ana')).toEqual([
        expect.objectContaining({ id: feedToken.id, revokedAt: later }),
      ]);

      const entries = await knex('ops_audit_log')
        .where({ subject: `feed-token:${feedToken.id}` })
        .orderBy('subject_seq');
      expect(entries.map(e => [e.action, e.actor])).toEqual([
        ['feed-token-create', 'user:default/ana'],
        ['feed-token-revoke', 'user:default/ana'],
      ]);
    });

    it(`limits a person to ${MAX_FEED_TOKENS_PER_USER} live tokens`, async () => {
      for (let i = 0; i < MAX_FEED_TOKENS_PER_USER; i++) {
        await store.issue({
          userEntityRef: 'user:default/wei',
          label: `t${i}`,
          at: AT,
        });
      }
      await expect(
        store.issue({
          userEntityRef: 'user:default/wei',
          label: 'one more',
          at: AT,
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      const [first] = await store.list('user:default/wei');
      await store.revoke(first.id, 'user:default/wei', AT);
      await expect(
        store.issue({
          userEntityRef: 'user:default/wei',
          label: 'one more',
          at: AT,
        }),
      ).resolves.toBeDefined();
    });
  },
);
