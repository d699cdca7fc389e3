import type { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  classifyUpdate,
  executionToken,
  InstancePatchState,
  PendingUpdate,
  RecoveryPointSummary,
  ResourceBackupState,
} from '@cloud-ops/plugin-ops-common';
import { SandboxAwsAccount, StackTarget } from '@cloud-ops/plugin-ops-node';
import { SandboxOperationsReader } from './SandboxOperationsReader';
import { targetFromEntity } from './targets';
import type { OperationsTarget } from './types';

// The demo entities the sandbox must match.
const examples = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../../examples/entities.yaml'),
    'utf8',
  ),
).map(d => d.toJSON() as Entity);

const now = new Date('2026-11-21T12:00:00.000Z');

describe('SandboxOperationsReader', () => {
  const targets = examples.flatMap(e => {
    const t = targetFromEntity(e);
    return t && 'target' in t ? [t.target] : [];
  });

  it('answers every annotated example entity with every kind, from its own stack', async () => {
    expect(targets.length).toBeGreaterThanOrEqual(6);
    const results = await new SandboxOperationsReader({ now: () => now }).read(
      targets,
    );
    expect(results).toHaveLength(targets.length * 3);
    expect(results.every(r => r.ok)).toBe(true);
    const alarms = (ref: string) =>
      (results.find(r => r.entityRef === ref && r.kind === 'alarms') as any)
        .payload.alarms;
    // Each alarm comes from the stack its selector names, in its account and region.
    for (const t of targets) {
      for (const a of alarms(t.entityRef)) {
        expect(a.arn).toContain(
          `:${t.region}:${t.accountId}:alarm:${t.selector.app}`,
        );
      }
    }
  });

  it('shows every state worth showing', async () => {
    const results = await new SandboxOperationsReader({ now: () => now }).read(
      targets,
    );
    const payloads = (kind: string) =>
      results.filter(r => r.kind === kind).map(r => (r as any).payload);
    expect(
      payloads('alarms')
        .flatMap(p => p.alarms)
        .some((a: any) => a.state === 'ALARM'),
    ).toBe(true);
    const instances = payloads('patch').flatMap(p => p.instances);
    expect(
      instances.some((i: any) => !i.compliant && i.criticalMissing > 0),
    ).toBe(true);
    expect(instances.some((i: any) => i.failed > 0)).toBe(true);
    expect(
      instances.every(
        (i: any) => i.maintenanceWindow?.nextExecutionAt > now.toISOString(),
      ),
    ).toBe(true);
    const backups = payloads('backups').flatMap(p => p.resources);
    expect(backups.some((b: any) => b.overdue && b.lastRecoveryPoint)).toBe(
      true,
    );
    expect(backups.some((b: any) => b.method === 'none' && b.overdue)).toBe(
      true,
    );
    expect(backups.some((b: any) => !b.overdue)).toBe(true);
  });

  it('lists the pending updates of non-compliant instances, classified by the patch policy', async () => {
    const results = await new SandboxOperationsReader({ now: () => now }).read(
      targets,
    );
    const instances = results
      .filter(r => r.kind === 'patch')
      .flatMap(r => (r as any).payload.instances);
    for (const i of instances) {
      // One update per missing patch, counted as the instance's counters say.
      expect(i.pendingUpdates).toHaveLength(i.missing);
      const updates = i.pendingUpdates as PendingUpdate[];
      expect(
        updates.filter(u => /security/i.test(u.classification)),
      ).toHaveLength(i.securityMissing);
      expect(updates.filter(u => u.severity === 'Critical')).toHaveLength(
        i.criticalMissing,
      );
      expect(new Set(updates.map(u => u.id)).size).toBe(updates.length);
      for (const u of updates) {
        expect(u.id).toMatch(/^ALAS2-2026-\d{4}$/);
        expect(u.updateClass).toBe(
          classifyUpdate(u.classification, u.severity),
        );
      }
    }
    const classes = new Set(
      instances.flatMap((i: any) =>
        i.pendingUpdates.map((u: PendingUpdate) => u.updateClass),
      ),
    );
    expect(classes).toEqual(
      new Set(['critical-security', 'important', 'other']),
    );
    // Deterministic: a second read lists the same updates.
    const again = await new SandboxOperationsReader({ now: () => now }).read(
      targets,
    );
    expect(again).toEqual(results);
  });

  it('lists about two weeks of recovery points, newest first, one of them failed', async () => {
    const results = await new SandboxOperationsReader({ now: () => now }).read(
      targets,
    );
    const resources = results
      .filter(r => r.kind === 'backups')
      .flatMap(r => (r as any).payload.resources);
    // A resource never backed up has no recovery points.
    expect(
      resources
        .filter((r: any) => !r.lastRecoveryPoint)
        .map((r: any) => r.recoveryPoints),
    ).toEqual([[]]);
    for (const r of resources.filter((x: any) => x.lastRecoveryPoint)) {
      const points = r.recoveryPoints as RecoveryPointSummary[];
      expect(points.length).toBeGreaterThanOrEqual(14);
      expect(points.length).toBeLessThanOrEqual(30);
      // The newest is the last recovery point the card already shows.
      expect(points[0]).toMatchObject({
        id: r.lastRecoveryPoint.id,
        completedAt: r.lastRecoveryPoint.completedAt,
        status: 'COMPLETED',
      });
      const times = points.map(p => p.completedAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(points.filter(p => p.status === 'FAILED')).toHaveLength(1);
      const span = Date.parse(times[0]) - Date.parse(times[times.length - 1]);
      expect(span / 3_600_000).toBeGreaterThanOrEqual(12 * 24);
    }
  });

  it('gives an unknown mapping and a provisioned stack a stable generated stack', async () => {
    const target: OperationsTarget = {
      entityRef: 'component:default/new-service',
      accountId: '111122223333',
      region: 'eu-west-1',
      selector: { app: 'new-service' },
    };
    const reader = new SandboxOperationsReader({
      now: () => now,
      listProvisionedStacks: async () => [
        {
          tags: [
            {
              Key: 'cloud-ops.io/entity-ref',
              Value: 'Component:default/payments-api',
            },
            { Key: 'cloud-ops.io/owner', Value: 'group:default/payments' },
          ],
          account: '111122223333',
          region: 'eu-west-1',
        },
      ],
    });
    const first = await reader.read([target]);
    expect(await reader.read([target])).toEqual(first);
    expect(new Set(first.map(r => r.entityRef))).toEqual(
      new Set([
        'component:default/new-service',
        'component:default/payments-api',
      ]),
    );
  });

  it('fires the storefront checkout alarm for five minutes of every half hour, and keeps steady alarms steady', async () => {
    let clock = new Date('2026-11-21T12:02:00.000Z');
    const reader = new SandboxOperationsReader({ now: () => clock });
    const storefront = targets.filter(t => t.entityRef.endsWith('/storefront'));
    expect(storefront).toHaveLength(1);
    const read = async () => {
      const results = await reader.read(storefront);
      return (results.find(r => r.kind === 'alarms') as any).payload
        .alarms as Array<{
        name: string;
        state: string;
        stateUpdatedAt: string;
      }>;
    };
    const checkout = async () =>
      (await read()).find(a => a.name === 'storefront-checkout-5xx')!;

    expect(await checkout()).toMatchObject({
      state: 'ALARM',
      stateUpdatedAt: '2026-11-21T12:00:00.000Z',
    });
    const steadyBefore = (await read()).find(
      a => a.name === 'storefront-availability',
    )!;

    clock = new Date('2026-11-21T12:10:00.000Z');
    expect(await checkout()).toMatchObject({
      state: 'OK',
      stateUpdatedAt: '2026-11-21T12:05:00.000Z',
    });
    clock = new Date('2026-11-21T12:31:00.000Z');
    expect(await checkout()).toMatchObject({
      state: 'ALARM',
      stateUpdatedAt: '2026-11-21T12:30:00.000Z',
    });
    // A steady alarm's last change does not move with the clock.
    expect(
      (await read()).find(a => a.name === 'storefront-availability'),
    ).toEqual(steadyBefore);
  });

  describe('with the sandbox account', () => {
    const stamp = (rfc: number) => {
      const rfcId = `RFC-${String(rfc).padStart(6, '0')}`;
      return { rfcId, attempt: 1, token: executionToken(rfcId, 1) };
    };
    // Refs as the catalog spells them; the reader keys by the lower-cased form.
    const stackOf = (entityRef: string): StackTarget => {
      const t = targets.find(x => x.entityRef === entityRef.toLowerCase())!;
      return {
        entityRef,
        account: t.accountId,
        region: t.region,
        selector: t.selector,
      };
    };
    const paymentsApi = stackOf('Component:default/payments-api');
    const paymentsDb = stackOf('Resource:default/payments-db');

    async function readWith(account: SandboxAwsAccount) {
      const results = await new SandboxOperationsReader({
        now: () => now,
        account,
      }).read(targets);
      const payload = (ref: string, kind: string) =>
        (results.find(r => r.entityRef === ref && r.kind === kind) as any)
          .payload;
      return {
        instances: (ref: string): InstancePatchState[] =>
          payload(ref, 'patch').instances,
        resources: (ref: string): ResourceBackupState[] =>
          payload(ref, 'backups').resources,
      };
    }

    it("shows a stack's own maintenance window on its instances, and the Central IT one elsewhere", async () => {
      const account = new SandboxAwsAccount({ now: () => now });
      const { windowId } = await account.patching.setMaintenanceWindow({
        stack: paymentsApi,
        window: {
          week: 'last',
          weekday: 'FRI',
          startTime: '22:30',
          durationHours: 1,
        },
        stamp: stamp(1),
      });

      const read = await readWith(account);
      const own = read.instances('component:default/payments-api');
      expect(own).toHaveLength(2);
      for (const i of own) {
        expect(i.maintenanceWindow).toEqual({
          id: windowId,
          name: 'ops-patch-component-default-payments-api',
          schedule: 'cron(30 22 ? * 6L *)',
          nextExecutionAt: '2026-11-27T22:30:00.000Z',
        });
      }
      for (const i of read.instances('component:default/storefront')) {
        expect(i.maintenanceWindow).toMatchObject({
          name: 'central-it-monthly-patching',
          schedule: 'cron(0 2 ? * SUN#2 *)',
        });
      }

      // Excluded from patching: the window stays, with no next execution.
      await account.patching.setPatchingExclusion({
        stack: paymentsApi,
        until: '2026-12-31',
        stamp: stamp(2),
      });
      const excluded = (await readWith(account)).instances(
        'component:default/payments-api',
      );
      expect(excluded[0].maintenanceWindow).toEqual({
        id: windowId,
        name: 'ops-patch-component-default-payments-api',
        schedule: 'cron(30 22 ? * 6L *)',
      });
    });

    it('lists an on-demand recovery point first and as the last one, which ends an overdue backup', async () => {
      const account = new SandboxAwsAccount({ now: () => now });
      const before = (await readWith(account)).resources(
        'resource:default/payments-db',
      );
      expect(before.map(r => r.overdue)).toEqual([true]);

      await account.backup.takeSnapshot({ stack: paymentsDb, stamp: stamp(3) });
      const [point] = account.onDemandRecoveryPoints(paymentsDb.entityRef);
      const read = await readWith(account);
      const [db] = read.resources('resource:default/payments-db');
      expect(db.recoveryPoints![0]).toEqual({
        id: point.id,
        completedAt: now.toISOString(),
        status: 'COMPLETED',
        origin: 'on-demand',
      });
      expect(db.recoveryPoints!.slice(1)).toEqual(before[0].recoveryPoints);
      expect(db.lastRecoveryPoint).toEqual({
        id: point.id,
        completedAt: now.toISOString(),
        ageHours: 0,
      });
      expect(db.overdue).toBe(false);
      // Other stacks are untouched.
      for (const r of read.resources('component:default/payments-api')) {
        expect(r.recoveryPoints!.every(p => p.origin === 'scheduled')).toBe(
          true,
        );
      }
    });

    it('keeps a newer scheduled recovery point as the last one, and lists at most 30, newest first', async () => {
      let accountNow = new Date(now.getTime() - 39 * 3_600_000);
      const account = new SandboxAwsAccount({ now: () => accountNow });
      // Twenty snapshots an hour apart, the newest 20 hours ago: older than
      // the last scheduled backup, 9 hours ago.
      for (let n = 0; n < 20; n++) {
        await account.backup.takeSnapshot({
          stack: paymentsApi,
          stamp: stamp(100 + n),
        });
        accountNow = new Date(accountNow.getTime() + 3_600_000);
      }
      accountNow = now;
      const before = (
        await readWith(new SandboxAwsAccount({ now: () => now }))
      ).resources('component:default/payments-api');
      const after = (await readWith(account)).resources(
        'component:default/payments-api',
      );
      expect(after).toHaveLength(2);
      after.forEach((r, i) => {
        const points = r.recoveryPoints!;
        expect(points).toHaveLength(30);
        const times = points.map(p => p.completedAt);
        expect([...times].sort().reverse()).toEqual(times);
        expect(points.filter(p => p.origin === 'on-demand')).toHaveLength(20);
        expect(r.lastRecoveryPoint).toEqual(before[i].lastRecoveryPoint);
        expect(r.overdue).toBe(before[i].overdue);
      });
    });
  });
});
