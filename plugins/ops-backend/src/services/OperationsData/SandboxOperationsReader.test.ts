import type { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
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
});
