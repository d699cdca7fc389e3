import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonValue } from '@backstage/types';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CHANGE_TYPE_ANNOTATIONS } from '@cloud-ops/plugin-ops-common';
import request from 'supertest';
import { opsPlugin } from './plugin';

jest.setTimeout(60_000);

const CENTRAL_IT = 'group:default/central-it';
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/priya': ['group:default/payments'],
  'user:default/wei': ['group:default/web'],
  'user:default/omar': [CENTRAL_IT],
  'user:default/lena': [CENTRAL_IT],
};
const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);

/** Where the catalog says the change types come from: a trusted location. */
const TRUSTED_LOCATION = {
  'backstage.io/managed-by-origin-location':
    'url:https://change-types.test/all.yaml',
  'backstage.io/managed-by-location': 'url:https://change-types.test/t.yaml',
};

const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const template = (
  id: string,
  annotations: Record<string, string>,
  parameters: JsonValue,
): Entity => {
  const all = {
    [CHANGE_TYPE_ANNOTATIONS.id]: id,
    [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
    [CHANGE_TYPE_ANNOTATIONS.classification]:
      'Management/Compute/EC2 instance/Restart',
    [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
    [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
    [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT30M',
    [CHANGE_TYPE_ANNOTATIONS.risk]: 'medium',
    ...annotations,
  };
  const intake = {
    id: 'rfc',
    action: 'ops:rfc:create',
    input: { changeTypeId: id, parameters: '${{ parameters }}' },
  };
  const automation = {
    id: 'work',
    if: '${{ steps.rfc.output.execution }}',
    action: 'debug:log',
  };
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: id,
      namespace: 'default',
      title: id,
      annotations: { ...TRUSTED_LOCATION, ...all },
    },
    spec: {
      type: 'change',
      owner: CENTRAL_IT,
      parameters,
      steps:
        all[CHANGE_TYPE_ANNOTATIONS.automation] === 'automated'
          ? [intake, automation]
          : [intake],
    },
  };
};

const entities: Entity[] = [
  // The people, so that a peer reviewer can be found.
  ...Object.entries(GROUPS).map(([ref, memberOf]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: ref.split('/')[1], namespace: 'default' },
    spec: { memberOf },
  })),
  component('payments-api', 'payments'),
  component('storefront', 'group:default/web'),
  template('ec2-restart', {}, [
    {
      title: 'What',
      required: ['instanceCount'],
      properties: {
        instanceCount: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
    { properties: { reason: { type: 'string', maxLength: 100 } } },
  ]),
  template(
    'snapshot-create',
    {
      [CHANGE_TYPE_ANNOTATIONS.automation]: 'automated',
      [CHANGE_TYPE_ANNOTATIONS.approval]: 'none',
      [CHANGE_TYPE_ANNOTATIONS.risk]: 'low',
    },
    { properties: {} },
  ),
  template(
    'old-restart',
    { [CHANGE_TYPE_ANNOTATIONS.deprecated]: 'use ec2-restart' },
    { properties: {} },
  ),
];

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef as string;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
    };
  },
});

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

const rfcBody = (overrides: Record<string, unknown> = {}) => ({
  changeTypeId: 'ec2-restart',
  title: 'Restart payments-api instances',
  description: 'Memory leak; restart until the fix ships',
  targetEntityRef: 'component:default/payments-api',
  parameters: { instanceCount: 2 },
  implementationPlan: 'Restart one instance at a time behind the load balancer',
  testPlan: 'Rehearsed in staging',
  rollbackPlan: 'Nothing to roll back; instances come back as they were',
  requestedStartTime: inOneHour(),
  submit: true,
  ...overrides,
});

