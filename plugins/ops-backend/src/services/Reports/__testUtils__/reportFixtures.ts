import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Incident } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseOperationsSnapshotStore } from '../../../database/OperationsSnapshotStore';
import { DatabaseServiceRequestStore } from '../../../database/ServiceRequestStore';
import {
  fakePermissions,
  fakeUserInfo,
} from '../../ServiceRequests/__testUtils__/fakes';
import { ReportService, type ReportIncidentSource } from '../ReportService';

const entity = (
  kind: string,
  name: string,
  owner: string,
  namespace = 'default',
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace },
  spec: { type: 'service', lifecycle: 'production', owner },
});

/** Entities whose owners are written in every form the catalog allows. */
export const ENTITIES: Entity[] = [
  entity('Component', 'payments-api', 'payments'),
  entity('Resource', 'payments-db', 'group:payments'),
  entity('Component', 'payments-web', 'group:default/payments'),
  entity('Component', 'search-api', 'search'),
  // `payments` here means group:other/payments, another team.
  entity('Component', 'ledger', 'payments', 'other'),
  entity('Component', 'landing-zone', 'group:default/central-it'),
  entity('System', 'billing', 'group:default/billing'),
];

type RfcSeed = {
  owner: string;
  createdAt: string;
  status: string;
  changeTypeId: string;
  events?: {
    action: string;
    actor?: string;
    to: string;
    at: string;
  }[];
  /** Further columns of the row, e.g. the change class. */
  columns?: Record<string, unknown>;
};

/** Writes an RFC row and its events as the RFC store would have. */
export async function insertRfc(knex: Knex, seed: RfcSeed) {
  const [row] = await knex('ops_rfcs')
    .insert({
      change_type_id: seed.changeTypeId,
      change_type_version: '1.0',
      title: 't',
      description: 'd',
      target_entity_ref: 'component:default/payments-api',
      parameters: '{}',
      owner_group: seed.owner,
      origin: 'user',
      requester: 'user:default/ana',
      approval_rule: 'by-origin',
      implementation_plan: 'i',
      test_plan: 't',
      rollback_plan: 'r',
      risk: 'low',
      status: seed.status,
      created_at: seed.createdAt,
      updated_at: seed.createdAt,
      version: 1,
      ...seed.columns,
    })
    .returning('seq');
  const seq = typeof row === 'object' ? row.seq : row;
  let from: string | null = null;
  for (const event of [
    { action: 'create', to: 'Editing', at: seed.createdAt },
    ...(seed.events ?? []),
  ]) {
    await knex('ops_rfc_events').insert({
      rfc_seq: seq,
      actor: event.actor ?? 'user:default/ana',
      action: event.action,
      from_status: from,
      to_status: event.to,
      at: event.at,
    });
    from = event.to;
  }
  return seq as number;
}

/** A report service over `knex` with a fixed clock and fake incidents. */
export async function reportServiceFor(
  knex: Knex,
  options: {
    now: Date;
    incidents?: ReportIncidentSource;
    automation?: Record<string, 'automated' | 'manual'>;
  },
) {
  const database = mockServices.database({ knex, migrations: { skip: false } });
  const snapshots = await DatabaseOperationsSnapshotStore.create({ database });
  const serviceRequests = await DatabaseServiceRequestStore.create({
    database,
  });
  const catalog = catalogServiceMock({ entities: ENTITIES });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const incidents: ReportIncidentSource = options.incidents ?? {
    listForReport: async () => ({
      opened: [],
      resolved: [],
      problemsOpened: 0,
    }),
  };
  const service = new ReportService({
    db: knex,
    snapshots,
    serviceRequests,
    incidents,
    changeTypeAutomation: async id => options.automation?.[id],
    catalog,
    auth: mockServices.auth(),
    userInfo: fakeUserInfo(),
    permissions: fakePermissions({
      'user:default/frank': ['ops.report.read'],
    }),
    centralItGroup: 'group:default/central-it',
    now: () => options.now,
  });
  return { service, snapshots, serviceRequests, getEntities };
}

/** An incident with the fields a report reads. */
export const incident = (
  priority: Incident['priority'],
  openedAt: string,
  resolvedAt?: string,
): Incident => ({
  id: 'INC-000001',
  entityRef: 'component:default/payments-api',
  ownerGroup: 'group:default/payments',
  alarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cpu',
  alarmName: 'cpu',
  reason: 'Threshold crossed',
  priority,
  priorityRule: 'default',
  status: resolvedAt ? 'Resolved' : 'Open',
  openedAt,
  ...(resolvedAt ? { resolvedAt } : {}),
});
