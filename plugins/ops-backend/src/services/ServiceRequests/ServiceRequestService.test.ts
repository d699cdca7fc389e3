import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { DatabaseServiceRequestStore } from '../../database/ServiceRequestStore';
import { ServiceRequestService } from './ServiceRequestService';
import {
  fakePermissions,
  fakeUserInfo,
  RecordingNotifier,
} from './__testUtils__/fakes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ana = mockCredentials.user('user:default/ana');
const bo = mockCredentials.user('user:default/bo');
const chen = mockCredentials.user('user:default/chen');
const dana = mockCredentials.user('user:default/dana');
const eve = mockCredentials.user('user:default/eve');
const frank = mockCredentials.user('user:default/frank');

const question = {
  title: 'Which AMIs are approved?',
  topic: 'aws-service-offerings' as const,
  body: 'We need Graviton images.',
};

describe.each(databases.eachSupportedId())(
  'ServiceRequestService on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseServiceRequestStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      await knex('ops_service_request_messages').delete();
      await knex('ops_service_requests').delete();
      const notifier = new RecordingNotifier();
      let now = new Date('2026-11-02T10:00:00.000Z');
      const service = new ServiceRequestService({
        store,
        userInfo: fakeUserInfo(),
        permissions: fakePermissions({
          'user:default/frank': [
            'ops.service-request.create',
            'ops.service-request.reply',
          ],
        }),
        auth: mockServices.auth(),
        notifier,
        centralItGroup: 'group:default/central-it',
        now: () => now,
      });
      return {
        service,
        notifier,
        tick: (minutes: number) => {
          now = new Date(now.getTime() + minutes * 60_000);
        },
      };
    }

    it('opens a request for the caller’s only team and tells Central IT', async () => {
      const { service, notifier } = await setup();
      const created = await service.create(
        {
          ...question,
          title: '  Which AMIs are approved?  ',
          entityRef: 'Component:default/Payments-API',
        },
        ana,
      );
      expect(created).toMatchObject({
        id: expect.stringMatching(/^SR-\d{6}$/),
        title: 'Which AMIs are approved?',
        team: 'group:default/payments',
        requester: 'user:default/ana',
        entityRef: 'component:default/payments-api',
        status: 'AwaitingCentralIt',
        createdAt: '2026-11-02T10:00:00.000Z',
        version: 1,
        messages: [
          { author: 'user:default/ana', side: 'team', body: question.body },
        ],
      });
      expect(notifier.sent).toEqual([
        expect.objectContaining({
          recipients: ['group:default/central-it'],
          exclude: ['user:default/ana'],
          topic: 'service-request',
          link: `/ops/service-requests/${created.id}`,
        }),
      ]);
    });

    it('makes people with several teams choose, and only among their own', async () => {
      const { service } = await setup();
      await expect(service.create(question, bo)).rejects.toThrow(
        /several teams; choose one of group:default\/payments, group:default\/search/,
      );
      await expect(
        service.create({ ...question, team: 'group:default/billing' }, bo),
      ).rejects.toThrow(/team: you can only ask for a team you belong to/);
      const chosen = await service.create({ ...question, team: 'search' }, bo);
      expect(chosen.team).toBe('group:default/search');
      // Central IT is not a team that asks Central IT.
      await expect(service.create(question, chen)).rejects.toThrow(
        /no team other than Central IT/,
      );
      await expect(
        service.create({ ...question, team: 'group:default/central-it' }, dana),
      ).rejects.toThrow(InputError);
    });

    it('validates the fields and names each problem', async () => {
      const { service } = await setup();
      const attempt = service.create(
        {
          title: 'ab',
          topic: 'gossip' as any,
          body: '   ',
          entityRef: 'no kind here',
        },
        ana,
      );
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(/title: must be 3 to 200/);
      await expect(attempt).rejects.toThrow(/topic: must be one of/);
      await expect(attempt).rejects.toThrow(/body: must be 1 to 10000/);
      await expect(attempt).rejects.toThrow(/entityRef: "no kind here"/);
      await expect(
        service.create({ ...question, body: 'x'.repeat(10_001) }, ana),
      ).rejects.toThrow(/body/);
    });

    it('needs the create permission', async () => {
      const { service } = await setup();
      await expect(service.create(question, frank)).rejects.toThrow(
        NotAllowedError,
      );
      await expect(
        service.create(question, mockCredentials.service()),
      ).rejects.toThrow(NotAllowedError);
    });

    it('shows a request to its team and Central IT only', async () => {
      const { service } = await setup();
      const created = await service.create(question, ana);
      const other = await service.create(
        { ...question, team: 'group:default/search' },
        bo,
      );
      expect((await service.get(created.id, chen)).messages).toHaveLength(1);
      expect((await service.get(created.id, dana)).id).toBe(created.id);
      expect((await service.get(created.id, bo)).id).toBe(created.id);
      await expect(service.get(created.id, eve)).rejects.toThrow(NotFoundError);
      await expect(service.get('SR-999999', chen)).rejects.toThrow(
        NotFoundError,
      );
      await expect(service.get('nope', chen)).rejects.toThrow(InputError);

      expect(
        (await service.list({}, chen)).items.map(r => r.id).sort(),
      ).toEqual([created.id, other.id].sort());
      expect(await service.list({}, ana)).toEqual({
        items: [expect.objectContaining({ id: created.id })],
        totalCount: 1,
      });
      expect((await service.list({}, ana)).items[0].messages).toBeUndefined();
      expect(
        (await service.list({ team: 'group:default/search' }, ana)).totalCount,
      ).toBe(0);
      expect(
        (await service.list({ team: 'search' }, chen)).items.map(r => r.id),
      ).toEqual([other.id]);
      expect(
        (await service.list({ status: 'AwaitingTeam' }, chen)).totalCount,
      ).toBe(0);
      await expect(service.list({ limit: 0 }, chen)).rejects.toThrow(/limit/);
    });

    it('flips the status with each side’s reply and notifies the other side', async () => {
      const { service, notifier, tick } = await setup();
      const created = await service.create(question, ana);
      notifier.sent.length = 0;

      tick(30);
      const answered = await service.reply(
        created.id,
        { body: 'Use the golden AMI catalog.', version: 1 },
        chen,
      );
      expect(answered).toMatchObject({
        status: 'AwaitingTeam',
        version: 2,
        updatedAt: '2026-11-02T10:30:00.000Z',
      });
      expect(answered.messages!.map(m => m.side)).toEqual([
        'team',
        'central-it',
      ]);

      tick(30);
      const followUp = await service.reply(
        created.id,
        { body: 'Which region?', version: 2 },
        bo,
      );
      expect(followUp.status).toBe('AwaitingCentralIt');

      // In both Central IT and the team: answers as Central IT.
      const both = await service.reply(
        created.id,
        { body: 'eu-west-1', version: 3 },
        dana,
      );
      expect(both.status).toBe('AwaitingTeam');
      expect(both.messages!.at(-1)).toMatchObject({
        author: 'user:default/dana',
        side: 'central-it',
      });

      expect(notifier.sent.map(n => [n.recipients, n.exclude])).toEqual([
        [['group:default/payments'], ['user:default/chen']],
        [['group:default/central-it'], ['user:default/bo']],
        [['group:default/payments'], ['user:default/dana']],
      ]);
      expect(notifier.sent.every(n => n.topic === 'service-request')).toBe(
        true,
      );
    });

    it('refuses a stale version, outsiders and callers without the permission', async () => {
      const { service } = await setup();
      const created = await service.create(question, ana);
      await service.reply(created.id, { body: 'first', version: 1 }, chen);
      const stale = service.reply(
        created.id,
        { body: 'second', version: 1 },
        ana,
      );
      await expect(stale).rejects.toThrow(ConflictError);
      await expect(stale).rejects.toThrow(/at version 2, not 1/);
      await expect(
        service.reply(created.id, { body: 'hi', version: 2 }, eve),
      ).rejects.toThrow(NotFoundError);
      await expect(
        service.reply(created.id, { body: 'hi', version: 2 }, frank),
      ).rejects.toThrow(NotAllowedError);
      await expect(
        service.close(created.id, { version: 2 }, frank),
      ).rejects.toThrow(NotAllowedError);
      await expect(
        service.reply(created.id, { body: ' ', version: 2 }, ana),
      ).rejects.toThrow(/body: must be 1 to 10000/);
      expect((await service.get(created.id, ana)).messages).toHaveLength(2);
    });

    it('closes with a reason, notifies the team when Central IT closes, and stays closed', async () => {
      const { service, notifier, tick } = await setup();
      const created = await service.create(question, ana);
      notifier.sent.length = 0;
      tick(60);
      const closed = await service.close(
        created.id,
        { version: 1, reason: 'Answered in the wiki.' },
        chen,
      );
      expect(closed).toMatchObject({
        status: 'Closed',
        closedAt: '2026-11-02T11:00:00.000Z',
        version: 2,
      });
      expect(closed.messages!.at(-1)).toMatchObject({
        side: 'central-it',
        body: 'Answered in the wiki.',
      });
      expect(notifier.sent).toEqual([
        expect.objectContaining({
          recipients: ['group:default/payments'],
          exclude: ['user:default/chen'],
        }),
      ]);

      const reply = service.reply(
        created.id,
        { body: 'wait', version: 2 },
        ana,
      );
      await expect(reply).rejects.toThrow(ConflictError);
      await expect(reply).rejects.toThrow(/is closed/);
      await expect(
        service.close(created.id, { version: 2 }, ana),
      ).rejects.toThrow(/is closed/);
    });

    it('lets the team close without a reason and without telling anyone', async () => {
      const { service, notifier } = await setup();
      const created = await service.create(question, ana);
      notifier.sent.length = 0;
      const closed = await service.close(created.id, { version: 1 }, bo);
      expect(closed.status).toBe('Closed');
      expect(closed.messages).toHaveLength(1);
      expect(notifier.sent).toEqual([]);
    });
  },
);
