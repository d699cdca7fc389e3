import type { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  classifyUpdate,
  PendingUpdate,
  RecoveryPointSummary,
} from '@cloud-ops/plugin-ops-common';
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
});
