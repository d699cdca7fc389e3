import { mockServices } from '@backstage/backend-test-utils';
import { OpsContractStub } from '../__testUtils__/opsContractStub';
import { auth, discovery } from '../__testUtils__/context';
import {
  createScaffolderTaskReader,
  RfcTaskReconciler,
  TaskState,
} from './RfcTaskReconciler';

describe('RfcTaskReconciler', () => {
  it('closes as Failure the RFCs in progress whose task failed, was cancelled or vanished', async () => {
    const stub = new OpsContractStub();
    const tasks: Record<string, TaskState> = {
      t1: 'failed',
      t2: 'running',
      t3: 'missing',
      t4: 'cancelled',
      t5: 'completed',
    };
    stub.seed({ id: 'RFC-000001', status: 'InProgress', taskId: 't1' });
    stub.seed({ id: 'RFC-000002', status: 'InProgress', taskId: 't2' });
    stub.seed({ id: 'RFC-000003', status: 'InProgress', taskId: 't3' });
    stub.seed({ id: 'RFC-000004', status: 'InProgress', taskId: 't4' });
    stub.seed({ id: 'RFC-000005', status: 'InProgress', taskId: 't5' });
    stub.seed({ id: 'RFC-000006', status: 'InProgress' });
    stub.seed({ id: 'RFC-000007', status: 'PendingApproval', taskId: 't1' });
    const reconciler = new RfcTaskReconciler({
      discovery,
      auth,
      logger: mockServices.logger.mock(),
      readTask: async id => tasks[id],
      fetch: stub.fetch,
    });

    const closed = await reconciler.reconcile();

    expect(closed).toEqual(['RFC-000001', 'RFC-000003', 'RFC-000004']);
    expect(stub.rfcs.get('RFC-000001')).toMatchObject({
      status: 'Failure',
      outcomeNotes: 'The scaffolder task t1 that carried out this RFC failed.',
    });
    expect(stub.rfcs.get('RFC-000003')!.outcomeNotes).toMatch(
      /no longer exists/,
    );
    for (const id of ['RFC-000002', 'RFC-000005', 'RFC-000006']) {
      expect(stub.rfcs.get(id)!.status).toBe('InProgress');
    }
    expect(stub.rfcs.get('RFC-000007')!.status).toBe('PendingApproval');
    // Scheduled work acts as the module itself, not as a user.
    expect(stub.calls[0].token).toContain('"sub":"plugin:test"');
  });

  it('reads task states from the scaffolder API', async () => {
    const responses: Record<string, Response> = {
      '/api/scaffolder/v2/tasks/a': Response.json({ status: 'failed' }),
      '/api/scaffolder/v2/tasks/b': Response.json({ status: 'processing' }),
      '/api/scaffolder/v2/tasks/c': new Response('{}', { status: 404 }),
    };
    const readTask = createScaffolderTaskReader({
      discovery,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      fetch: async url => responses[new URL(String(url)).pathname],
    });
    expect(await readTask('a')).toBe('failed');
    expect(await readTask('b')).toBe('running');
    expect(await readTask('c')).toBe('missing');
  });
});
