import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  DatabaseServiceRequestStore,
  formatServiceRequestId,
  parseServiceRequestId,
  type NewServiceRequest,
} from './ServiceRequestStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ask = (
  overrides: Partial<NewServiceRequest> = {},
): NewServiceRequest => ({
  title: 'Which AMIs are approved?',
  topic: 'aws-service-offerings',
  team: 'group:default/payments',
  requester: 'user:default/ana',
  message: {
    author: 'user:default/ana',
    side: 'team',
    body: 'We need Graviton images.',
    at: '2026-11-02T10:00:00.000Z',
  },
  ...overrides,
});

describe('service request ids', () => {
  it('formats and parses readable ids', () => {
    expect(formatServiceRequestId(12)).toBe('SR-000012');
    expect(parseServiceRequestId('SR-000012')).toBe(12);
    expect(parseServiceRequestId('SR-1234567')).toBe(1234567);
    expect(parseServiceRequestId('SR-12')).toBeUndefined();
    expect(parseServiceRequestId('RFC-000012')).toBeUndefined();
    expect(parseServiceRequestId('SR-000000')).toBeUndefined();
    // The key column is a 32-bit integer: larger numbers name no request.
    expect(parseServiceRequestId('SR-2147483647')).toBe(2147483647);
    expect(parseServiceRequestId('SR-2147483648')).toBeUndefined();
    expect(parseServiceRequestId('SR-999999999999999')).toBeUndefined();
  });
});

