import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Incident } from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { DatabaseFreezeStore } from '../../../database/FreezeStore';
import { CalendarFeedTokenStore } from '../../../database/CalendarFeedTokenStore';
import { DatabaseOperationsSnapshotStore } from '../../../database/OperationsSnapshotStore';
import { DatabaseRfcStore } from '../../../database/DatabaseRfcStore';
import type { NewRfc } from '../../../database/RfcStore';
import { DatabaseAuditLog } from '../../Audit';
import { Callers } from '../../Callers/Callers';
import type {
  ApprovedChangeType,
  ChangeTypeService,
} from '../../ChangeTypes/ChangeTypeService';
import type { OpsNotification, OpsNotifier } from '../../Notifications';
import { RfcService } from '../../Rfcs/RfcService';
import { ChangeScheduleService } from '../ChangeScheduleService';
import { FreezeService } from '../FreezeService';

export const CENTRAL_IT = 'group:default/central-it';
export const PAYMENTS = 'group:default/payments';
export const WEB = 'group:default/web';
export const PAYMENTS_API = 'component:default/payments-api';
export const PAYMENTS_DB = 'resource:default/payments-db';
export const STOREFRONT = 'component:default/storefront';
export const SHOP = 'system:default/shop';

/** Who belongs where: two developers of payments, one of web, two of Central IT. */
export const GROUPS: Record<string, string[]> = {
  'user:default/ana': [PAYMENTS],
  'user:default/priya': [PAYMENTS],
  'user:default/wei': [WEB],
  'user:default/omar': [CENTRAL_IT],
  'user:default/lena': [CENTRAL_IT],
};

export const user = (name: string, actor?: string): BackstageCredentials =>
  mockCredentials.user(
    `user:default/${name}`,
    actor ? { actor: { subject: actor } } : undefined,
  ) as BackstageCredentials;

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

const person = (ref: string, groups: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: ref.split('/')[1], namespace: 'default' },
  spec: { memberOf: groups },
  relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
});

/**
 * The catalog as it reads once processed: the shop system of payments with
 * its API and the API's database stack, and web's storefront outside it.
 * The API's owner is written in short form, as people write it.
 */
export const ENTITIES: Entity[] = [
  group('central-it'),
  group('payments'),
  group('web'),
  ...Object.entries(GROUPS).map(([ref, groups]) => person(ref, groups)),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { owner: PAYMENTS },
    relations: [{ type: 'ownedBy', targetRef: PAYMENTS }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'payments',
      system: 'shop',
      dependsOn: [PAYMENTS_DB],
    },
    relations: [
      { type: 'ownedBy', targetRef: PAYMENTS },
      { type: 'partOf', targetRef: SHOP },
      { type: 'dependsOn', targetRef: PAYMENTS_DB },
    ],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'payments-db', namespace: 'default' },
    spec: { type: 'stack', owner: PAYMENTS, system: 'shop' },
    relations: [
      { type: 'ownedBy', targetRef: PAYMENTS },
      { type: 'partOf', targetRef: SHOP },
      { type: 'dependencyOf', targetRef: PAYMENTS_API },
    ],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'storefront', namespace: 'default' },
    spec: { type: 'website', lifecycle: 'production', owner: WEB },
    relations: [{ type: 'ownedBy', targetRef: WEB }],
  },
];

/** Identity as the auth backend resolves it, from {@link GROUPS}. */
export const userInfo: UserInfoService = {
  getUserInfo: async credentials => {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
    };
  },
};

export const changeType = (
  overrides: Partial<ApprovedChangeType> = {},
): ApprovedChangeType => ({
  templateRef: `template:default/${overrides.id ?? 'db-restart'}`,
  id: 'db-restart',
  version: '1.0',
  title: 'Restart a database',
  classification: {
    category: 'Management',
    subcategory: 'Database',
    item: 'RDS',
    operation: 'Restart',
  },
  automation: 'manual',
  approval: 'central-it',
  expectedDuration: 'PT30M',
  risk: 'medium',
  parameterSchema: { properties: {}, required: [] },
  ...overrides,
});

/** The approved change types used around the schedule. */
export const CHANGE_TYPES: ApprovedChangeType[] = [
  changeType(),
  // Pre-approved: scheduled on submission.
  changeType({ id: 'cache-flush', approval: 'none', risk: 'low' }),
  changeType({ id: 'db-patch', needsMaintenanceWindow: true }),
  changeType({
    id: 'security-patch',
    approval: 'central-it',
    criticalSecurityUpdate: true,
  }),
  // Every RFC of it is an emergency.
  changeType({ id: 'db-failover', emergency: true }),
  changeType({
    id: 'stack-rollout',
    automation: 'automated',
    approval: 'none',
  }),
];