async function startBackend(extra: any[] = []) {
  const { server } = await startTestBackend({
    features: [
      opsPlugin,
      mockServices.rootConfig.factory({
        data: {
          ops: {
            centralIt: { group: CENTRAL_IT },
            changeTypes: {
              trustedLocations: ['url:https://change-types.test/*'],
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities }),
      userInfo.factory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ...extra,
    ],
  });
  return server;
}

describe('RFC lifecycle through /api/ops', () => {
  it('routes approvals by origin and records every step', async () => {
    const server = await startBackend();

    // A developer's RFC waits for Central IT.
    const created = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(rfcBody());
    expect(created.status).toBe(201);
    const rfc = created.body;
    expect(rfc).toMatchObject({
      id: expect.stringMatching(/^RFC-\d{6}$/),
      status: 'PendingApproval',
      origin: 'user',
      requester: 'user:default/ana',
      ownerGroup: 'group:default/payments',
      approverGroup: CENTRAL_IT,
      risk: 'medium',
      changeTypeVersion: '1.0',
      version: 1,
    });

    // The developer cannot approve it, nor can a teammate.
    for (const who of ['ana', 'priya']) {
      const denied = await request(server)
        .post(`/api/ops/rfcs/${rfc.id}/approve`)
        .set('Authorization', as(who))
        .send({ version: 1 });
      expect(denied.status).toBe(403);
    }

    // A Central IT operator approves it.
    const approved = await request(server)
      .post(`/api/ops/rfcs/${rfc.id}/approve`)
      .set('Authorization', as('omar'))
      .send({ version: 1, comment: 'Fine during business hours' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'Scheduled',
      version: 2,
      approvals: [
        {
          approver: 'user:default/omar',
          decision: 'approved',
          comment: 'Fine during business hours',
        },
      ],
    });

    // Approving again with the old version is a conflict.
    const again = await request(server)
      .post(`/api/ops/rfcs/${rfc.id}/approve`)
      .set('Authorization', as('lena'))
      .send({ version: 1 });
    expect(again.status).toBe(409);

    // Too early to start, even for Central IT, who carries manual changes out.
    const early = await request(server)
      .post(`/api/ops/rfcs/${rfc.id}/start`)
      .set('Authorization', as('lena'))
      .send({ version: 2 });
    expect(early.status).toBe(409);

    // A Central IT RFC against the team's component waits for that team.
    const centralItRfc = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('omar'))
      .send(rfcBody({ title: 'Apply OS updates outside the window' }));
    expect(centralItRfc.status).toBe(201);
    expect(centralItRfc.body).toMatchObject({
      status: 'PendingApproval',
      origin: 'central-it',
      approverGroup: 'group:default/payments',
    });
    const lena = await request(server)
      .post(`/api/ops/rfcs/${centralItRfc.body.id}/approve`)
      .set('Authorization', as('lena'))
      .send({ version: 1 });
    expect(lena.status).toBe(403);
    const priya = await request(server)
      .post(`/api/ops/rfcs/${centralItRfc.body.id}/reject`)
      .set('Authorization', as('priya'))
      .send({ version: 1, comment: 'Not during the sale' });
    expect(priya.status).toBe(200);
    expect(priya.body).toMatchObject({
      status: 'Rejected',
      statusReason: 'Not during the sale',
    });

    // Every step is in the history.
    const history = await request(server)
      .get(`/api/ops/rfcs/${rfc.id}/events`)
      .set('Authorization', as('priya'));
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((e: any) => [
        e.actor,
        e.action,
        e.fromStatus,
        e.toStatus,
      ]),
    ).toEqual([
      ['user:default/ana', 'create', undefined, 'Editing'],
      ['user:default/ana', 'submit', 'Editing', 'PendingApproval'],
      ['user:default/omar', 'approve', 'PendingApproval', 'Scheduled'],
    ]);
    const otherHistory = await request(server)
      .get(`/api/ops/rfcs/${centralItRfc.body.id}/events`)
      .set('Authorization', as('omar'));
    expect(otherHistory.body.items.map((e: any) => e.action)).toEqual([
      'create',
      'submit',
      'reject',
    ]);

    // Lists and the entity's change history see both.
    const pending = await request(server)
      .get(
        '/api/ops/rfcs?status=Scheduled&status=Rejected&owner=group:default/payments',
      )
      .set('Authorization', as('ana'));
    expect(pending.body).toHaveProperty('items');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((r: any) => r.id).sort()).toEqual(
      [rfc.id, centralItRfc.body.id].sort(),
    );
    const short = await request(server)
      .get('/api/ops/rfcs?owner=payments&requester=ana')
      .set('Authorization', as('lena'));
    expect(short.body.items.map((r: any) => r.id)).toEqual([rfc.id]);
    const paged = await request(server)
      .get('/api/ops/rfcs?limit=1&sort=createdAt&order=asc')
      .set('Authorization', as('priya'));
    expect(paged.status).toBe(200);
    expect(paged.body.items.map((r: any) => r.id)).toEqual([rfc.id]);
    const next = await request(server)
      .get(
        `/api/ops/rfcs?limit=1&sort=createdAt&order=asc&cursor=${paged.body.nextCursor}`,
      )
      .set('Authorization', as('priya'));
    expect(next.body.items.map((r: any) => r.id)).toEqual([
      centralItRfc.body.id,
    ]);
    expect(next.body.nextCursor).toBeUndefined();
    const byEntity = await request(server)
      .get('/api/ops/entities/component/default/payments-api/rfcs')
      .set('Authorization', as('ana'));
    expect(byEntity.body.items).toHaveLength(2);
    const calendar = await request(server)
      .get(
        `/api/ops/calendar?from=${new Date().toISOString()}&to=${new Date(
          Date.now() + 86_400_000,
        ).toISOString()}`,
      )
      .set('Authorization', as('priya'));
    // Rejected RFCs are not on the calendar.
    expect(calendar.body.items.map((r: any) => r.id)).toEqual([rfc.id]);

    // Another team sees none of it: not in lists, not by id, not in history.
    for (const path of [
      '/api/ops/rfcs',
      '/api/ops/rfcs?owner=payments',
      '/api/ops/entities/component/default/payments-api/rfcs',
    ]) {
      const other = await request(server)
        .get(path)
        .set('Authorization', as('wei'));
      expect({ path, items: other.body.items }).toEqual({ path, items: [] });
    }
    for (const path of [
      `/api/ops/rfcs/${rfc.id}`,
      `/api/ops/rfcs/${rfc.id}/events`,
      `/api/ops/rfcs/${rfc.id}/execution`,
    ]) {
      const other = await request(server)
        .get(path)
        .set('Authorization', as('wei'));
      expect({ path, status: other.status }).toEqual({ path, status: 404 });
    }
  });

  it('runs an RFC from edit to outcome', async () => {
    const server = await startBackend();
    const draft = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(rfcBody({ submit: false, requestedStartTime: undefined }));
    expect(draft.body).toMatchObject({ status: 'Editing' });
    const id = draft.body.id;

    const notMine = await request(server)
      .patch(`/api/ops/rfcs/${id}`)
      .set('Authorization', as('priya'))
      .send({ version: 1, title: 'Mine now' });
    expect(notMine.status).toBe(403);

    const edited = await request(server)
      .patch(`/api/ops/rfcs/${id}`)
      .set('Authorization', as('ana'))
      .send({
        version: 1,
        parameters: { instanceCount: 3 },
        peerReviewer: 'priya',
      });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      version: 2,
      parameters: { instanceCount: 3 },
      peerReviewer: 'user:default/priya',
    });

    const submitted = await request(server)
      .post(`/api/ops/rfcs/${id}/submit`)
      .set('Authorization', as('ana'))
      .send({ version: 2 });
    expect(submitted.body).toMatchObject({
      status: 'PendingApproval',
      version: 3,
    });
    await request(server)
      .post(`/api/ops/rfcs/${id}/approve`)
      .set('Authorization', as('omar'))
      .send({ version: 3 })
      .expect(200);
    // A manual change type: a person carries it out, never a service token.
    const byService = await request(server)
      .post(`/api/ops/rfcs/${id}/start`)
      .set('Authorization', mockCredentials.service.header())
      .send({ version: 4 });
    expect(byService.status).toBe(403);
    const started = await request(server)
      .post(`/api/ops/rfcs/${id}/start`)
      .set('Authorization', as('omar'))
      .send({ version: 4 });
    expect(started.body).toMatchObject({ status: 'InProgress' });
    const serviceDone = await request(server)
      .post(`/api/ops/rfcs/${id}/complete`)
      .set('Authorization', mockCredentials.service.header())
      .send({ version: 5, outcome: 'Success' });
    expect(serviceDone.status).toBe(403);
    const done = await request(server)
      .post(`/api/ops/rfcs/${id}/complete`)
      .set('Authorization', as('omar'))
      .send({
        version: 5,
        outcome: 'Failure',
        outcomeNotes: 'Instance 2 did not come back',
      });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'Failure',
      outcomeNotes: 'Instance 2 did not come back',
    });
    // Retrying is an explicit step that schedules a new attempt.
    const retried = await request(server)
      .post(`/api/ops/rfcs/${id}/retry`)
      .set('Authorization', as('ana'))
      .send({ version: 6, reason: 'Instance 2 was replaced' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'Scheduled', version: 7 });
    const events = await request(server)
      .get(`/api/ops/rfcs/${id}/events`)
      .set('Authorization', as('ana'));
    expect(events.body.items.map((e: any) => `${e.actor}:${e.action}`)).toEqual(
      [
        'user:default/ana:create',
        'user:default/ana:edit',
        'user:default/ana:submit',
        'user:default/omar:approve',
        'user:default/omar:start',
        'user:default/omar:fail',
        'user:default/ana:retry',
      ],
    );
  });

  it('approves pre-approved change types on submission', async () => {
    const server = await startBackend();
    const res = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(
        rfcBody({
          changeTypeId: 'snapshot-create',
          parameters: {},
          requestedStartTime: undefined,
        }),
      );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'Scheduled', risk: 'low' });
    expect(res.body.approverGroup).toBeUndefined();
  });

  it('answers bad input with 400 per field and writes nothing', async () => {
    const server = await startBackend();
    const bad = async (body: object, ...messages: RegExp[]) => {
      const res = await request(server)
        .post('/api/ops/rfcs')
        .set('Authorization', as('ana'))
        .send(body);
      expect(res.status).toBe(400);
      for (const m of messages) expect(res.body.error.message).toMatch(m);
    };
    await bad({}, /changeTypeId/, /title/, /targetEntityRef/, /rollbackPlan/);
    await bad(
      rfcBody({ parameters: { instanceCount: 0, colour: 'red' } }),
      /parameters.instanceCount: must be at least 1/,
      /parameters.colour: is not a parameter/,
    );
    await bad(
      rfcBody({ parameters: {} }),
      /parameters.instanceCount: is required/,
    );
    await bad(
      rfcBody({ changeTypeId: 'old-restart' }),
      /changeTypeId.*not in the approved/,
    );
    await bad(rfcBody({ changeTypeVersion: '2.0' }), /changeTypeVersion/);
    await bad(
      rfcBody({ targetEntityRef: 'component:default/nope' }),
      /not in the catalog/,
    );
    await bad(
      rfcBody({ targetEntityRef: 'group:default/web' }),
      /component or a resource/,
    );
    await bad(
      rfcBody({ requestedStartTime: 'tomorrow' }),
      /requestedStartTime/,
    );
    await bad(
      rfcBody({
        requestedEndTime: new Date(Date.now() + 60_000).toISOString(),
      }),
      /requestedEndTime: must be after/,
    );
    await bad(rfcBody({ peerReviewer: 'user:default/ana' }), /peerReviewer/);
    await bad(
      rfcBody({ peerReviewer: "user:default/' OR 1=1" }),
      /peerReviewer: user:default\/' or 1=1 is not a user in the catalog/,
    );
    await bad(
      rfcBody({ ownerGroup: 'group:default/web' }),
      /unknown field\(s\) ownerGroup/,
    );
    await bad(
      rfcBody({ requestedStartTime: '2020-01-01T00:00:00Z' }),
      /has passed/,
    );

    const list = await request(server)
      .get('/api/ops/rfcs?status=Nope&limit=0')
      .set('Authorization', as('ana'));
    expect(list.status).toBe(400);
    expect(list.body.error.message).toMatch(/status/);
    expect(list.body.error.message).toMatch(/limit/);

    const all = await request(server)
      .get('/api/ops/rfcs')
      .set('Authorization', as('ana'));
    expect(all.body.items).toEqual([]);

    const reject = await request(server)
      .post('/api/ops/rfcs/RFC-000001/reject')
      .set('Authorization', as('omar'))
      .send({ version: 1 });
    expect(reject.status).toBe(400);
  });

  it('answers 400 to bad transitions and 409 to the wrong status', async () => {
    const server = await startBackend();
    const { body: rfc } = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(rfcBody());
    const post = (action: string, who: string, body: object) =>
      request(server)
        .post(`/api/ops/rfcs/${rfc.id}/${action}`)
        .set('Authorization', as(who))
        .send(body);

    const noVersion = await post('approve', 'omar', {});
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.message).toMatch(/version/);
    const stringVersion = await post('approve', 'omar', { version: '1' });
    expect(stringVersion.status).toBe(400);
    const noReason = await post('reject', 'omar', { version: 1 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/comment/);
    const badOutcome = await post('complete', 'ana', {
      version: 1,
      outcome: 'Maybe',
    });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.message).toMatch(/outcome/);
    const patchLocked = await request(server)
      .patch(`/api/ops/rfcs/${rfc.id}`)
      .set('Authorization', as('ana'))
      .send({ version: 1, title: 'Too late' });
    expect(patchLocked.status).toBe(409);
    const patchOwner = await request(server)
      .patch(`/api/ops/rfcs/${rfc.id}`)
      .set('Authorization', as('ana'))
      .send({ version: 1, ownerGroup: 'group:default/web' });
    expect(patchOwner.status).toBe(400);
    // Completing an RFC that never started is the wrong status.
    const complete = await post('complete', 'ana', {
      version: 1,
      outcome: 'Success',
    });
    expect(complete.status).toBe(409);
    expect(complete.body.error.message).toMatch(/InProgress/);
    await request(server)
      .get('/api/ops/rfcs/not-an-id')
      .set('Authorization', as('ana'))
      .expect(400);
    await request(server)
      .get('/api/ops/entities/comp%20onent/default/x/rfcs')
      .set('Authorization', as('ana'))
      .expect(400);
    await request(server)
      .get(
        '/api/ops/calendar?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
      )
      .set('Authorization', as('ana'))
      .expect(400);

    // Nothing above changed the RFC.
    const after = await request(server)
      .get(`/api/ops/rfcs/${rfc.id}`)
      .set('Authorization', as('ana'));
    expect(after.body).toEqual(rfc);
  });

  it('answers 401, 404 and 403', async () => {
    const server = await startBackend();
    await request(server).get('/api/ops/rfcs').expect(401);
    await request(server).post('/api/ops/rfcs').send(rfcBody()).expect(401);
    await request(server)
      .get('/api/ops/rfcs/RFC-000999')
      .set('Authorization', as('ana'))
      .expect(404);
    await request(server)
      .post('/api/ops/rfcs/RFC-000999/approve')
      .set('Authorization', as('omar'))
      .send({ version: 1 })
      .expect(404);
    // A service may not create RFCs: there is no requester.
    await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', mockCredentials.service.header())
      .send(rfcBody())
      .expect(403);

    const denied = await startBackend([
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    const res = await request(denied)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(rfcBody());
    expect(res.status).toBe(403);
    await request(denied)
      .get('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .expect(403);
  });

  it('rejects RFCs unapproved at their start time in a global scheduled task', async () => {
    const scheduler = mockServices.scheduler.mock();
    const server = await startBackend([scheduler.factory]);
    const task = scheduler.scheduleTask.mock.calls
      .map(([t]) => t)
      .find(t => t.id === 'ops-rfc-reject-unapproved-at-start');
    expect(task).toMatchObject({ scope: 'global' });

    const soon = new Date(Date.now() + 1_500).toISOString();
    const { body: rfc } = await request(server)
      .post('/api/ops/rfcs')
      .set('Authorization', as('ana'))
      .send(rfcBody({ requestedStartTime: soon }));
    expect(rfc.status).toBe('PendingApproval');

    await task!.fn(new AbortController().signal as any);
    const before = await request(server)
      .get(`/api/ops/rfcs/${rfc.id}`)
      .set('Authorization', as('ana'));
    expect(before.body.status).toBe('PendingApproval');

    await new Promise(resolve => setTimeout(resolve, 1_600));
    await task!.fn(new AbortController().signal as any);
    const after = await request(server)
      .get(`/api/ops/rfcs/${rfc.id}`)
      .set('Authorization', as('ana'));
    expect(after.body).toMatchObject({
      status: 'Rejected',
      statusReason: expect.stringMatching(
        /not approved by its requested start time/,
      ),
    });
  });

  it('lists the approved change types', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/ops/change-types')
      .set('Authorization', as('ana'));
    expect(res.body.items.map((c: any) => c.id)).toEqual([
      'ec2-restart',
      'snapshot-create',
    ]);
    expect(res.body.items[0].parameterSchema).toEqual({
      properties: {
        instanceCount: { type: 'integer', minimum: 1, maximum: 10 },
        reason: { type: 'string', maxLength: 100 },
      },
      required: ['instanceCount'],
    });
    const automated = await request(server)
      .get('/api/ops/change-types?automation=automated')
      .set('Authorization', as('ana'));
    expect(automated.body.items.map((c: any) => c.id)).toEqual([
      'snapshot-create',
    ]);
    await request(server)
      .get('/api/ops/change-types?automation=sometimes')
      .set('Authorization', as('ana'))
      .expect(400);
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'parallel approvals on %s',
  databaseId => {
    it('make exactly one transition and one audit event', async () => {
      const knex = await databases.init(databaseId);
      const server = await startBackend([
        mockServices.database.factory({ knex }),
      ]);
      const created = await request(server)
        .post('/api/ops/rfcs')
        .set('Authorization', as('ana'))
        .send(rfcBody());
      const id = created.body.id;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(server)
            .post(`/api/ops/rfcs/${id}/approve`)
            .set('Authorization', as(i % 2 ? 'omar' : 'lena'))
            .send({ version: 1 }),
        ),
      );
      const statuses = responses.map(r => r.status).sort();
      expect(statuses.filter(s => s === 200)).toHaveLength(1);
      expect(statuses.filter(s => s === 409)).toHaveLength(19);
      const events = await request(server)
        .get(`/api/ops/rfcs/${id}/events`)
        .set('Authorization', as('ana'));
      expect(
        events.body.items.filter((e: any) => e.action === 'approve'),
      ).toHaveLength(1);
      expect(
        await knex('ops_rfc_events').where({ action: 'approve' }),
      ).toHaveLength(1);
    });
  },
);
