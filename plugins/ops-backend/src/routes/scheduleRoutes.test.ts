import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CHANGE_TYPE_ANNOTATIONS as K } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { DatabaseRfcStore } from '../database/DatabaseRfcStore';
import { opsPlugin } from '../plugin';
import {
  CENTRAL_IT,
  ENTITIES,
  GROUPS,
  newRfc,
  PAYMENTS_API,
  PAYMENTS_DB,
  STOREFRONT,
  WEB,
} from '../services/Schedule/__testUtils__/scheduleFixtures';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const HOUR = 3_600_000;
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

const template = (id: string, approval: string): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name: id,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-origin-location':
        'url:https://change-types.test/all.yaml',
      'backstage.io/managed-by-location': `url:https://change-types.test/${id}.yaml`,
      [K.id]: id,
      [K.version]: '1.0',
      [K.classification]: 'Management/Database/RDS/Restart',
      [K.automation]: 'manual',
      [K.approval]: approval,
      [K.expectedDuration]: 'PT30M',
      [K.risk]: 'low',
    },
  },
  spec: {
    type: 'change',
    owner: CENTRAL_IT,
    parameters: { properties: {} },
    steps: [
      {
        id: 'rfc',
        action: 'ops:rfc:create',
        input: { changeTypeId: id, parameters: '${{ parameters }}' },
      },
    ],
  },
});

async function startBackend(
  knex: Knex,
  extra: any[] = [],
  opsConfig: Record<string, unknown> = {},
) {
  const scheduler = mockServices.scheduler.mock();
  const sent: NotificationSendOptions[] = [];
  const { server } = await startTestBackend({
    features: [
      opsPlugin,
      scheduler.factory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'https://portal.test' },
          ops: {
            centralIt: { group: CENTRAL_IT },
            changeTypes: {
              trustedLocations: ['url:https://change-types.test/*'],
            },
            ...opsConfig,
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [
          ...ENTITIES,
          template('cache-flush', 'none'),
          template('db-restart', 'central-it'),
        ],
      }),
      mockServices.userInfo.mock({
        async getUserInfo(credentials: any) {
          const ref = credentials.principal.userEntityRef as string;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
          };
        },
      }).factory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (notification: NotificationSendOptions) => {
            sent.push(notification);
          },
        }),
      }),
      ...extra,
    ],
  });
  return { server, scheduler, sent };
}

/** A day ahead at 10:00 UTC, so nothing here is in the past. */
function baseTime(): Date {
  const day = new Date(Date.now() + 2 * 24 * HOUR);
  day.setUTCHours(10, 0, 0, 0);
  return day;
}
const at = (base: Date, hours: number) =>
  new Date(base.getTime() + hours * HOUR);
