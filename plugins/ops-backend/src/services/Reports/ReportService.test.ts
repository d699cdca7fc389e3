import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  incident,
  insertRfc,
  reportServiceFor,
} from './__testUtils__/reportFixtures';
import { quantile, summarizeHours } from './stats';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ana = mockCredentials.user('user:default/ana');
const bo = mockCredentials.user('user:default/bo');
const chen = mockCredentials.user('user:default/chen');
const eve = mockCredentials.user('user:default/eve');
const frank = mockCredentials.user('user:default/frank');

const NOW = new Date('2026-11-21T12:00:00.000Z');
const PAYMENTS = 'group:default/payments';

describe('report statistics', () => {
  it('interpolates quantiles and rounds hours to 0.1', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([4], 0.9)).toBe(4);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 24], 0.9)).toBeCloseTo(22.6);
    expect(summarizeHours([1 / 3, 2 / 3])).toEqual({ median: 0.5, p90: 0.6 });
    expect(summarizeHours([])).toEqual({ median: null, p90: null });
  });
});

describe.each(databases.eachSupportedId())(
  'ReportService on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    beforeEach(async () => {
      if (await knex.schema.hasTable('ops_rfcs')) {
        await knex('ops_rfc_events').delete();
        await knex('ops_rfcs').delete();
        await knex('ops_operations_snapshots').delete();
        await knex('ops_service_request_messages').delete();
        await knex('ops_service_requests').delete();
      }
    });

    afterAll(async () => {
      await knex.destroy();
    });

    it('computes RFC figures from the RFC tables', async () => {
      const { service } = await reportServiceFor(knex, {
        now: NOW,
        automation: { 'ec2-patch': 'automated', 'rds-resize': 'manual' },
      });
      // Approved after 2h by a person, finished 10h after creation.
      await insertRfc(knex, {
        owner: PAYMENTS,
        createdAt: '2026-11-02T00:00:00.000Z',
        status: 'Success',
        changeTypeId: 'ec2-patch',
        events: [
          {
            action: 'submit',
            to: 'PendingApproval',
            at: '2026-11-02T01:00:00.000Z',
          },
          {
            action: 'approve',
            actor: 'user:default/chen',
            to: 'Scheduled',
            at: '2026-11-02T03:00:00.000Z',
          },
          { action: 'start', to: 'InProgress', at: '2026-11-02T08:00:00.000Z' },
          { action: 'succeed', to: 'Success', at: '2026-11-02T10:00:00.000Z' },
        ],
      });
      // Owner written with other case; resubmitted after an edit: the last
      // submission before the approval counts (6h), and it failed after 24h.
      await insertRfc(knex, {
        owner: 'group:default/Payments',
        createdAt: '2026-11-05T00:00:00.000Z',
        status: 'Failure',
        changeTypeId: 'rds-resize',
        events: [
          {
            action: 'submit',
            to: 'PendingApproval',
            at: '2026-11-05T00:00:00.000Z',
          },
          {
            action: 'submit',
            to: 'PendingApproval',
            at: '2026-11-05T02:00:00.000Z',
          },
          {
            action: 'approve',
            actor: 'user:default/chen',
            to: 'Scheduled',
            at: '2026-11-05T08:00:00.000Z',
          },
          { action: 'start', to: 'InProgress', at: '2026-11-05T20:00:00.000Z' },
          { action: 'fail', to: 'Failure', at: '2026-11-06T00:00:00.000Z' },
        ],
      });
      // Approved by the system: no approval time. Unknown change type: manual.
      await insertRfc(knex, {
        owner: PAYMENTS,
        createdAt: '2026-11-10T00:00:00.000Z',
        status: 'Scheduled',
        changeTypeId: 'unknown',
        events: [
          {
            action: 'submit',
            to: 'PendingApproval',
            at: '2026-11-10T00:00:00.000Z',
          },
          {
            action: 'approve',
            actor: 'system',
            to: 'Scheduled',
            at: '2026-11-10T05:00:00.000Z',
          },
        ],
      });
      await insertRfc(knex, {
        owner: PAYMENTS,
        createdAt: '2026-11-30T23:59:59.999Z',
        status: 'Editing',
        changeTypeId: 'ec2-patch',
      });
      // Outside the team or the month.
      await insertRfc(knex, {
        owner: 'group:default/search',
        createdAt: '2026-11-03T00:00:00.000Z',
        status: 'Success',
        changeTypeId: 'ec2-patch',
      });
      await insertRfc(knex, {
        owner: PAYMENTS,
        createdAt: '2026-10-31T23:59:59.999Z',
        status: 'Canceled',
        changeTypeId: 'ec2-patch',
      });
      await insertRfc(knex, {
        owner: PAYMENTS,
        createdAt: '2026-12-01T00:00:00.000Z',
        status: 'Rejected',
        changeTypeId: 'ec2-patch',
      });

      const report = await service.monthly(PAYMENTS, '2026-11', ana);
      expect(report.team).toBe(PAYMENTS);
      expect(report.period).toEqual({
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
      });
      expect(report.generatedAt).toBe(NOW.toISOString());
      expect(report.rfcs).toEqual({
        total: 4,
        byStatus: {
          Editing: 1,
          PendingApproval: 0,
          Scheduled: 1,
          InProgress: 0,
          Success: 1,
          Failure: 1,
          Rejected: 0,
          Canceled: 0,
        },
        leadTimeHours: { median: 17, p90: 22.6 },
        approvalTimeHours: { median: 4, p90: 5.6 },
        automatedShare: 0.5,
        // Rows without a change class count as normal changes.
        byClass: { standard: 0, normal: 4, emergency: 0 },
        freezeOverrides: 0,
        emergencyReviews: {
          required: 0,
          onTime: 0,
          late: 0,
          overdue: 0,
          pending: 0,
        },
      });

      const empty = await service.monthly(PAYMENTS, '2026-09', ana);
      expect(empty.rfcs).toMatchObject({
        total: 0,
        leadTimeHours: { median: null, p90: null },
        approvalTimeHours: { median: null, p90: null },
        automatedShare: null,
      });
      expect(Object.values(empty.rfcs.byStatus).every(n => n === 0)).toBe(true);
    });

    it('counts change classes, freeze overrides and emergency reviews', async () => {
      const { service } = await reportServiceFor(knex, { now: NOW });
      const seed = (columns: Record<string, unknown>, status = 'Success') =>
        insertRfc(knex, {
          owner: PAYMENTS,
          createdAt: '2026-11-03T00:00:00.000Z',
          status,
          changeTypeId: 'emergency-change',
          columns,
        });
      const review = (onTime: boolean) =>
        JSON.stringify({
          whatHappened: 'w',
          rootCause: 'PRB-000001',
          followUp: 'f',
          reviewedBy: 'user:default/omar',
          reviewedAt: '2026-11-08T00:00:00.000Z',
          onTime,
        });
      await seed({ change_class: 'standard' });
      await seed({ change_class: 'normal' });
      // Reviewed in time, after overriding a freeze.
      await seed({
        change_class: 'emergency',
        review_due_at: '2026-11-09T00:00:00.000Z',
        review: review(true),
        freeze_override: JSON.stringify({ reason: 'Checkout down' }),
      });
      // Reviewed after its due time.
      await seed({
        change_class: 'emergency',
        review_due_at: '2026-11-06T00:00:00.000Z',
        review: review(false),
      });
      // Due before the report is made and not written: overdue.
      await seed({
        change_class: 'emergency',
        review_due_at: '2026-11-20T00:00:00.000Z',
      });
      // Due after the report is made: pending.
      await seed({
        change_class: 'emergency',
        review_due_at: '2026-11-25T00:00:00.000Z',
      });
      // Not ended yet: no review is due.
      await seed({ change_class: 'emergency' }, 'Scheduled');

      const { rfcs } = await service.monthly(PAYMENTS, '2026-11', ana);
      expect(rfcs.byClass).toEqual({ standard: 1, normal: 1, emergency: 5 });
      expect(rfcs.freezeOverrides).toBe(1);
      expect(rfcs.emergencyReviews).toEqual({
        required: 4,
        onTime: 1,
        late: 1,
        overdue: 1,
        pending: 1,
      });
    });

    it('summarizes incidents from the incident source', async () => {
      const listForReport = jest.fn(async () => ({
        opened: [
          incident('P1', '2026-11-03T00:00:00.000Z'),
          incident('P2', '2026-11-04T00:00:00.000Z'),
          incident('P2', '2026-11-05T00:00:00.000Z'),
        ],
        resolved: [
          incident(
            'P1',
            '2026-10-30T00:00:00.000Z',
            '2026-10-30T01:30:00.000Z',
          ),
          incident(
            'P2',
            '2026-11-04T00:00:00.000Z',
            '2026-11-04T03:00:00.000Z',
          ),
          incident(
            'P3',
            '2026-11-05T00:00:00.000Z',
            '2026-11-05T07:00:00.000Z',
          ),
        ],
        problemsOpened: 1,
      }));
      const { service } = await reportServiceFor(knex, {
        now: NOW,
        incidents: { listForReport },
      });
      const report = await service.monthly('payments', '2026-11', chen);
      expect(listForReport).toHaveBeenCalledWith(
        PAYMENTS,
        '2026-11-01T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
      );
      expect(report.incidents).toEqual({
        total: 3,
        byPriority: { P1: 1, P2: 2, P3: 0, P4: 0 },
        timeToResolveHours: { median: 3, p90: 6.2 },
        problemsOpened: 1,
      });
    });

    it('adds up the latest snapshots of every entity the team owns', async () => {
      const { service, snapshots, getEntities } = await reportServiceFor(knex, {
        now: NOW,
      });
      const at = '2026-11-21T00:00:00.000Z';
      const instance = (compliant: boolean) => ({
        instanceId: 'i-1',
        installed: 10,
        missing: compliant ? 0 : 2,
        failed: 0,
        criticalMissing: 0,
        securityMissing: 0,
        compliant,
      });
      const resource = (overdue: boolean) => ({
        resourceArn: 'arn:aws:rds:eu-west-1:111122223333:db:payments',
        resourceType: 'RDS',
        method: 'aws-backup',
        expectedIntervalHours: 24,
        overdue,
      });
      const alarm = (state: string) => ({
        name: state,
        arn: `arn:${state}`,
        state,
        reason: '',
        consoleUrl: '',
      });
      await snapshots.saveReads([
        {
          entityRef: 'component:default/payments-api',
          kind: 'patch',
          source: 'sandbox',
          at,
          ok: true,
          payload: {
            instances: [instance(true), instance(true), instance(false)],
            unmanagedInstanceIds: [],
          },
        },
        {
          entityRef: 'component:default/payments-api',
          kind: 'alarms',
          source: 'sandbox',
          at,
          ok: true,
          payload: {
            alarms: [
              alarm('OK'),
              alarm('ALARM'),
              alarm('INSUFFICIENT_DATA'),
              alarm('OK'),
            ],
          },
        },
        {
          entityRef: 'resource:default/payments-db',
          kind: 'backups',
          source: 'sandbox',
          at,
          ok: true,
          payload: { resources: [resource(false), resource(true)] },
        },
        {
          entityRef: 'resource:default/payments-db',
          kind: 'patch',
          source: 'sandbox',
          at,
          ok: true,
          payload: { instances: [instance(true)], unmanagedInstanceIds: [] },
        },
        // A failed read keeps nothing to count.
        {
          entityRef: 'component:default/payments-web',
          kind: 'patch',
          source: 'aws',
          at,
          ok: false,
          error: 'AccessDenied',
        },
        // Other teams' entities.
        {
          entityRef: 'component:default/search-api',
          kind: 'patch',
          source: 'sandbox',
          at,
          ok: true,
          payload: { instances: [instance(false)], unmanagedInstanceIds: [] },
        },
        {
          entityRef: 'component:other/ledger',
          kind: 'backups',
          source: 'sandbox',
          at,
          ok: true,
          payload: { resources: [resource(true)] },
        },
      ]);

      const report = await service.monthly(PAYMENTS, '2026-11', ana);
      expect(report.patch).toEqual({
        instances: 4,
        compliantInstances: 3,
        compliancePercent: 75,
      });
      expect(report.backups).toEqual({
        resources: 2,
        onSchedule: 1,
        successPercent: 50,
      });
      expect(report.alarms).toEqual({ ok: 2, alarm: 1, insufficientData: 1 });
      // Read as the plugin, whatever the reader may see.
      expect(getEntities).toHaveBeenCalledWith(
        expect.objectContaining({
          filter: {
            'spec.owner': expect.arrayContaining([
              'payments',
              'group:payments',
              PAYMENTS,
            ]),
          },
        }),
        {
          credentials: expect.objectContaining({
            principal: expect.objectContaining({ type: 'service' }),
          }),
        },
      );

      const search = await service.monthly(
        'group:default/search',
        '2026-11',
        chen,
      );
      expect(search.patch).toEqual({
        instances: 1,
        compliantInstances: 0,
        compliancePercent: 0,
      });
      expect(search.backups).toEqual({
        resources: 0,
        onSchedule: 0,
        successPercent: null,
      });
    });

    it('counts service requests opened and closed in the month', async () => {
      const { service, serviceRequests } = await reportServiceFor(knex, {
        now: NOW,
      });
      const ask = (team: string, at: string) =>
        serviceRequests.create({
          title: 'Question',
          topic: 'central-it',
          team,
          requester: 'user:default/ana',
          message: { author: 'user:default/ana', side: 'team', body: 'b', at },
        });
      const october = await ask(PAYMENTS, '2026-10-20T00:00:00.000Z');
      await serviceRequests.update({
        id: october.id,
        expectedVersion: 1,
        toStatus: 'Closed',
        messages: [],
        at: '2026-11-02T00:00:00.000Z',
      });
      await ask(PAYMENTS, '2026-11-03T00:00:00.000Z');
      await ask(PAYMENTS, '2026-11-04T00:00:00.000Z');
      await ask('group:default/search', '2026-11-04T00:00:00.000Z');

      const report = await service.monthly(PAYMENTS, '2026-11', ana);
      expect(report.serviceRequests).toEqual({ opened: 2, closed: 1 });
      expect(
        (await service.monthly(PAYMENTS, '2026-10', ana)).serviceRequests,
      ).toEqual({ opened: 1, closed: 0 });
    });

    it('limits readers to their own teams and checks the input', async () => {
      const { service } = await reportServiceFor(knex, { now: NOW });
      await expect(service.monthly(PAYMENTS, '2026-11', eve)).rejects.toThrow(
        NotAllowedError,
      );
      await expect(service.monthly(PAYMENTS, '2026-11', frank)).rejects.toThrow(
        NotAllowedError,
      );
      await expect(service.monthly(PAYMENTS, '2026-13', ana)).rejects.toThrow(
        InputError,
      );
      await expect(service.monthly(PAYMENTS, '2026-12', ana)).rejects.toThrow(
        /2026-12 has not started yet; choose 2026-11 or earlier/,
      );
      await expect(
        service.monthly('user:default/ana', '2026-11', ana),
      ).rejects.toThrow(/team: "user:default\/ana" is not a group ref/);
      expect((await service.monthly('PAYMENTS', '2026-11', ana)).team).toBe(
        PAYMENTS,
      );
      expect((await service.monthly(PAYMENTS, '2025-01', chen)).month).toBe(
        '2025-01',
      );
    });

    it('lists the teams a reader may see reports for', async () => {
      const { service } = await reportServiceFor(knex, { now: NOW });
      expect(await service.teams(chen)).toEqual([
        'group:default/payments',
        'group:default/search',
        'group:other/payments',
      ]);
      expect(await service.teams(ana)).toEqual([PAYMENTS]);
      expect(await service.teams(bo)).toEqual([
        PAYMENTS,
        'group:default/search',
      ]);
      await expect(service.teams(frank)).rejects.toThrow(NotAllowedError);
    });
  },
);
