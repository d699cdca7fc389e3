/*
 * RFC rows for the list benchmarks: spread over a year, 20 owners, 200
 * requesters, inserted straight into the ops backend's table. The year is
 * in the future and no row is InProgress (Editing instead), so that a running backend's
 * executor and auto-rejection have nothing to do with them.
 */
import type { Knex } from 'knex';
import type { RfcStatus } from '@cloud-ops/plugin-ops-common';

export const CENTRAL_IT = 'group:default/central-it';
export const OWNERS = Array.from(
  { length: 20 },
  (_, i) => `group:default/team-${i}`,
);
const STATUSES: RfcStatus[] = [
  'PendingApproval',
  'Scheduled',
  'Editing',
  'Success',
  'Failure',
  'Rejected',
  'Canceled',
];
export const SEED_BASE = Date.parse('2031-01-01T00:00:00Z');

/** Inserts RFCs until the table holds `rows`; returns the seconds it took. */
export async function seedRfcs(knex: Knex, rows: number): Promise<number> {
  const existing = Number((await knex('ops_rfcs').count({ n: '*' }))[0].n);
  const batch = [];
  for (let i = existing; i < rows; i++) {
    const at = new Date(
      SEED_BASE + ((i * 7919) % 365) * 86_400_000 + (i % 24) * 3_600_000,
    ).toISOString();
    batch.push({
      change_type_id: i % 3 ? 'ec2-restart' : 'rds-snapshot',
      change_type_version: '1.0',
      title: `Change ${i}`,
      description: 'Seeded',
      target_entity_ref: `component:default/service-${i % 500}`,
      parameters: '{}',
      owner_group: OWNERS[i % OWNERS.length],
      origin: i % 5 ? 'user' : 'central-it',
      requester: `user:default/user-${i % 200}`,
      approval_rule: 'by-origin',
      approver_group: CENTRAL_IT,
      implementation_plan: 'p',
      test_plan: 't',
      rollback_plan: 'r',
      risk: 'low',
      requested_start_time: at,
      status: STATUSES[i % STATUSES.length],
      created_at: at,
      updated_at: at,
      version: 1,
    });
  }
  const started = performance.now();
  await knex.transaction(async tx => {
    for (let i = 0; i < batch.length; i += 500) {
      await tx('ops_rfcs').insert(batch.slice(i, i + 500));
    }
  });
  await knex.raw('analyze');
  return (performance.now() - started) / 1000;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
