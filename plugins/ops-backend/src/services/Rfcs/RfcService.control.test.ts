import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CHANGE_TYPE_ANNOTATIONS as K } from '@cloud-ops/plugin-ops-common';
import { DatabaseRfcStore } from '../../database/DatabaseRfcStore';
import { DatabaseAuditLog } from '../Audit';
import { CatalogChangeTypeService } from '../ChangeTypes/ChangeTypeService';
import { Callers } from '../Callers/Callers';
import { RfcService } from './RfcService';

jest.setTimeout(60_000);

// The paths around change control that were found, tried as a new user
// would; each test fails on the code that let them through.

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const CENTRAL_IT = 'group:default/central-it';
const GROUPS: Record<string, string[]> = {
  'user:default/ana': ['group:default/payments'],
  'user:default/wei': ['group:default/web'],
  'user:default/omar': [CENTRAL_IT],
};
const TRUSTED = 'url:https://change-types.test/';
const user = (name: string, actor?: string): BackstageCredentials =>
  mockCredentials.user(
    `user:default/${name}`,
    actor ? { actor: { subject: actor } } : undefined,
  ) as BackstageCredentials;

const component = (
  name: string,
  owner: string,
  dependsOn: string[] = [],
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner, dependsOn },
});
const resource = (
  name: string,
  owner: string,
  dependencyOf: string[] = [],
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { type: 'stack', owner, dependencyOf },
});

function template(
  name: string,
  options: {
    id?: string;
    version?: string;
    approval?: string;
    owner?: string;
    location?: string;
    allowedGroups?: string;
  } = {},
): Entity {
  const id = options.id ?? name;
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-origin-location':
          options.location ?? `${TRUSTED}all.yaml`,
        'backstage.io/managed-by-location':
          options.location ?? `${TRUSTED}${name}.yaml`,
        [K.id]: id,
        [K.version]: options.version ?? '1.0',
        [K.classification]: 'Management/Compute/Stack/Change',
        [K.automation]: 'automated',
        [K.approval]: options.approval ?? 'central-it',
        [K.expectedDuration]: 'PT30M',
        [K.risk]: 'low',
        ...(options.allowedGroups
          ? { [K.allowedGroups]: options.allowedGroups }
          : {}),
      },
    },
    spec: {
      owner: options.owner ?? CENTRAL_IT,
      parameters: [
        {
          properties: {
            owner: { type: 'string' },
            component: { type: 'string' },
            stack: { type: 'string' },
          },
        },
      ],
      steps: [
        {
          id: 'rfc',
          action: 'ops:rfc:create',
          input: { changeTypeId: id, parameters: '${{ parameters }}' },
        },
        {
          id: 'work',
          if: '${{ steps.rfc.output.execution }}',
          action: 'debug:log',
        },
      ],
    },
  };
}

const entities: Entity[] = [
  component('payments-api', 'group:default/payments', [
    'resource:default/payments-db',
  ]),
  component('storefront', 'group:default/web'),
  resource('payments-db', 'group:default/payments'),
  resource('payments-cache', 'group:default/payments', [
    'component:default/payments-api',
  ]),
  resource('shop-db', 'group:default/web', ['component:default/storefront']),
  template('db-change'),
  template('privileged-change', { allowedGroups: 'central-it' }),
  // What a user could publish by registering a location of their own.
  template('db-change-copy', {
    id: 'db-change',
    version: '9.0',
    approval: 'none',
    location: 'url:https://github.com/someone/fork/blob/main/x.yaml',
  }),
  template('team-made', { owner: 'group:default/payments', approval: 'none' }),
  template('twin-a', { id: 'twin', version: '1.0' }),
  template('twin-b', { id: 'twin', version: '1.0' }),
];

