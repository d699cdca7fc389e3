import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  DatabaseOperationsSnapshotStore,
  OperationsSnapshotWrite,
} from './OperationsSnapshotStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'DatabaseOperationsSnapshotStore on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseOperationsSnapshotStore.create({
        database: { getClient: async () => knex },
      });
      return { knex, store };
    }

    const ref = 'component:default/payments-api';
    const good = (at: string, payload: unknown): OperationsSnapshotWrite => ({
      entityRef: ref,
      kind: 'alarms',
      source: 'aws',
      at,
      ok: true,
      payload,
    });

    it('stores one snapshot per entity and kind, replacing older reads', async () => {
      const { store } = await createStore();
      await store.saveReads([
        good('2026-11-21T00:00:00.000Z', { alarms: [] }),
        {
          ...good('2026-11-21T00:00:00.000Z', { instances: [] }),
          kind: 'patch',
        },
      ]);
      await store.saveReads([
        good('2026-11-21T00:10:00.000Z', { alarms: [1] }),
      ]);
      const rows = await store.getSnapshots(ref);
      expect(rows).toHaveLength(2);
      expect(rows.find(r => r.kind === 'alarms')).toEqual({
        entityRef: ref,
        kind: 'alarms',
        source: 'aws',
        payload: { alarms: [1] },
        refreshedAt: '2026-11-21T00:10:00.000Z',
        attemptedAt: '2026-11-21T00:10:00.000Z',
        error: null,
        stale: false,
      });
      expect(await store.getSnapshots('component:default/other')).toEqual([]);
    });

    it('keeps the last good payload when a read fails, and clears stale on the next good read', async () => {
      const { store } = await createStore();
      await store.saveReads([
        good('2026-11-21T00:00:00.000Z', { alarms: ['a'] }),
      ]);
      await store.saveReads([
        {
          entityRef: ref,
          kind: 'alarms',
          source: 'aws',
          at: '2026-11-21T00:15:00.000Z',
          ok: false,
          error: 'ThrottlingException: Rate exceeded',
        },
      ]);
      let [row] = await store.getSnapshots(ref);
      expect(row).toMatchObject({
        payload: { alarms: ['a'] },
        refreshedAt: '2026-11-21T00:00:00.000Z',
        attemptedAt: '2026-11-21T00:15:00.000Z',
        error: 'ThrottlingException: Rate exceeded',
        stale: true,
      });
      await store.saveReads([
        good('2026-11-21T00:30:00.000Z', { alarms: ['b'] }),
      ]);
      [row] = await store.getSnapshots(ref);
      expect(row).toMatchObject({
        payload: { alarms: ['b'] },
        error: null,
        stale: false,
      });
    });

    it('keeps a newer read when an older one is written after it', async () => {
      const { store } = await createStore();
      // An on-demand read at 00:20 is saved first; a global refresh that
      // read at 00:10 finishes later, with data and with a failure.
      await store.saveReads([
        good('2026-11-21T00:20:00.000Z', { alarms: ['new'] }),
      ]);
      await store.saveReads([
        good('2026-11-21T00:10:00.000Z', { alarms: ['old'] }),
      ]);
      await store.saveReads([
        {
          entityRef: ref,
          kind: 'alarms',
          source: 'aws',
          at: '2026-11-21T00:10:00.000Z',
          ok: false,
          error: 'RequestTimeout',
        },
      ]);
      const [row] = await store.getSnapshots(ref);
      expect(row).toMatchObject({
        payload: { alarms: ['new'] },
        refreshedAt: '2026-11-21T00:20:00.000Z',
        attemptedAt: '2026-11-21T00:20:00.000Z',
        error: null,
        stale: false,
      });
      // A read of the same time still replaces it (a repeated write).
      await store.saveReads([
        good('2026-11-21T00:20:00.000Z', { alarms: ['again'] }),
      ]);
      expect((await store.getSnapshots(ref))[0].payload).toEqual({
        alarms: ['again'],
      });
    });

    it('records a failure for an entity that never had a good read', async () => {
      const { store } = await createStore();
      await store.saveReads([
        {
          entityRef: ref,
          kind: 'backups',
          source: 'aws',
          at: '2026-11-21T00:00:00.000Z',
          ok: false,
          error: 'AccessDeniedException',
        },
      ]);
      expect(await store.getSnapshots(ref)).toEqual([
        expect.objectContaining({
          payload: null,
          refreshedAt: null,
          stale: true,
          error: 'AccessDeniedException',
        }),
      ]);
    });

    it('writes many entities in one call and deletes them again', async () => {
      const { store } = await createStore();
      const refs = Array.from(
        { length: 450 },
        (_, i) => `component:default/c${i}`,
      );
      await store.saveReads(
        refs.map(entityRef => ({
          ...good('2026-11-21T00:00:00.000Z', {}),
          entityRef,
        })),
      );
      expect((await store.listEntityRefs()).sort()).toEqual([...refs].sort());
      await store.deleteEntities(refs.slice(0, 449));
      expect(await store.listEntityRefs()).toEqual(['component:default/c449']);
    });

    it('lists the settings snapshots of many entities at once, beyond one chunk', async () => {
      const { store } = await createStore();
      const refs = Array.from(
        { length: 520 },
        (_, i) => `component:default/c${i}`,
      );
      const settings = {
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
        drift: [],
      };
      await store.saveReads(
        refs.flatMap((entityRef): OperationsSnapshotWrite[] => [
          {
            entityRef,
            kind: 'settings',
            source: 'sandbox',
            at: '2026-11-21T00:00:00.000Z',
            ok: true,
            payload: settings,
          },
          { ...good('2026-11-21T00:00:00.000Z', { alarms: [] }), entityRef },
        ]),
      );
      const listed = await store.listSnapshots({
        kind: 'settings',
        entityRefs: [...refs, 'component:default/unknown'],
      });
      expect(listed.map(s => s.entityRef).sort()).toEqual([...refs].sort());
      expect(listed[0]).toEqual({
        entityRef: expect.any(String),
        kind: 'settings',
        source: 'sandbox',
        payload: settings,
        refreshedAt: '2026-11-21T00:00:00.000Z',
        attemptedAt: '2026-11-21T00:00:00.000Z',
        error: null,
        stale: false,
      });
      expect(
        await store.listSnapshots({ kind: 'patch', entityRefs: refs }),
      ).toEqual([]);
    });

    it('rate limits refresh claims per entity', async () => {
      const { store } = await createStore();
      const t0 = new Date('2026-11-21T00:00:00.000Z');
      const at = (s: number) => new Date(t0.getTime() + s * 1000);
      expect(await store.claimRefresh(ref, t0, 60_000)).toEqual({
        claimed: true,
      });
      expect(await store.claimRefresh(ref, at(20), 60_000)).toEqual({
        claimed: false,
        retryAfterMs: 40_000,
      });
      // Another entity is not affected.
      expect(
        await store.claimRefresh('component:default/x', at(20), 60_000),
      ).toEqual({ claimed: true });
      expect(await store.claimRefresh(ref, at(60), 60_000)).toEqual({
        claimed: true,
      });
      expect(await store.claimRefresh(ref, at(61), 60_000)).toMatchObject({
        claimed: false,
      });
    });

    it('lets only one of many concurrent claims win', async () => {
      const { store } = await createStore();
      const now = new Date('2026-11-21T00:00:00.000Z');
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.claimRefresh(ref, now, 60_000)),
      );
      expect(claims.filter(c => c.claimed)).toHaveLength(1);
    });

    it('migrates down cleanly', async () => {
      const { knex } = await createStore();
      const directory = resolvePackagePath(
        '@cloud-ops/plugin-ops-backend',
        'migrations',
      );
      await knex.migrate.down({
        directory,
        name: '20261121000200_operations_snapshots.js',
      });
      expect(await knex.schema.hasTable('ops_operations_snapshots')).toBe(
        false,
      );
      expect(
        await knex.schema.hasTable('ops_operations_refresh_requests'),
      ).toBe(false);
      await knex.migrate.up({
        directory,
        name: '20261121000200_operations_snapshots.js',
      });
      expect(await knex.schema.hasTable('ops_operations_snapshots')).toBe(true);
    });
  },
);
