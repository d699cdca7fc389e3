import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabaseRfcStore } from './DatabaseRfcStore';
import type { NewRfc } from './RfcStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const newRfc = (overrides: Partial<NewRfc> = {}): NewRfc => ({
  changeTypeId: 'set-maintenance-window',
  changeTypeVersion: '1.0',
  title: 'Second Tuesday, 03:00',
  description: 'Monthly window',
  targetEntityRef: 'resource:default/payments-stack',
  parameters: { week: '2', weekday: 'TUE', startTime: '03:00' },
  operation: 'set-maintenance-window',
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'none',
  automation: 'automated',
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'low',
  status: 'Success',
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'DatabaseRfcStore operations on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRfcStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    beforeEach(async () => {
      await knex('ops_rfc_events').delete();
      await knex('ops_rfcs').delete();
    });

    it('stores the operation and reads it back; RFCs without one have none', async () => {
      const withOp = await store.create(newRfc(), []);
      expect(withOp.operation).toBe('set-maintenance-window');
      expect((await store.get(withOp.id))?.operation).toBe(
        'set-maintenance-window',
      );
      const plain = await store.create(
        newRfc({ operation: undefined, changeTypeId: 'ec2-restart' }),
        [],
      );
      const read = await store.get(plain.id);
      expect(read).toBeDefined();
      expect('operation' in read!).toBe(false);
      const row = await knex('ops_rfcs')
        .where({ seq: Number(plain.id.slice(4)) })
        .first();
      expect(row.operation).toBeNull();
    });

    it('lists successful operation RFCs per entity, oldest first', async () => {
      const first = await store.create(newRfc(), []);
      const second = await store.create(
        newRfc({
          operation: 'reject-update',
          parameters: { updateId: 'KB1' },
          // Refs keep the case they were given; lookups ignore it.
          targetEntityRef: 'resource:default/Payments-Stack',
        }),
        [],
      );
      await store.create(newRfc({ status: 'Scheduled' }), []);
      await store.create(newRfc({ operation: undefined }), []);
      const other = await store.create(
        newRfc({ targetEntityRef: 'resource:default/orders-stack' }),
        [],
      );
      // The RFC that finished last is listed last.
      await knex('ops_rfcs')
        .where({ seq: Number(first.id.slice(4)) })
        .update({ updated_at: '2030-01-01T00:00:00.000Z' });

      const mine = await store.listSuccessfulOperations({
        targetEntityRefs: ['resource:default/payments-stack'],
      });
      expect(mine.map(r => r.id)).toEqual([second.id, first.id]);
      expect(mine[0]).toMatchObject({
        operation: 'reject-update',
        parameters: { updateId: 'KB1' },
        status: 'Success',
      });

      const windows = await store.listSuccessfulOperations({
        operations: ['set-maintenance-window'],
      });
      expect(windows.map(r => r.id).sort()).toEqual(
        [first.id, other.id].sort(),
      );
      expect(
        await store.listSuccessfulOperations({ targetEntityRefs: [] }),
      ).toEqual([]);

      expect(
        await store.listTargetsWithOperation('set-maintenance-window'),
      ).toEqual([
        'resource:default/orders-stack',
        'resource:default/payments-stack',
      ]);
      expect(await store.listTargetsWithOperation('take-snapshot')).toEqual([]);
    });
  },
);