describe.each(databases.eachSupportedId())(
  'change control on %s',
  databaseId => {
    let service: RfcService;
    let changeTypes: CatalogChangeTypeService;
    let audit: DatabaseAuditLog;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseRfcStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const catalog = catalogServiceMock({ entities });
      const userInfo = {
        getUserInfo: async (credentials: any) => {
          const ref = credentials.principal.userEntityRef as string;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
          };
        },
      };
      const callers = new Callers({
        auth: mockServices.auth(),
        userInfo,
        centralItGroup: CENTRAL_IT,
      });
      audit = new DatabaseAuditLog({ db: knex });
      changeTypes = new CatalogChangeTypeService({
        catalog,
        logger: mockServices.logger.mock(),
        callers,
        onDecision: async decision => {
          await audit.appendGovernanceDecision(decision);
        },
        governance: {
          centralItGroup: CENTRAL_IT,
          trustedLocations: [`${TRUSTED}*`],
        },
      });
      service = new RfcService({
        store,
        changeTypes,
        catalog,
        userInfo,
        permissions: mockServices.permissions(),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        centralItGroup: CENTRAL_IT,
        callers,
      });
    });

    const body = (overrides: Record<string, unknown> = {}) => ({
      changeTypeId: 'db-change',
      title: 't',
      description: 'd',
      targetEntityRef: 'component:default/storefront',
      parameters: {},
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      submit: true,
      ...overrides,
    });

    it("refuses a change to another team's entity, whatever the form says", async () => {
      await expect(
        service.create(
          body({ parameters: { owner: 'group:default/web' } }),
          user('ana'),
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringMatching(
          /only members of group:default\/web, which owns component:default\/storefront/,
        ),
      });
      // The owning team and Central IT may.
      await expect(service.create(body(), user('wei'))).resolves.toMatchObject({
        origin: 'user',
      });
      await expect(service.create(body(), user('omar'))).resolves.toMatchObject(
        {
          origin: 'central-it',
        },
      );
    });

    it('makes the form agree with the target: owner, component, stack', async () => {
      const payments = (parameters: object) =>
        body({ targetEntityRef: 'component:default/payments-api', parameters });
      await expect(
        service.create(payments({ owner: 'group:default/web' }), user('ana')),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'parameters.owner: must be group:default/payments, the owner of component:default/payments-api',
        ),
      });
      await expect(
        service.create(
          payments({ component: 'component:default/storefront' }),
          user('ana'),
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          "parameters.component: must be component:default/payments-api, the RFC's target",
        ),
      });
      // Another team's stack is someone else's entity: 403.
      await expect(
        service.create(
          payments({ stack: 'resource:default/shop-db' }),
          user('ana'),
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'parameters.stack: resource:default/shop-db belongs to group:default/web',
        ),
      });
      // The team's own stacks of the component pass, either relation.
      for (const stack of ['payments-db', 'payments-cache']) {
        await expect(
          service.create(
            payments({
              owner: 'payments',
              component: 'component:default/payments-api',
              stack: `resource:default/${stack}`,
            }),
            user('ana'),
          ),
        ).resolves.toMatchObject({ ownerGroup: 'group:default/payments' });
      }
      // A settings change on a stack names the component it belongs to.
      await expect(
        service.create(
          body({
            targetEntityRef: 'resource:default/payments-db',
            parameters: {
              component: 'component:default/storefront',
              stack: 'resource:default/payments-db',
            },
          }),
          user('ana'),
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'parameters.component: resource:default/payments-db is not a stack of component:default/storefront',
        ),
      });
    });

    it("lets only a team's members ask for its new stacks, unless Central IT", async () => {
      await expect(
        service.create(
          body({
            targetEntityRef: 'component:default/payments-api',
            parameters: { owner: 'group:default/payments' },
          }),
          user('omar'),
        ),
      ).resolves.toBeDefined();
      await expect(
        service.create(
          body({ parameters: { owner: 'group:default/web' } }),
          user('ana'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
    });

    it('offers only governed change types: from a trusted location, owned by Central IT, unique', async () => {
      const ids = (await changeTypes.list({}, user('omar'))).map(
        t => `${t.templateRef} ${t.version}`,
      );
      expect(ids).toEqual([
        'template:default/db-change 1.0',
        'template:default/privileged-change 1.0',
      ]);
      // The highest version does not win when it is not governed.
      await expect(
        service.create(body({ changeTypeVersion: '9.0' }), user('wei')),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'version 9.0 of change type "db-change" is not in the approved catalog',
        ),
      });
      for (const id of ['team-made', 'twin']) {
        await expect(
          service.create(body({ changeTypeId: id }), user('wei')),
        ).rejects.toMatchObject({ name: 'InputError' });
      }
      const rfc = await service.create(body(), user('wei'));
      expect(rfc).toMatchObject({
        changeTypeVersion: '1.0',
        approvalRule: 'central-it',
        status: 'PendingApproval',
        binding: { templateRef: 'template:default/db-change' },
      });
    });

    it('records each governance decision in the audit log, and nothing more while they stay the same', async () => {
      const backend = mockCredentials.service('plugin:ops');
      expect(await changeTypes.recordDecisions(backend)).toBe(6);
      // Unchanged: nothing new is passed on, nor written.
      expect(await changeTypes.recordDecisions(backend)).toBe(0);
      const chain = await audit.subjectChain('change-type:db-change@9.0');
      expect(chain.items).toEqual([
        expect.objectContaining({
          action: 'governance-decision',
          actor: 'system',
          after: expect.objectContaining({
            decision: 'refused',
            templateRef: 'template:default/db-change-copy',
            reasons: expect.arrayContaining([
              expect.stringContaining('is not a trusted location'),
            ]),
          }),
        }),
      ]);
      const accepted = await audit.subjectChain('change-type:db-change@1.0');
      expect(accepted.items.map(e => (e.after as any).decision)).toEqual([
        'accepted',
      ]);
      expect((await audit.verify()).ok).toBe(true);
    });

    it('offers role-based change types to their groups only', async () => {
      const listed = async (name: string) =>
        (await changeTypes.list({}, user(name))).map(t => t.id);
      expect(await listed('ana')).toEqual(['db-change']);
      expect(await listed('omar')).toEqual(['db-change', 'privileged-change']);
      await expect(
        service.create(
          body({ changeTypeId: 'privileged-change' }),
          user('wei'),
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'may be requested only by members of group:default/central-it',
        ),
      });
    });

    it("refuses other plugins' tokens; the scaffolder's only creates and submits for its task's person", async () => {
      await expect(
        service.create(body(), user('wei', 'plugin:catalog')),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'plugin:catalog may not create RFCs on behalf of user:default/wei',
        ),
      });
      const rfc = await service.create(
        body(),
        user('wei', 'plugin:scaffolder'),
      );
      expect(rfc.requester).toBe('user:default/wei');
      await expect(
        service.act(
          rfc.id,
          { action: 'approve', version: rfc.version },
          user('omar', 'plugin:scaffolder'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        service.act(
          rfc.id,
          { action: 'cancel', version: rfc.version },
          user('wei', 'plugin:scaffolder'),
        ),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(
        service.list({}, mockCredentials.service('plugin:catalog')),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
    });

    it("hides other teams' RFCs: 404 by id, absent from lists", async () => {
      const rfc = await service.create(body(), user('wei'));
      await expect(service.get(rfc.id, user('ana'))).rejects.toMatchObject({
        name: 'NotFoundError',
      });
      await expect(service.events(rfc.id, user('ana'))).rejects.toMatchObject({
        name: 'NotFoundError',
      });
      expect((await service.list({}, user('ana'))).items).toEqual([]);
      expect(
        (await service.list({ owner: 'group:default/web' }, user('ana'))).items,
      ).toEqual([]);
      expect(
        (await service.list({}, user('omar'))).items.map(r => r.id),
      ).toEqual([rfc.id]);
      expect((await service.get(rfc.id, user('wei'))).id).toBe(rfc.id);
    });
  },
);
