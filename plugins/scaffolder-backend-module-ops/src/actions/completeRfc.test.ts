import { OpsContractStub } from '../__testUtils__/opsContractStub';
import { actionContext, auth, discovery } from '../__testUtils__/context';
import { createRfcCompleteAction } from './completeRfc';
import { examples } from './completeRfc.examples';

describe('ops:rfc:complete', () => {
  let stub: OpsContractStub;
  const action = () =>
    createRfcCompleteAction({ discovery, auth, fetch: stub.fetch });
  beforeEach(() => {
    stub = new OpsContractStub();
  });
  const completeCalls = () =>
    stub.calls.filter(c => c.path.endsWith('/complete'));

  it('closes the RFC with its outcome and the current version', async () => {
    stub.seed({ id: 'RFC-000001', status: 'InProgress', version: 4 });
    const ctx = actionContext({
      rfcId: 'RFC-000001',
      outcome: 'Success',
      outcomeNotes: 'Provisioned pp-1',
    });
    await action().handler(ctx as any);
    expect(completeCalls().map(c => c.body)).toEqual([
      { version: 4, outcome: 'Success', outcomeNotes: 'Provisioned pp-1' },
    ]);
    expect(stub.rfcs.get('RFC-000001')).toMatchObject({
      status: 'Success',
      outcomeNotes: 'Provisioned pp-1',
    });
    expect(ctx.output).toHaveBeenCalledWith('status', 'Success');
  });

  it('reads again and retries when it loses a race', async () => {
    stub.seed({ id: 'RFC-000002', status: 'InProgress' });
    stub.conflictOnce.add('RFC-000002');
    await action().handler(
      actionContext({ rfcId: 'RFC-000002', outcome: 'Failure' }) as any,
    );
    expect(completeCalls()).toHaveLength(2);
    expect(stub.rfcs.get('RFC-000002')!.status).toBe('Failure');
  });

  it('accepts an RFC that already has this outcome, as after a restart', async () => {
    stub.seed({ id: 'RFC-000003', status: 'Success' });
    const ctx = actionContext({ rfcId: 'RFC-000003', outcome: 'Success' });
    await action().handler(ctx as any);
    expect(completeCalls()).toHaveLength(0);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Success');
  });

  it('refuses an RFC that is not in progress', async () => {
    stub.seed({ id: 'RFC-000004', status: 'Rejected' });
    await expect(
      action().handler(
        actionContext({ rfcId: 'RFC-000004', outcome: 'Success' }) as any,
      ),
    ).rejects.toThrow(
      'RFC-000004 cannot be closed as Success: it is Rejected, not InProgress',
    );
    expect(completeCalls()).toHaveLength(0);
  });

  it('makes no call in a dry run', async () => {
    await action().handler(
      actionContext({ rfcId: 'RFC-000005' }, { isDryRun: true }) as any,
    );
    expect(stub.calls).toHaveLength(0);
  });

  it.each(examples.map(e => [e.description, e.step] as const))(
    'runs the example: %s',
    async (_description, step) => {
      stub.seed({ id: 'RFC-000123', status: 'InProgress' });
      const resolved = JSON.parse(
        JSON.stringify(step.input)
          .replace('${{ steps.rfc.output.rfcId }}', 'RFC-000123')
          .replace(
            '${{ steps.provision.output.provisionedProductId }}',
            'pp-1',
          ),
      );
      await action().handler(actionContext(resolved) as any);
      expect(stub.rfcs.get('RFC-000123')!.status).toBe(step.input.outcome);
    },
  );
});
