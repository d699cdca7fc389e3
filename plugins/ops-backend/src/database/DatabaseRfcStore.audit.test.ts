import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Rfc } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseAuditLog, type AuditLog } from '../services/Audit';
import { tamper } from '../services/Audit/__testUtils__/tamper';
import { DatabaseRfcStore } from './DatabaseRfcStore';
import type { NewRfc } from './RfcStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const newRfc = (overrides: Partial<NewRfc> = {}): NewRfc => ({
  changeTypeId: 'ec2-restart',
  changeTypeVersion: '1.0',
  title: 'Restart the API instances',
  description: 'Rolling restart',
  targetEntityRef: 'component:default/payments-api',
  parameters: { instanceCount: 2 },
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'by-origin',
  automation: 'automated',
  approverGroup: 'group:default/central-it',
  implementationPlan: 'Restart one at a time',
  testPlan: 'Done in staging',
  rollbackPlan: 'Nothing to roll back',
  risk: 'low',
  requestedStartTime: '2026-03-01T10:00:00.000Z',
  status: 'PendingApproval',
  ...overrides,
});

const stateOf = ({ approvals: _approvals, ...state }: Rfc) => state;

const approve = (rfc: Rfc, actor = 'user:default/omar') => ({
  id: rfc.id,
  expectedStatus: rfc.status,
  expectedVersion: rfc.version,
  toStatus: 'Scheduled' as const,
  event: { actor, action: 'approve' as const, comment: 'ok' },
});

