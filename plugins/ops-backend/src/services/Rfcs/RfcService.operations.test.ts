import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import type { ApprovedChangeType } from '../ChangeTypes/ChangeTypeService';
import { RfcService } from './RfcService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const base = {
  version: '1.0',
  classification: {
    category: 'Management',
    subcategory: 'Patching',
    item: 'Stack',
    operation: 'Set',
  },
  automation: 'automated' as const,
  approval: 'none' as const,
  expectedDuration: 'PT5M',
  risk: 'low' as const,
};

const setWindow: ApprovedChangeType = {
  ...base,
  templateRef: 'template:default/set-maintenance-window',
  id: 'set-maintenance-window',
  title: 'Set the maintenance window',
  operation: 'set-maintenance-window',
  parameterSchema: {
    properties: {
      stack: { type: 'string' },
      week: { type: 'string' },
      weekday: { type: 'string' },
      startTime: { type: 'string' },
    },
    required: ['stack', 'week', 'weekday', 'startTime'],
  },
};

const restart: ApprovedChangeType = {
  ...base,
  templateRef: 'template:default/ec2-restart',
  id: 'ec2-restart',
  title: 'Restart',
  parameterSchema: { properties: {}, required: [] },
};

describe.each(databases.eachSupportedId())(
  'RfcService operations on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const types = [setWindow, restart];
      const service = new RfcService({
        store,
        changeTypes: {
          list: async () => types,
          get: async id => types.find(t => t.id === id),
        },
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: { name: 'payments-stack', namespace: 'default' },
              spec: { owner: 'payments', type: 'stack' },
            },
          ],
        }),
        userInfo: mockServices.userInfo({
          ownershipEntityRefs: ['user:default/ana', 'group:default/payments'],
        }),
        permissions: mockServices.permissions(),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        centralItGroup: 'group:default/central-it',
        now: () => new Date('2026-11-01T08:00:00Z'),
      });
      return { knex, store, service };
    }

    const credentials = mockCredentials.user('user:default/ana');
    const body = (changeTypeId: string, parameters: Record<string, any>) => ({
      changeTypeId,
      title: 'Maintenance window',
      description: 'd',
      targetEntityRef: 'resource:default/payments-stack',
      parameters,
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
    });

    it('copies the change type operation onto the RFC', async () => {
      const { knex, store, service } = await setup();
      const rfc = await service.create(
        {
          ...body('set-maintenance-window', {
            stack: 'resource:default/payments-stack',
            week: 'last',
            weekday: 'SUN',
            startTime: '02:00',
          }),
          submit: true,
        },
        credentials,
      );
      expect(rfc).toMatchObject({
        operation: 'set-maintenance-window',
        status: 'Scheduled',
      });
      expect((await store.get(rfc.id))?.operation).toBe(
        'set-maintenance-window',
      );
      const plain = await service.create(body('ec2-restart', {}), credentials);
      expect('operation' in plain).toBe(false);
      await knex.destroy();
    });

    it('refuses bad operation parameters with a 400 naming the field, writing nothing', async () => {
      const { knex, service } = await setup();
      const attempt = service.create(
        body('set-maintenance-window', {
          stack: 'resource:default/payments-stack',
          week: '5',
          weekday: 'TUE',
          startTime: '03:00',
        }),
        credentials,
      );
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(
        'Invalid RFC: parameters.week: must be 1, 2, 3, 4 or "last"',
      );
      const [{ n }] = await knex('ops_rfcs').count({ n: '*' });
      expect(Number(n)).toBe(0);
      await knex.destroy();
    });

    it('checks operation parameters again when a draft is edited', async () => {
      const { knex, service } = await setup();
      const params = {
        stack: 'resource:default/payments-stack',
        week: '2',
        weekday: 'TUE',
        startTime: '03:00',
      };
      const draft = await service.create(
        body('set-maintenance-window', params),
        credentials,
      );
      await expect(
        service.update(
          draft.id,
          { version: 1, parameters: { ...params, startTime: '25:00' } },
          credentials,
        ),
      ).rejects.toThrow(
        'Invalid RFC: parameters.startTime: must be a UTC time HH:MM such as 03:00',
      );
      const edited = await service.update(
        draft.id,
        { version: 1, parameters: { ...params, startTime: '04:00' } },
        credentials,
      );
      expect(edited).toMatchObject({
        operation: 'set-maintenance-window',
        parameters: { startTime: '04:00' },
      });
      await knex.destroy();
    });
  },
);