export function changeTypesOf(
  types: ApprovedChangeType[] = CHANGE_TYPES,
): ChangeTypeService {
  return {
    list: async () => types,
    get: async id => types.find(t => t.id === id),
  };
}

/** An open incident of an entity; override what a test needs. */
export const incident = (overrides: Partial<Incident> = {}): Incident => ({
  id: 'INC-000001',
  entityRef: PAYMENTS_API,
  ownerGroup: PAYMENTS,
  alarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-5xx',
  alarmName: 'api-5xx',
  reason: '5xx rate above 5%',
  priority: 'P1',
  priorityRule: 'default',
  status: 'Open',
  openedAt: '2026-12-01T07:30:00.000Z',
  ...overrides,
});

/** Keeps what was sent; `notifyOnce` sends once per key, as the real one. */
export function recordingNotifier() {
  const sent: OpsNotification[] = [];
  const keys = new Set<string>();
  const notifier: OpsNotifier & { sent: OpsNotification[] } = {
    sent,
    notify: jest.fn(async (n: OpsNotification) => {
      sent.push(n);
    }),
    notifyOnce: jest.fn(async (key: string, n: OpsNotification) => {
      if (keys.has(key)) return false;
      keys.add(key);
      sent.push(n);
      return true;
    }),
  };
  return notifier;
}

/** A stored RFC, as if written by the RFC service. */
export const newRfc = (overrides: Partial<NewRfc> = {}): NewRfc => ({
  changeTypeId: 'db-restart',
  changeTypeVersion: '1.0',
  title: 'Restart the payments database',
  description: 'd',
  targetEntityRef: PAYMENTS_API,
  parameters: {},
  automation: 'manual',
  binding: { templateRef: 'template:default/db-restart' },
  ownerGroup: PAYMENTS,
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'central-it',
  approverGroup: CENTRAL_IT,
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'medium',
  expectedDuration: 'PT30M',
  changeClass: 'normal',
  status: 'Scheduled',
  ...overrides,
});

/**
 * Everything around the change schedule on one database, as the plugin
 * wires it, on a clock the test moves.
 */
export async function scheduleWorld(
  knex: Knex,
  options: {
    now: string;
    incidents?: Incident[];
    changeTypes?: ApprovedChangeType[];
    permissions?: ReturnType<typeof mockServices.permissions>;
  },
) {
  let now = new Date(options.now);
  const clock = {
    now: () => now,
    set: (iso: string) => {
      now = new Date(iso);
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
  const database = mockServices.database({
    knex,
    migrations: { skip: false },
  });
  const audit = new DatabaseAuditLog({ db: knex });
  const rfcStore = await DatabaseRfcStore.create({ database, audit });
  const freezeStore = await DatabaseFreezeStore.create({ database, audit });
  const snapshots = await DatabaseOperationsSnapshotStore.create({ database });
  const tokens = await CalendarFeedTokenStore.create({ database, audit });
  const catalog = catalogServiceMock({ entities: ENTITIES });
  const auth = mockServices.auth({ pluginId: 'ops' });
  const permissions = options.permissions ?? mockServices.permissions();
  const logger = mockServices.logger.mock();
  const callers = new Callers({ auth, userInfo, centralItGroup: CENTRAL_IT });
  const notifier = recordingNotifier();
  const freezes = new FreezeService({
    store: freezeStore,
    rfcs: rfcStore,
    catalog,
    auth,
    permissions,
    callers,
    notifier,
    logger,
    now: clock.now,
  });
  const known = new Map((options.incidents ?? []).map(i => [i.id, i]));
  const rfcs = new RfcService({
    store: rfcStore,
    changeTypes: changeTypesOf(options.changeTypes),
    catalog,
    userInfo,
    permissions,
    auth,
    logger,
    centralItGroup: CENTRAL_IT,
    callers,
    notifier,
    schedule: freezes,
    incidents: { getIncident: async id => known.get(id) },
    now: clock.now,
  });
  const schedule = new ChangeScheduleService({
    rfcs: rfcStore,
    freezes: freezeStore,
    snapshots,
    tokens,
    catalog,
    auth,
    permissions,
    callers,
    appBaseUrl: 'https://portal.test',
    feedUrl: async token =>
      `https://portal.test/api/ops/calendar/feed/${token}.ics`,
    now: clock.now,
  });
  return {
    clock,
    audit,
    rfcStore,
    freezeStore,
    snapshots,
    catalog,
    notifier,
    freezes,
    rfcs,
    schedule,
    logger,
  };
}

/** Freeze input of Central IT's usual shape; override what a test needs. */
export const freezeBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Year-end freeze',
  reason: 'Peak trading: no changes to the shop',
  start: '2026-12-20T00:00',
  end: '2027-01-04T00:00',
  timezone: 'UTC',
  scope: { type: 'global' },
  ...overrides,
});