describe.each(databases.eachSupportedId())(
  'DatabaseRfcStore audit entries on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRfcStore;
    let audit: DatabaseAuditLog;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      audit = new DatabaseAuditLog({ db: knex });
      store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
        audit,
      });
    });

    const chainOf = async (rfc: Rfc) =>
      (await audit.subjectChain(`rfc:${rfc.id}`)).items;
    const count = async () =>
      Number(
        ((await knex('ops_audit_log').count({ n: '*' }).first()) as any).n,
      );

    it('records a new RFC and its first events, ending at the stored state', async () => {
      const rfc = await store.create(newRfc({ status: 'Scheduled' }), [
        { actor: 'user:default/ana', action: 'create', toStatus: 'Editing' },
        {
          actor: 'user:default/ana',
          action: 'submit',
          fromStatus: 'Editing',
          toStatus: 'Scheduled',
          comment: 'pre-approved change type',
        },
      ]);
      const [created, submitted] = await chainOf(rfc);
      expect(created).toMatchObject({
        subject: `rfc:${rfc.id}`,
        actor: 'user:default/ana',
        action: 'create',
        before: null,
        after: { ...stateOf(rfc), status: 'Editing' },
        details: { toStatus: 'Editing' },
      });
      expect(submitted).toMatchObject({
        action: 'submit',
        before: created.after,
        after: stateOf((await store.get(rfc.id))!),
        details: {
          fromStatus: 'Editing',
          toStatus: 'Scheduled',
          comment: 'pre-approved change type',
        },
      });
    });

    it('records an RFC created without events', async () => {
      const rfc = await store.create(newRfc(), []);
      expect(await chainOf(rfc)).toEqual([
        expect.objectContaining({
          actor: 'user:default/ana',
          action: 'create',
          before: null,
          after: stateOf(rfc),
        }),
      ]);
    });

    it('records each transition with the state before and after', async () => {
      const rfc = await store.create(newRfc(), []);
      const approved = await store.transition(approve(rfc));
      const [, entry] = await chainOf(rfc);
      expect(entry).toMatchObject({
        actor: 'user:default/omar',
        action: 'approve',
        before: stateOf(rfc),
        after: stateOf(approved),
        details: {
          fromStatus: 'PendingApproval',
          toStatus: 'Scheduled',
          comment: 'ok',
        },
      });
      expect(entry.after).toMatchObject({ status: 'Scheduled', version: 2 });
    });

    it('records nothing for a transition that lost its race', async () => {
      const rfc = await store.create(newRfc(), []);
      await store.transition(approve(rfc));
      const before = await count();
      await expect(store.transition(approve(rfc))).rejects.toThrow(
        ConflictError,
      );
      expect(await count()).toBe(before);
    });

    it('writes no RFC change whose audit entry cannot be written', async () => {
      const unavailable = async (): Promise<never> => {
        throw new Error('audit log unavailable');
      };
      const failing: AuditLog = {
        append: unavailable,
        appendAll: unavailable,
        appendGovernanceDecision: d => audit.appendGovernanceDecision(d),
        verify: () => audit.verify(),
        export: q => audit.export(q),
        subjectChain: s => audit.subjectChain(s),
      };
      const real = await store.create(newRfc(), []);
      const broken = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
        audit: failing,
      });
      await expect(broken.transition(approve(real))).rejects.toThrow(
        'audit log unavailable',
      );
      expect(await store.get(real.id)).toEqual(real);
      expect(await store.listEvents(real.id)).toEqual([]);

      const { items: before } = await store.list({});
      await expect(broken.create(newRfc(), [])).rejects.toThrow(
        'audit log unavailable',
      );
      expect((await store.list({})).items).toEqual(before);
    });

    it('records the execution task and each step with its outputs', async () => {
      const rfc = await store.create(newRfc({ status: 'Scheduled' }), []);
      const [claimed] = await store.claimForExecution({
        now: new Date('2026-03-01T10:00:00.000Z'),
        owner: 'replica-a',
        leaseUntil: new Date('2026-03-01T10:02:00.000Z'),
        limit: 1,
      });
      const started = await store.transition({
        id: claimed.id,
        expectedStatus: 'Scheduled',
        expectedVersion: claimed.version,
        toStatus: 'InProgress',
        execution: { attempt: 1, secretHash: 'h1', leaseOwner: 'replica-a' },
        event: { actor: 'system', action: 'start' },
      });
      const task = {
        id: rfc.id,
        attempt: 1,
        owner: 'replica-a',
        taskId: 't-1',
      };
      await expect(store.recordExecutionTask(task)).resolves.toBe(true);
      // Once only: a second call changes nothing and records nothing.
      await expect(store.recordExecutionTask(task)).resolves.toBe(false);

      await store.addExecutionOutputs({
        id: rfc.id,
        attempt: 1,
        stepId: 'provision',
        outputs: { stackId: 's-1' },
      });
      await store.addExecutionOutputs({
        id: rfc.id,
        attempt: 1,
        stepId: 'provision',
        outputs: { stackId: 's-2', url: 'https://x' },
      });

      const entries = await chainOf(rfc);
      expect(entries.map(e => e.action)).toEqual([
        'create',
        'start',
        'execution-task',
        'execution-step',
        'execution-step',
      ]);
      const [, , taskEntry, firstStep, secondStep] = entries;
      expect(taskEntry).toMatchObject({
        actor: 'system',
        before: stateOf(started),
        after: { taskId: 't-1', version: started.version + 1 },
        details: {
          attempt: 1,
          taskId: 't-1',
          executor: 'replica-a',
          secretReplaced: false,
        },
      });
      expect(taskEntry.after).toEqual(stateOf((await store.get(rfc.id))!));
      expect(firstStep).toMatchObject({
        before: { outputs: {} },
        after: { outputs: { stackId: 's-1' } },
        details: {
          attempt: 1,
          stepId: 'provision',
          taskId: 't-1',
          outputs: { stackId: 's-1' },
        },
      });
      // The repeated name keeps its first value, and the entry says so.
      expect(secondStep).toMatchObject({
        before: { outputs: { stackId: 's-1' } },
        after: { outputs: { stackId: 's-1', url: 'https://x' } },
        details: { outputs: { stackId: 's-2', url: 'https://x' } },
      });
      // Nothing but the audited changes moved the RFC between entries.
      for (let i = 1; i < 3; i++) {
        expect(entries[i].before).toEqual(entries[i - 1].after);
      }
    });

    it('keeps one unforked chain through concurrent creates and approvals', async () => {
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.create(newRfc({ title: `RFC ${i}` }), [
            {
              actor: 'user:default/ana',
              action: 'create',
              toStatus: 'Editing',
            },
            {
              actor: 'user:default/ana',
              action: 'submit',
              fromStatus: 'Editing',
              toStatus: 'PendingApproval',
            },
          ]),
        ),
      );
      // Each RFC approved once, all at once; and 20 rivals on the first one.
      const results = await Promise.allSettled([
        ...created.map(rfc => store.transition(approve(rfc))),
        ...Array.from({ length: 20 }, (_, i) =>
          store.transition(approve(created[0], `user:default/rival-${i}`)),
        ),
      ]);
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(20);
      await expect(audit.verify()).resolves.toMatchObject({
        ok: true,
        checked: 60,
      });
      for (const rfc of created) {
        expect((await chainOf(rfc)).map(e => e.action)).toEqual([
          'create',
          'submit',
          'approve',
        ]);
      }
    });

    it('fails verification at the RFC entry someone edited in the database', async () => {
      const rfc = await store.create(newRfc(), []);
      await store.transition(approve(rfc));
      const other = await store.create(newRfc(), []);
      await expect(audit.verify()).resolves.toMatchObject({ ok: true });

      const [, approval] = await chainOf(rfc);
      await tamper(knex, db =>
        db('ops_audit_log')
          .where({ id: approval.id })
          .update({ actor: 'user:default/ana' }),
      );
      const result = await audit.verify();
      expect(result).toMatchObject({
        ok: false,
        checked: approval.id - 1,
        firstBroken: {
          id: approval.id,
          chain: `rfc:${rfc.id}`,
          reason: expect.stringMatching(/changed after it was written/),
        },
      });
      expect(
        (await audit.subjectChain(`rfc:${other.id}`)).verification.ok,
      ).toBe(true);
      expect(
        (await audit.subjectChain(`rfc:${rfc.id}`)).verification.firstBroken,
      ).toMatchObject({ id: approval.id });
    });
  },
);