/** The local date-time of a freeze in UTC. */
const local = (date: Date) => date.toISOString().slice(0, 16);
/** iCalendar text with its folded lines joined again. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

const rfcBody = (
  targetEntityRef: string,
  start: Date,
  title: string,
  changeTypeId = 'cache-flush',
) => ({
  changeTypeId,
  title,
  description: 'd',
  targetEntityRef,
  parameters: {},
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  requestedStartTime: start.toISOString(),
  submit: true,
});

describe.each(databases.eachSupportedId())(
  'change schedule routes on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });

    it("limits each caller's writes as configured", async () => {
      const { server } = await startBackend(knex, [], {
        limits: { writesPerWindow: 2, windowSeconds: 60 },
      });
      const issue = (user: string) =>
        request(server)
          .post('/api/ops/calendar/feed-tokens')
          .set('Authorization', as(user))
          .send({ label: 'Laptop' });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await issue('ana')).status);
      expect(statuses).toEqual([201, 201, 429]);
      expect((await issue('wei')).status).toBe(201);
      const read = await request(server)
        .get('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'));
      expect(read.status).toBe(200);
      expect(read.body.items).toHaveLength(2);
    });

    it('answers 401 without credentials everywhere but the feed', async () => {
      const { server } = await startBackend(knex);
      const routes: Array<[string, string]> = [
        ['get', '/api/ops/freezes'],
        ['post', '/api/ops/freezes'],
        ['get', '/api/ops/freezes/FRZ-000001'],
        ['put', '/api/ops/freezes/FRZ-000001'],
        ['post', '/api/ops/freezes/FRZ-000001/lift'],
        ['get', '/api/ops/schedule'],
        ['get', '/api/ops/calendar/feed-tokens'],
        ['post', '/api/ops/calendar/feed-tokens'],
        ['delete', '/api/ops/calendar/feed-tokens/1'],
        ['get', '/api/ops/rfcs/RFC-000001/conflicts'],
      ];
      for (const [method, path] of routes) {
        const res = await (request(server) as any)[method](path).send({});
        expect({ method, path, status: res.status }).toEqual({
          method,
          path,
          status: 401,
        });
      }
      // The feed needs no Backstage token: its own token is the credential.
      const feed = await request(server).get(
        `/api/ops/calendar/feed/opsfeed_${'a'.repeat(43)}.ics`,
      );
      expect(feed.status).toBe(404);
      // People only: a service may not declare freezes.
      await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', mockCredentials.service.header())
        .send({})
        .expect(403);
    });

    it('serves the calendar of RFCs and freezes, with their conflicts, to each as they may see it', async () => {
      const { server, sent } = await startBackend(knex);
      const base = baseTime();
      const create = async (who: string, body: object) => {
        const res = await request(server)
          .post('/api/ops/rfcs')
          .set('Authorization', as(who))
          .send(body);
        expect(res.status).toBe(201);
        return res.body;
      };
      const api = await create(
        'ana',
        rfcBody(PAYMENTS_API, base, 'Flush the API cache'),
      );
      expect(api.status).toBe('Scheduled');
      const db = await create(
        'ana',
        rfcBody(PAYMENTS_DB, at(base, 0.25), 'Flush the query cache'),
      );
      const later = await create(
        'ana',
        rfcBody(PAYMENTS_API, at(base, 2), 'Flush again'),
      );
      const shop = await create(
        'wei',
        rfcBody(STOREFRONT, base, 'Flush the page cache'),
      );

      const declared = await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('omar'))
        .send({
          name: 'Storefront launch',
          reason: 'Marketing campaign goes live',
          start: local(at(base, -1)),
          end: local(at(base, 1)),
          timezone: 'UTC',
          scope: { type: 'entities', refs: [STOREFRONT] },
        });
      expect(declared.status).toBe(201);
      const freeze = declared.body;
      expect(freeze).toMatchObject({
        id: 'FRZ-000001',
        side: 'central-it',
        version: 1,
      });
      // wei is told the freeze now holds the approved storefront change.
      expect(
        sent
          .filter(n => n.payload.topic === 'rfc-held')
          .map(n => [n.recipients, n.payload.title]),
      ).toEqual([
        [
          {
            type: 'entity',
            entityRef: ['user:default/wei'],
            excludeEntityRef: ['user:default/omar'],
          },
          `${shop.id} is held by the freeze "Storefront launch"`,
        ],
      ]);

      const calendar = (who: string, query: Record<string, string> = {}) =>
        request(server)
          .get('/api/ops/schedule')
          .query({
            from: at(base, -24).toISOString(),
            to: at(base, 24).toISOString(),
            ...query,
          })
          .set('Authorization', as(who));
      const all = await calendar('omar');
      expect(all.status).toBe(200);
      const byId = new Map<string, any>(
        all.body.rfcs.map((r: any) => [r.id, r]),
      );
      expect([...byId.keys()].sort()).toEqual(
        [api.id, db.id, later.id, shop.id].sort(),
      );
      // The API and its stack collide; the later flush and the storefront do not.
      expect(byId.get(api.id)).toMatchObject({
        conflictsWith: [db.id],
        frozenBy: [],
        start: base.toISOString(),
        end: at(base, 0.5).toISOString(),
        changeClass: 'standard',
      });
      expect(byId.get(db.id).conflictsWith).toEqual([api.id]);
      expect(byId.get(later.id).conflictsWith).toEqual([]);
      expect(byId.get(shop.id)).toMatchObject({
        conflictsWith: [],
        frozenBy: [freeze.id],
      });
      expect(all.body.freezes).toEqual([
        expect.objectContaining({
          freezeId: freeze.id,
          name: 'Storefront launch',
          start: at(base, -1).toISOString(),
          end: at(base, 1).toISOString(),
          scope: { type: 'entities', refs: [STOREFRONT] },
        }),
      ]);
      // A team sees its own RFCs, and Central IT's freezes.
      const payments = await calendar('ana');
      expect(payments.body.rfcs.map((r: any) => r.id).sort()).toEqual(
        [api.id, db.id, later.id].sort(),
      );
      expect(payments.body.freezes.map((f: any) => f.freezeId)).toEqual([
        freeze.id,
      ]);
      const web = await calendar('wei', { owner: 'web' });
      expect(web.body).toMatchObject({ owner: WEB });
      expect(web.body.rfcs.map((r: any) => r.id)).toEqual([shop.id]);

      // The RFC's own conflicts, for its approver.
      const conflicts = await request(server)
        .get(`/api/ops/rfcs/${api.id}/conflicts`)
        .set('Authorization', as('omar'));
      expect(conflicts.status).toBe(200);
      expect(conflicts.body.overlapping.map((o: any) => o.id)).toEqual([db.id]);
      await request(server)
        .get(`/api/ops/rfcs/${api.id}/conflicts`)
        .set('Authorization', as('wei'))
        .expect(404);

      // Bad queries name their field.
      const missing = await request(server)
        .get('/api/ops/schedule')
        .query({ from: base.toISOString() })
        .set('Authorization', as('ana'));
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toMatch(/\bto: /);
      const long = await calendar('ana', {
        to: at(base, 24 * 200).toISOString(),
      });
      expect(long.status).toBe(400);
      expect(long.body.error.message).toContain(
        'to: the calendar shows at most 100 days at once',
      );
      const owner = await calendar('ana', { owner: 'user:default/ana' });
      expect(owner.status).toBe(400);
      expect(owner.body.error.message).toContain('owner: ');
    });

    it('declares, reads, changes and lifts freezes, answering bad input with 400 naming the field', async () => {
      const { server } = await startBackend(knex);
      const base = baseTime();
      const body = {
        name: 'Payments migration',
        reason: 'Moving the ledger',
        start: local(base),
        end: local(at(base, 4)),
        scope: { type: 'owner', ref: 'group:default/payments' },
      };
      const bad = await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('ana'))
        .send({ ...body, end: local(at(base, -1)), name: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('name: is required');
      expect(bad.body.error.message).toContain(
        `end: ${local(at(base, -1))} is not after start`,
      );
      const ghost = await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('omar'))
        .send({
          ...body,
          scope: { type: 'entities', refs: ['component:default/ghost'] },
        });
      expect(ghost.status).toBe(400);
      expect(ghost.body.error.message).toContain(
        'scope.refs: component:default/ghost is not in the catalog',
      );
      await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('wei'))
        .send(body)
        .expect(403);
      expect(Number((await knex('ops_freezes').count({ n: '*' }))[0].n)).toBe(
        0,
      );

      const created = await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('ana'))
        .send(body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        side: 'team',
        teamGroup: 'group:default/payments',
      });
      const id = created.body.id;
      const listed = await request(server)
        .get('/api/ops/freezes')
        .set('Authorization', as('priya'));
      expect(listed.body.items.map((f: any) => f.id)).toEqual([id]);
      expect(listed.body.occurrences).toEqual([
        expect.objectContaining({ freezeId: id, start: base.toISOString() }),
      ]);
      // Another team's freeze is not found, and a bad id is a 400.
      await request(server)
        .get(`/api/ops/freezes/${id}`)
        .set('Authorization', as('wei'))
        .expect(404);
      const badId = await request(server)
        .get('/api/ops/freezes/12')
        .set('Authorization', as('ana'));
      expect(badId.status).toBe(400);
      expect(badId.body.error.message).toContain('id: must be a freeze id');
      const badQuery = await request(server)
        .get('/api/ops/freezes?from=soon')
        .set('Authorization', as('ana'));
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.error.message).toContain('from: ');

      const changed = await request(server)
        .put(`/api/ops/freezes/${id}`)
        .set('Authorization', as('priya'))
        .send({ ...body, version: 1, end: local(at(base, 6)) });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        version: 2,
        endsAt: at(base, 6).toISOString(),
      });
      const stale = await request(server)
        .put(`/api/ops/freezes/${id}`)
        .set('Authorization', as('ana'))
        .send({ ...body, version: 1 });
      expect(stale.status).toBe(409);
      const noVersion = await request(server)
        .put(`/api/ops/freezes/${id}`)
        .set('Authorization', as('ana'))
        .send(body);
      expect(noVersion.status).toBe(400);
      expect(noVersion.body.error.message).toContain('version: ');

      const liftBad = await request(server)
        .post(`/api/ops/freezes/${id}/lift`)
        .set('Authorization', as('ana'))
        .send({ version: 'two' });
      expect(liftBad.status).toBe(400);
      expect(liftBad.body.error.message).toContain('version: ');
      const lifted = await request(server)
        .post(`/api/ops/freezes/${id}/lift`)
        .set('Authorization', as('ana'))
        .send({ version: 2 });
      expect(lifted.status).toBe(200);
      expect(lifted.body).toMatchObject({ liftedBy: 'user:default/ana' });
      const afterLift = await request(server)
        .get('/api/ops/freezes')
        .set('Authorization', as('ana'));
      expect(afterLift.body.items).toEqual([]);
      const withLifted = await request(server)
        .get('/api/ops/freezes?includeLifted=true')
        .set('Authorization', as('ana'));
      expect(withLifted.body.items.map((f: any) => f.id)).toEqual([id]);
    });

    it('serves the iCalendar feed to its token alone, until the token is revoked', async () => {
      const { server } = await startBackend(knex);
      const base = baseTime();
      const api = await request(server)
        .post('/api/ops/rfcs')
        .set('Authorization', as('ana'))
        .send(rfcBody(PAYMENTS_API, base, 'Flush the API cache'))
        .expect(201);
      const shop = await request(server)
        .post('/api/ops/rfcs')
        .set('Authorization', as('wei'))
        .send(rfcBody(STOREFRONT, base, 'Flush the page cache'))
        .expect(201);
      await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('omar'))
        .send({
          name: 'Quarter close',
          reason: 'Finance closes the books',
          start: local(at(base, 24)),
          end: local(at(base, 48)),
          scope: { type: 'global' },
        })
        .expect(201);

      const badLabel = await request(server)
        .post('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'))
        .send({ label: ' ' });
      expect(badLabel.status).toBe(400);
      expect(badLabel.body.error.message).toContain('label: is required');
      const foreign = await request(server)
        .post('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'))
        .send({ label: 'Web', owner: 'group:default/web' });
      expect(foreign.status).toBe(403);

      const issued = await request(server)
        .post('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'))
        .send({ label: 'Outlook' });
      expect(issued.status).toBe(201);
      const { token, feedToken, url } = issued.body;
      expect(token).toMatch(/^opsfeed_[A-Za-z0-9_-]{43}$/);
      expect(url).toMatch(new RegExp(`/api/ops/calendar/feed/${token}\\.ics$`));
      expect(feedToken).toEqual({
        id: expect.any(Number),
        label: 'Outlook',
        createdAt: expect.any(String),
      });
      const mine = await request(server)
        .get('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'));
      expect(mine.body.items).toEqual([feedToken]);
      const theirs = await request(server)
        .get('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('wei'));
      expect(theirs.body.items).toEqual([]);

      // No Authorization header: a mail client subscribing.
      const feed = await request(server).get(
        `/api/ops/calendar/feed/${token}.ics`,
      );
      expect(feed.status).toBe(200);
      expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
      const text = unfold(feed.text);
      expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
      expect(text.match(/^BEGIN:VEVENT$/gm)).toHaveLength(2);
      expect(text).toContain(`SUMMARY:${api.body.id} Flush the API cache`);
      expect(text).toContain(`URL:https://portal.test/ops/rfcs/${api.body.id}`);
      expect(text).toContain('SUMMARY:Freeze: Quarter close');
      expect(text).toContain('DESCRIPTION:Finance closes the books');
      // Only what ana may see.
      expect(text).not.toContain(shop.body.id);
      // Its use is recorded.
      const used = await request(server)
        .get('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('ana'));
      expect(used.body.items[0].lastUsedAt).toEqual(expect.any(String));

      // Someone else cannot revoke it.
      await request(server)
        .delete(`/api/ops/calendar/feed-tokens/${feedToken.id}`)
        .set('Authorization', as('wei'))
        .expect(404);
      const badId = await request(server)
        .delete('/api/ops/calendar/feed-tokens/first')
        .set('Authorization', as('ana'));
      expect(badId.status).toBe(400);
      expect(badId.body.error.message).toContain('id: ');
      await request(server)
        .delete(`/api/ops/calendar/feed-tokens/${feedToken.id}`)
        .set('Authorization', as('ana'))
        .expect(204);
      const revoked = await request(server).get(
        `/api/ops/calendar/feed/${token}.ics`,
      );
      expect(revoked.status).toBe(404);
      expect(revoked.text).not.toContain('VCALENDAR');
      await request(server)
        .delete(`/api/ops/calendar/feed-tokens/${feedToken.id}`)
        .set('Authorization', as('ana'))
        .expect(404);
      for (const file of [
        `opsfeed_${'b'.repeat(43)}.ics`,
        `${token}.txt`,
        'nonsense.ics',
      ]) {
        const res = await request(server).get(`/api/ops/calendar/feed/${file}`);
        expect({ file, status: res.status }).toEqual({ file, status: 404 });
      }
    });

    it('answers 403 when the permission policy denies', async () => {
      const { server } = await startBackend(knex, [
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ]);
      const base = baseTime();
      const res = await request(server)
        .post('/api/ops/freezes')
        .set('Authorization', as('omar'))
        .send({
          name: 'Freeze',
          reason: 'Because',
          start: local(base),
          end: local(at(base, 1)),
          scope: { type: 'global' },
        });
      expect(res.status).toBe(403);
      expect(Number((await knex('ops_freezes').count({ n: '*' }))[0].n)).toBe(
        0,
      );
      await request(server)
        .get('/api/ops/schedule')
        .query({
          from: base.toISOString(),
          to: at(base, 24).toISOString(),
        })
        .set('Authorization', as('omar'))
        .expect(403);
      await request(server)
        .post('/api/ops/calendar/feed-tokens')
        .set('Authorization', as('omar'))
        .send({ label: 'Outlook' })
        .expect(403);
    });

    it('tells Central IT once about each emergency whose review is overdue', async () => {
      const { scheduler, sent } = await startBackend(knex);
      const task = scheduler.scheduleTask.mock.calls
        .map(([t]) => t)
        .find(t => t.id === 'ops-emergency-review-overdue');
      expect(task).toMatchObject({ scope: 'global' });

      const store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex }),
      });
      const ended = async (reviewDueAt: string, reviewed = false) => {
        const rfc = await store.create(
          newRfc({
            status: 'InProgress',
            changeClass: 'emergency',
            emergencyIncidentId: 'INC-000001',
          }),
          [],
        );
        const done = await store.transition({
          id: rfc.id,
          expectedStatus: 'InProgress',
          expectedVersion: rfc.version,
          toStatus: 'Success',
          changes: { reviewDueAt },
          event: { actor: 'user:default/lena', action: 'succeed' },
        });
        if (!reviewed) return done;
        return store.transition({
          id: rfc.id,
          expectedStatus: 'Success',
          expectedVersion: done.version,
          toStatus: 'Success',
          changes: {
            review: {
              whatHappened: 'w',
              rootCause: 'PRB-000001',
              followUp: 'f',
              reviewedBy: 'user:default/ana',
              reviewedAt: new Date().toISOString(),
              onTime: false,
            },
          },
          event: { actor: 'user:default/ana', action: 'review' },
        });
      };
      const past = new Date(Date.now() - HOUR).toISOString();
      const overdue = await ended(past);
      await ended(new Date(Date.now() + 24 * HOUR).toISOString());
      await ended(past, true);

      const run = () => task!.fn(new AbortController().signal as any);
      await run();
      await run();
      const told = sent.filter(
        n => n.payload.topic === 'emergency-review-overdue',
      );
      expect(told).toEqual([
        {
          recipients: { type: 'entity', entityRef: [CENTRAL_IT] },
          payload: expect.objectContaining({
            title: `The review of emergency ${overdue.id} is overdue`,
            description: expect.stringContaining(
              `its post-implementation review was due ${past}`,
            ),
            link: `/ops/rfcs/${overdue.id}`,
            severity: 'high',
          }),
        },
      ]);
    });
  },
);
