import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import type {
  ApprovedChangeType,
  ChangeTypeService,
} from '../ChangeTypes/ChangeTypeService';
import type { OpsNotification, OpsNotifier } from '../Notifications';
import { RfcService } from './RfcService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const changeType: ApprovedChangeType = {
  templateRef: 'template:default/ec2-restart',
  id: 'ec2-restart',
  version: '1.0',
  title: 'Restart',
  classification: {
    category: 'Management',
    subcategory: 'Compute',
    item: 'EC2',
    operation: 'Restart',
  },
  automation: 'manual',
  approval: 'by-origin',
  expectedDuration: 'PT30M',
  risk: 'medium',
  parameterSchema: { properties: {}, required: [] },
};

describe.each(databases.eachSupportedId())('RfcService on %s', databaseId => {
  it('rejects RFCs still unapproved at their start time, and only those', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabaseRfcStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    let now = new Date('2026-03-01T08:00:00Z');
    const changeTypes: ChangeTypeService = {
      list: async () => [changeType],
      get: async () => changeType,
    };
    const service = new RfcService({
      store,
      changeTypes,
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'payments-api', namespace: 'default' },
            spec: { owner: 'payments' },
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
      now: () => now,
    });
    const credentials = mockCredentials.user('user:default/ana');
    const body = (start: string) => ({
      changeTypeId: 'ec2-restart',
      title: 't',
      description: 'd',
      targetEntityRef: 'component:default/payments-api',
      parameters: {},
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      requestedStartTime: start,
      submit: true,
    });
    const soon = await service.create(
      body('2026-03-01T09:00:00Z'),
      credentials,
    );
    const later = await service.create(
      body('2026-03-02T09:00:00Z'),
      credentials,
    );
    const canceled = await service.create(
      body('2026-03-01T09:00:00Z'),
      credentials,
    );
    await service.act(
      canceled.id,
      { action: 'cancel', version: 1, reason: 'not needed' },
      credentials,
    );

    expect(await service.rejectUnapprovedAtStart()).toBe(0);

    now = new Date('2026-03-01T09:00:00Z');
    expect(await service.rejectUnapprovedAtStart()).toBe(1);
    const rejected = await service.get(soon.id, credentials);
    expect(rejected).toMatchObject({
      status: 'Rejected',
      statusReason:
        'not approved by its requested start time 2026-03-01T09:00:00.000Z',
      approvals: [{ approver: 'system', decision: 'rejected' }],
    });
    expect((await service.events(soon.id, credentials)).pop()).toMatchObject({
      actor: 'system',
      action: 'expire',
      fromStatus: 'PendingApproval',
      toStatus: 'Rejected',
    });
    expect((await service.get(later.id, credentials)).status).toBe(
      'PendingApproval',
    );
    expect((await service.get(canceled.id, credentials)).status).toBe(
      'Canceled',
    );
    // Running again finds nothing new.
    expect(await service.rejectUnapprovedAtStart()).toBe(0);
    await knex.destroy();
  });

  it('tells the approving side when an RFC awaits approval, and the requester when it is decided', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabaseRfcStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    const sent: OpsNotification[] = [];
    const notifier: OpsNotifier = {
      notify: async n => {
        sent.push(n);
      },
      notifyOnce: async () => true,
    };
    const groups: Record<string, string[]> = {
      'user:default/ana': ['group:default/payments'],
      'user:default/omar': ['group:default/central-it'],
    };
    let now = new Date('2026-03-01T08:00:00Z');
    const service = new RfcService({
      store,
      changeTypes: {
        list: async () => [changeType],
        get: async () => changeType,
      },
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'payments-api', namespace: 'default' },
            spec: { owner: 'payments' },
          },
        ],
      }),
      userInfo: {
        getUserInfo: async credentials => {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...groups[ref]],
          };
        },
      },
      permissions: mockServices.permissions(),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      centralItGroup: 'group:default/central-it',
      notifier,
      now: () => now,
    });
    const ana = mockCredentials.user('user:default/ana');
    const omar = mockCredentials.user('user:default/omar');
    const body = {
      changeTypeId: 'ec2-restart',
      title: 'Restart the API',
      description: 'd',
      targetEntityRef: 'component:default/payments-api',
      parameters: {},
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      requestedStartTime: '2026-03-01T12:00:00Z',
    };

    // A draft tells nobody; submitting it tells Central IT.
    const draft = await service.create(body, ana);
    expect(sent).toEqual([]);
    await service.act(draft.id, { action: 'submit', version: 1 }, ana);
    expect(sent).toEqual([
      expect.objectContaining({
        topic: 'rfc-awaiting-approval',
        recipients: ['group:default/central-it'],
        exclude: ['user:default/ana'],
        link: `/ops/rfcs/${draft.id}`,
      }),
    ]);

    sent.length = 0;
    await service.act(draft.id, { action: 'approve', version: 2 }, omar);
    expect(sent).toEqual([
      expect.objectContaining({
        topic: 'rfc-decided',
        title: `${draft.id} was approved`,
        recipients: ['user:default/ana'],
        exclude: ['user:default/omar'],
      }),
    ]);

    sent.length = 0;
    const second = await service.create({ ...body, submit: true }, ana);
    expect(sent.map(n => n.topic)).toEqual(['rfc-awaiting-approval']);
    sent.length = 0;
    await service.act(
      second.id,
      { action: 'reject', version: 1, comment: 'freeze this week' },
      omar,
    );
    expect(sent).toEqual([
      expect.objectContaining({
        title: `${second.id} was rejected`,
        description: 'Restart the API: freeze this week.',
        recipients: ['user:default/ana'],
      }),
    ]);

    // Rejected by the system for want of approval at its start time.
    sent.length = 0;
    const third = await service.create({ ...body, submit: true }, ana);
    sent.length = 0;
    now = new Date('2026-03-01T12:00:00Z');
    expect(await service.rejectUnapprovedAtStart()).toBe(1);
    expect(sent).toEqual([
      expect.objectContaining({
        title: `${third.id} was rejected`,
        recipients: ['user:default/ana'],
        exclude: ['system'],
      }),
    ]);
    await knex.destroy();
  });
});