describe.each(databases.eachSupportedId())(
  'DatabaseServiceRequestStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseServiceRequestStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseServiceRequestStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_service_request_messages').delete();
      await knex('ops_service_requests').delete();
    });

    afterAll(async () => {
      await knex.destroy();
    });

    it('has a migration that removes its tables again', async () => {
      const fresh = await databases.init(databaseId);
      const directory = resolvePackagePath(
        '@cloud-ops/plugin-ops-backend',
        'migrations',
      );
      await fresh.migrate.latest({ directory });
      expect(await fresh.schema.hasTable('ops_service_requests')).toBe(true);
      await fresh.migrate.down({
        directory,
        name: '20261122000300_service_requests.js',
      });
      expect(await fresh.schema.hasTable('ops_service_requests')).toBe(false);
      expect(await fresh.schema.hasTable('ops_service_request_messages')).toBe(
        false,
      );
      await fresh.destroy();
    });

    it('creates a request with its first message and reads it back', async () => {
      const created = await store.create(
        ask({ entityRef: 'component:default/payments-api' }),
      );
      expect(created.id).toMatch(/^SR-\d{6}$/);
      expect(created).toMatchObject({
        status: 'AwaitingCentralIt',
        version: 1,
        team: 'group:default/payments',
        entityRef: 'component:default/payments-api',
        createdAt: '2026-11-02T10:00:00.000Z',
        updatedAt: '2026-11-02T10:00:00.000Z',
        messages: [
          {
            author: 'user:default/ana',
            side: 'team',
            body: 'We need Graviton images.',
            at: '2026-11-02T10:00:00.000Z',
          },
        ],
      });
      expect(created.closedAt).toBeUndefined();
      expect(await store.get(created.id)).toEqual(created);
      expect(await store.get('SR-999999')).toBeUndefined();
      expect(await store.get('nonsense')).toBeUndefined();
    });

    it('hands out distinct ids to concurrent creates', async () => {
      const created = await Promise.all(
        Array.from({ length: 8 }, () => store.create(ask())),
      );
      expect(new Set(created.map(r => r.id)).size).toBe(8);
    });

    it('updates conditionally on the version and appends messages', async () => {
      const created = await store.create(ask());
      const replied = await store.update({
        id: created.id,
        expectedVersion: 1,
        toStatus: 'AwaitingTeam',
        messages: [
          {
            author: 'user:default/chen',
            side: 'central-it',
            body: 'Use the golden AMI catalog.',
            at: '2026-11-02T11:00:00.000Z',
          },
        ],
        at: '2026-11-02T11:00:00.000Z',
      });
      expect(replied).toMatchObject({
        status: 'AwaitingTeam',
        version: 2,
        updatedAt: '2026-11-02T11:00:00.000Z',
      });
      expect(replied.messages!.map(m => [m.side, m.body])).toEqual([
        ['team', 'We need Graviton images.'],
        ['central-it', 'Use the golden AMI catalog.'],
      ]);

      // A second writer that read version 1 loses and writes nothing.
      await expect(
        store.update({
          id: created.id,
          expectedVersion: 1,
          toStatus: 'AwaitingCentralIt',
          messages: [
            {
              author: 'user:default/ana',
              side: 'team',
              body: 'late',
              at: '2026-11-02T11:30:00.000Z',
            },
          ],
          at: '2026-11-02T11:30:00.000Z',
        }),
      ).rejects.toThrow(/changed since version 1/);
      const after = await store.get(created.id);
      expect(after!.version).toBe(2);
      expect(after!.messages).toHaveLength(2);
    });

    it('closes once and refuses changes to a closed request', async () => {
      const created = await store.create(ask());
      const closed = await store.update({
        id: created.id,
        expectedVersion: 1,
        toStatus: 'Closed',
        messages: [],
        at: '2026-11-03T09:00:00.000Z',
      });
      expect(closed).toMatchObject({
        status: 'Closed',
        closedAt: '2026-11-03T09:00:00.000Z',
        version: 2,
      });
      expect(closed.messages).toHaveLength(1);
      const attempt = store.update({
        id: created.id,
        expectedVersion: 2,
        toStatus: 'AwaitingTeam',
        messages: [],
        at: '2026-11-03T10:00:00.000Z',
      });
      await expect(attempt).rejects.toThrow(ConflictError);
      await expect(attempt).rejects.toThrow(/is closed/);
      expect((await store.get(created.id))!.status).toBe('Closed');
    });

    it('lists newest first with filters, paging and a total', async () => {
      const a = await store.create(ask());
      const b = await store.create(ask({ team: 'group:default/search' }));
      const c = await store.create(ask());
      await store.update({
        id: c.id,
        expectedVersion: 1,
        toStatus: 'Closed',
        messages: [],
        at: '2026-11-03T09:00:00.000Z',
      });

      const all = await store.list({ limit: 10, offset: 0 });
      expect(all.totalCount).toBe(3);
      expect(all.items.map(r => r.id)).toEqual([c.id, b.id, a.id]);
      expect(all.items[0].messages).toBeUndefined();

      const payments = await store.list({
        teams: ['group:default/payments'],
        limit: 1,
        offset: 1,
      });
      expect(payments).toEqual({
        items: [expect.objectContaining({ id: a.id })],
        totalCount: 2,
      });
      const open = await store.list({
        status: 'AwaitingCentralIt',
        teams: ['group:default/payments', 'group:default/search'],
        limit: 10,
        offset: 0,
      });
      expect(open.items.map(r => r.id)).toEqual([b.id, a.id]);
      expect(await store.list({ teams: [], limit: 10, offset: 0 })).toEqual({
        items: [],
        totalCount: 0,
      });
    });

    it('counts a team’s requests opened and closed in a period', async () => {
      const inside = await store.create(ask());
      await store.create(
        ask({
          message: { ...ask().message, at: '2026-10-31T23:59:59.999Z' },
        }),
      );
      await store.create(ask({ team: 'group:default/search' }));
      const earlier = await store.create(
        ask({ message: { ...ask().message, at: '2026-10-20T00:00:00.000Z' } }),
      );
      await store.update({
        id: earlier.id,
        expectedVersion: 1,
        toStatus: 'Closed',
        messages: [],
        at: '2026-11-05T00:00:00.000Z',
      });
      await store.update({
        id: inside.id,
        expectedVersion: 1,
        toStatus: 'Closed',
        messages: [],
        at: '2026-12-01T00:00:00.000Z',
      });
      expect(
        await store.countForTeam(
          'group:default/payments',
          '2026-11-01T00:00:00.000Z',
          '2026-12-01T00:00:00.000Z',
        ),
      ).toEqual({ opened: 1, closed: 1 });
    });
  },
);
