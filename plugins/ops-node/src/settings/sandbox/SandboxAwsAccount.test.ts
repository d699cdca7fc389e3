import fs from 'node:fs';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  BackupSchedule,
  executionToken,
  MaintenanceWindow,
} from '@cloud-ops/plugin-ops-common';
import type { ChangeStamp, StackTarget } from '../types';
import {
  SANDBOX_RESTORE_DURATION_MS,
  SandboxAwsAccount,
} from './SandboxAwsAccount';

const stack: StackTarget = {
  account: '111122223333',
  region: 'eu-west-1',
  entityRef: 'Resource:default/Orders-DB',
  selector: { app: 'orders-db' },
};
const ref = 'resource:default/orders-db';

function stamp(rfc: number, attempt = 1): ChangeStamp {
  const rfcId = `RFC-${String(rfc).padStart(6, '0')}`;
  return { rfcId, attempt, token: executionToken(rfcId, attempt) };
}

const secondTuesday: MaintenanceWindow = {
  week: 2,
  weekday: 'TUE',
  startTime: '03:00',
  durationHours: 1,
};
const lastFriday: MaintenanceWindow = {
  week: 'last',
  weekday: 'FRI',
  startTime: '22:30',
  durationHours: 1,
};
const daily: BackupSchedule = {
  frequency: 'daily',
  startTime: '01:00',
  retentionDays: 35,
};
const weekly: BackupSchedule = {
  frequency: 'weekly',
  startTime: '02:00',
  retentionDays: 7,
};

/** The error a request is rejected with, which must be an InputError. */
async function inputError(request: Promise<unknown>): Promise<InputError> {
  const error = await request.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('SandboxAwsAccount', () => {
  const dir = createMockDirectory();
  let now: Date;
  const clock = () => now;
  let account: SandboxAwsAccount;

  beforeEach(() => {
    dir.clear();
    // A Saturday: November's second Tuesday has passed, its last Friday not.
    now = new Date('2026-11-21T12:00:00.000Z');
    account = new SandboxAwsAccount({ now: clock });
  });

  async function settingsOf(a: SandboxAwsAccount = account) {
    const results = await a.settings.readSettings([stack]);
    const result = results.get(ref);
    if (!result?.ok) throw new Error(`no settings for ${ref}`);
    return result.settings;
  }

  it('reads nothing set as nulls and empty lists, keyed by the lower-cased ref', async () => {
    expect(account.settings.implementation).toBe('sandbox');
    const results = await account.settings.readSettings([stack]);
    expect([...results.keys()]).toEqual([ref]);
    expect(await settingsOf()).toEqual({
      maintenanceWindow: null,
      rejectedUpdates: [],
      backupPlan: null,
    });
    expect(account.maintenanceWindowFor(ref)).toBeUndefined();
    expect(account.onDemandRecoveryPoints(ref)).toEqual([]);
    expect(account.restoreJobsFor(ref)).toEqual([]);
    expect(account.patchRunsFor(ref)).toEqual([]);
  });

  describe('patching', () => {
    it('creates the stack window, repeats nothing for the same token and updates it for a new one', async () => {
      const { patching } = account;
      expect(patching.implementation).toBe('sandbox');
      const first = await patching.setMaintenanceWindow({
        stack,
        window: secondTuesday,
        stamp: stamp(1),
      });
      expect(first).toEqual({
        windowId: expect.stringMatching(/^mw-[0-9a-f]{17}$/),
        schedule: 'cron(0 3 ? * TUE#2 *)',
        created: true,
      });
      expect(await settingsOf()).toMatchObject({
        maintenanceWindow: {
          id: first.windowId,
          name: 'ops-patch-resource-default-orders-db',
          schedule: 'cron(0 3 ? * TUE#2 *)',
          window: secondTuesday,
          enabled: true,
          nextExecutionAt: '2026-12-08T03:00:00.000Z',
          rfcId: 'RFC-000001',
        },
      });

      // A resumed task repeats its write: the first result, nothing changed.
      expect(
        await patching.setMaintenanceWindow({
          stack,
          window: lastFriday,
          stamp: stamp(1),
        }),
      ).toEqual(first);
      expect((await settingsOf()).maintenanceWindow?.schedule).toBe(
        'cron(0 3 ? * TUE#2 *)',
      );

      // A retry is a new attempt: it writes, to the same window.
      const retry = await patching.setMaintenanceWindow({
        stack,
        window: lastFriday,
        stamp: stamp(1, 2),
      });
      expect(retry).toEqual({
        windowId: first.windowId,
        schedule: 'cron(30 22 ? * 6L *)',
        created: false,
      });
      expect((await settingsOf()).maintenanceWindow).toEqual({
        id: first.windowId,
        name: 'ops-patch-resource-default-orders-db',
        schedule: 'cron(30 22 ? * 6L *)',
        window: lastFriday,
        enabled: true,
        nextExecutionAt: '2026-11-27T22:30:00.000Z',
        rfcId: 'RFC-000001',
      });
      expect(
        account.maintenanceWindowFor('RESOURCE:default/orders-db'),
      ).toEqual({
        id: first.windowId,
        name: 'ops-patch-resource-default-orders-db',
        schedule: 'cron(30 22 ? * 6L *)',
        nextExecutionAt: '2026-11-27T22:30:00.000Z',
      });
    });

    it('excludes the stack by disabling its window until the date, and includes it again', async () => {
      const { patching } = account;
      const { windowId } = await patching.setMaintenanceWindow({
        stack,
        window: lastFriday,
        stamp: stamp(1),
      });
      expect(
        await patching.setPatchingExclusion({
          stack,
          until: '2026-12-31',
          justification: 'Year-end freeze',
          stamp: stamp(2),
        }),
      ).toEqual({ windowId });
      const excluded = (await settingsOf()).maintenanceWindow;
      expect(excluded).toMatchObject({
        id: windowId,
        enabled: false,
        excludedUntil: '2026-12-31',
        rfcId: 'RFC-000002',
      });
      expect(excluded).not.toHaveProperty('nextExecutionAt');
      expect(account.maintenanceWindowFor(ref)).toEqual({
        id: windowId,
        name: 'ops-patch-resource-default-orders-db',
        schedule: 'cron(30 22 ? * 6L *)',
      });

      // A new schedule while excluded: the window stays disabled.
      await patching.setMaintenanceWindow({
        stack,
        window: secondTuesday,
        stamp: stamp(3),
      });
      expect((await settingsOf()).maintenanceWindow).toMatchObject({
        schedule: 'cron(0 3 ? * TUE#2 *)',
        enabled: false,
        excludedUntil: '2026-12-31',
      });

      await patching.setPatchingExclusion({
        stack,
        until: null,
        stamp: stamp(4),
      });
      const included = (await settingsOf()).maintenanceWindow;
      expect(included).toMatchObject({
        enabled: true,
        nextExecutionAt: '2026-12-08T03:00:00.000Z',
        rfcId: 'RFC-000004',
      });
      expect(included).not.toHaveProperty('excludedUntil');
      expect(account.maintenanceWindowFor(ref)?.nextExecutionAt).toBe(
        '2026-12-08T03:00:00.000Z',
      );
    });

    it('creates a disabled window with the default schedule when excluding a stack that has none', async () => {
      const { windowId } = await account.patching.setPatchingExclusion({
        stack,
        until: '2026-12-31',
        stamp: stamp(2),
      });
      expect((await settingsOf()).maintenanceWindow).toEqual({
        id: windowId,
        name: 'ops-patch-resource-default-orders-db',
        schedule: 'cron(0 3 ? * TUE#2 *)',
        window: secondTuesday,
        enabled: false,
        excludedUntil: '2026-12-31',
        rfcId: 'RFC-000002',
      });

      // Once the date has passed, the next write enables the window again.
      now = new Date('2027-01-01T00:00:00.000Z');
      await account.patching.setMaintenanceWindow({
        stack,
        window: lastFriday,
        stamp: stamp(3),
      });
      expect((await settingsOf()).maintenanceWindow).toMatchObject({
        enabled: true,
        nextExecutionAt: '2027-01-29T22:30:00.000Z',
      });
    });

    it('rejects updates in the stack baseline with the RFC of each, and lifts a rejection when applying with a patch run', async () => {
      const { patching } = account;
      const first = await patching.rejectUpdate({
        stack,
        updateId: 'KB5039212',
        stamp: stamp(3),
      });
      expect(first.baselineId).toMatch(/^pb-[0-9a-f]{17}$/);
      expect(
        await patching.rejectUpdate({
          stack,
          updateId: 'ALAS2-2026-0412',
          stamp: stamp(4),
        }),
      ).toEqual(first);
      expect(
        await patching.rejectUpdate({
          stack,
          updateId: 'KB0000000',
          stamp: stamp(3),
        }),
      ).toEqual(first);
      expect((await settingsOf()).rejectedUpdates).toEqual([
        {
          updateId: 'KB5039212',
          baselineId: first.baselineId,
          rfcId: 'RFC-000003',
        },
        {
          updateId: 'ALAS2-2026-0412',
          baselineId: first.baselineId,
          rfcId: 'RFC-000004',
        },
      ]);

      const applied = await patching.applyUpdate({
        stack,
        updateId: 'KB5039212',
        stamp: stamp(5),
      });
      expect(applied).toEqual({
        baselineId: first.baselineId,
        commandId: expect.stringMatching(UUID),
      });
      expect((await settingsOf()).rejectedUpdates).toEqual([
        {
          updateId: 'ALAS2-2026-0412',
          baselineId: first.baselineId,
          rfcId: 'RFC-000004',
        },
      ]);
      expect(account.patchRunsFor(ref)).toEqual([
        {
          commandId: applied.commandId,
          updateId: 'KB5039212',
          baselineId: first.baselineId,
          createdAt: now.toISOString(),
          rfcId: 'RFC-000005',
        },
      ]);

      expect(
        await patching.applyUpdate({
          stack,
          updateId: 'KB5039212',
          stamp: stamp(5),
        }),
      ).toEqual(applied);
      expect(account.patchRunsFor(ref)).toHaveLength(1);

      now = new Date(now.getTime() + 60_000);
      const retry = await patching.applyUpdate({
        stack,
        updateId: 'KB5039212',
        stamp: stamp(5, 2),
      });
      expect(retry.commandId).not.toBe(applied.commandId);
      expect(account.patchRunsFor(ref).map(r => r.commandId)).toEqual([
        retry.commandId,
        applied.commandId,
      ]);
    });
  });

  describe('backup', () => {
    it('creates the stack backup plan and selection once, and updates the plan for a new token', async () => {
      const { backup } = account;
      expect(backup.implementation).toBe('sandbox');
      const first = await backup.setBackupSchedule({
        stack,
        schedule: daily,
        stamp: stamp(6),
      });
      expect(first).toEqual({
        planId: expect.stringMatching(UUID),
        selectionId: expect.stringMatching(UUID),
        created: true,
      });
      expect((await settingsOf()).backupPlan).toEqual({
        id: first.planId,
        name: 'ops-resource-default-orders-db',
        schedule: 'cron(0 1 ? * * *)',
        backupSchedule: daily,
        rfcId: 'RFC-000006',
      });

      expect(
        await backup.setBackupSchedule({
          stack,
          schedule: weekly,
          stamp: stamp(6),
        }),
      ).toEqual(first);
      expect((await settingsOf()).backupPlan?.schedule).toBe(
        'cron(0 1 ? * * *)',
      );

      expect(
        await backup.setBackupSchedule({
          stack,
          schedule: weekly,
          stamp: stamp(7),
        }),
      ).toEqual({ ...first, created: false });
      expect((await settingsOf()).backupPlan).toEqual({
        id: first.planId,
        name: 'ops-resource-default-orders-db',
        schedule: 'cron(0 2 ? * SUN *)',
        backupSchedule: weekly,
        rfcId: 'RFC-000007',
      });
    });

    it('adds a completed on-demand recovery point per snapshot, newest first', async () => {
      const { backup } = account;
      const first = await backup.takeSnapshot({ stack, stamp: stamp(8) });
      expect(first.started).toEqual([
        {
          resourceArn: expect.stringMatching(
            /^arn:aws:cloudformation:eu-west-1:111122223333:stack\/ops-resource-default-orders-db\//,
          ),
          kind: 'backup-job',
          id: expect.stringMatching(UUID),
        },
      ]);
      const [point] = account.onDemandRecoveryPoints(ref);
      expect(point).toEqual({
        id: expect.stringMatching(
          /^arn:aws:backup:eu-west-1:111122223333:recovery-point:/,
        ),
        completedAt: now.toISOString(),
        status: 'COMPLETED',
        origin: 'on-demand',
      });

      expect(await backup.takeSnapshot({ stack, stamp: stamp(8) })).toEqual(
        first,
      );
      expect(account.onDemandRecoveryPoints(ref)).toHaveLength(1);

      now = new Date('2026-11-21T13:00:00.000Z');
      const retry = await backup.takeSnapshot({ stack, stamp: stamp(8, 2) });
      expect(retry.started[0].id).not.toBe(first.started[0].id);
      const points = account.onDemandRecoveryPoints(ref);
      expect(points.map(p => p.completedAt)).toEqual([
        '2026-11-21T13:00:00.000Z',
        '2026-11-21T12:00:00.000Z',
      ]);
      expect(points[1]).toEqual(point);
      // Another stack's snapshots are its own.
      expect(account.onDemandRecoveryPoints('resource:default/other')).toEqual(
        [],
      );
    });

    it('runs a restore job from its own or a shown recovery point, completing after the restore duration', async () => {
      const { backup } = account;
      await backup.takeSnapshot({ stack, stamp: stamp(8) });
      const [point] = account.onDemandRecoveryPoints(ref);
      const started = now.toISOString();

      const { restoreJobId } = await backup.restore({
        stack,
        recoveryPointId: point.id,
        stamp: stamp(9),
      });
      expect(restoreJobId).toMatch(UUID);
      const running = {
        id: restoreJobId,
        recoveryPointId: point.id,
        status: 'RUNNING',
        createdAt: started,
        rfcId: 'RFC-000009',
      };
      expect(account.restoreJobsFor(ref)).toEqual([running]);
      expect(
        await backup.restore({
          stack,
          recoveryPointId: point.id,
          stamp: stamp(9),
        }),
      ).toEqual({ restoreJobId });
      expect(account.restoreJobsFor(ref)).toHaveLength(1);

      now = new Date(Date.parse(started) + SANDBOX_RESTORE_DURATION_MS - 1);
      expect(account.restoreJobsFor(ref)).toEqual([running]);
      now = new Date(Date.parse(started) + SANDBOX_RESTORE_DURATION_MS);
      expect(account.restoreJobsFor(ref)).toEqual([
        { ...running, status: 'COMPLETED', completedAt: now.toISOString() },
      ]);

      // The scheduled recovery points the sandbox operations reader shows.
      const shown =
        'arn:aws:ec2:eu-west-1:111122223333:instance/i-0a5f1e2d3c4b50001/recovery-point-9';
      const second = await backup.restore({
        stack,
        recoveryPointId: shown,
        stamp: stamp(10),
      });
      expect(account.restoreJobsFor(ref)[0]).toMatchObject({
        id: second.restoreJobId,
        recoveryPointId: shown,
        status: 'RUNNING',
      });
    });

    it('rejects a recovery point it does not know, or one in another account or region, creating no job', async () => {
      const { backup } = account;
      const elsewhere = {
        ...stack,
        entityRef: 'resource:default/orders-db-us',
        region: 'us-east-1',
      };
      await backup.takeSnapshot({ stack: elsewhere, stamp: stamp(8) });
      const [foreign] = account.onDemandRecoveryPoints(elsewhere.entityRef);

      for (const recoveryPointId of [
        'rp-0123456789',
        'arn:aws:backup:eu-west-1:111122223333:recovery-point:unknown',
        foreign.id,
        'arn:aws:ec2:us-east-1:111122223333:instance/i-0a5f1e2d3c4b50001/recovery-point-9',
        'arn:aws:ec2:eu-west-1:444455556666:instance/i-0a5f1e2d3c4b50001/recovery-point-9',
      ]) {
        await expect(
          backup.restore({ stack, recoveryPointId, stamp: stamp(9) }),
        ).rejects.toThrow(InputError);
      }
      expect(account.restoreJobsFor(ref)).toEqual([]);
    });
  });

  describe('bad input', () => {
    const noSelector = { ...stack, selector: {} };
    const writes: Array<[string, (a: SandboxAwsAccount) => Promise<unknown>]> =
      [
        [
          'setMaintenanceWindow',
          a =>
            a.patching.setMaintenanceWindow({
              stack: noSelector,
              window: secondTuesday,
              stamp: stamp(1),
            }),
        ],
        [
          'setPatchingExclusion',
          a =>
            a.patching.setPatchingExclusion({
              stack: noSelector,
              until: null,
              stamp: stamp(1),
            }),
        ],
        [
          'rejectUpdate',
          a =>
            a.patching.rejectUpdate({
              stack: noSelector,
              updateId: 'KB1',
              stamp: stamp(1),
            }),
        ],
        [
          'applyUpdate',
          a =>
            a.patching.applyUpdate({
              stack: noSelector,
              updateId: 'KB1',
              stamp: stamp(1),
            }),
        ],
        [
          'setBackupSchedule',
          a =>
            a.backup.setBackupSchedule({
              stack: noSelector,
              schedule: daily,
              stamp: stamp(1),
            }),
        ],
        [
          'takeSnapshot',
          a => a.backup.takeSnapshot({ stack: noSelector, stamp: stamp(1) }),
        ],
      ];

    it.each(writes)(
      '%s of a stack with no selector pairs is an InputError',
      async (_name, write) => {
        expect((await inputError(write(account))).message).toMatch(
          /Resource:default\/Orders-DB has no tag selector, so its AWS resources cannot be found/,
        );
      },
    );

    it('rejects bad requests with an InputError naming what to fix, writing nothing and remembering no token', async () => {
      const { patching, backup } = account;
      const rejected: Array<[Promise<unknown>, RegExp]> = [
        [
          patching.setMaintenanceWindow({
            stack,
            window: { ...secondTuesday, startTime: '3am' },
            stamp: stamp(1),
          }),
          /startTime/,
        ],
        [
          patching.setMaintenanceWindow({
            stack,
            window: {
              ...secondTuesday,
              week: 5,
            } as unknown as MaintenanceWindow,
            stamp: stamp(1),
          }),
          /week: must be 1, 2, 3, 4 or "last"/,
        ],
        [
          patching.setMaintenanceWindow({
            stack: { ...stack, entityRef: 'orders-db' },
            window: secondTuesday,
            stamp: stamp(1),
          }),
          /not a full entity ref/,
        ],
        [
          backup.setBackupSchedule({
            stack,
            schedule: { ...daily, retentionDays: 0 },
            stamp: stamp(1),
          }),
          /retentionDays/,
        ],
        [
          patching.rejectUpdate({ stack, updateId: ' ', stamp: stamp(1) }),
          /updateId is required/,
        ],
        [
          patching.setPatchingExclusion({
            stack,
            until: 'soon',
            stamp: stamp(1),
          }),
          /until must be a date/,
        ],
        [
          backup.takeSnapshot({
            stack,
            stamp: { ...stamp(1), token: 'x'.repeat(65) },
          }),
          /token must be 1 to 64/,
        ],
        [
          backup.takeSnapshot({
            stack: { ...stack, account: '1234' },
            stamp: stamp(1),
          }),
          /12-digit account/,
        ],
        [
          backup.takeSnapshot({
            stack: { ...stack, region: 'Ireland' },
            stamp: stamp(1),
          }),
          /not a region such as eu-west-1/,
        ],
      ];
      for (const [request, message] of rejected) {
        expect((await inputError(request)).message).toMatch(message);
      }

      expect(await settingsOf()).toEqual({
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
      });
      expect(account.onDemandRecoveryPoints(ref)).toEqual([]);
      // The token of a rejected request writes once the request is valid.
      expect(
        await patching.setMaintenanceWindow({
          stack,
          window: secondTuesday,
          stamp: stamp(1),
        }),
      ).toMatchObject({ created: true });
    });
  });

  describe('state file', () => {
    it('keeps the account across instances on one file, tokens included', async () => {
      const stateFile = dir.resolve('sandbox/settings.json');
      const a = new SandboxAwsAccount({ stateFile, now: clock });
      const window = await a.patching.setMaintenanceWindow({
        stack,
        window: secondTuesday,
        stamp: stamp(1),
      });
      await a.backup.setBackupSchedule({
        stack,
        schedule: daily,
        stamp: stamp(2),
      });

      const b = new SandboxAwsAccount({ stateFile, now: clock });
      expect(await settingsOf(b)).toEqual(await settingsOf(a));
      expect((await settingsOf(b)).maintenanceWindow?.id).toBe(window.windowId);
      // b knows a's token: the same write is not made twice.
      expect(
        await b.patching.setMaintenanceWindow({
          stack,
          window: lastFriday,
          stamp: stamp(1),
        }),
      ).toEqual(window);

      // Both stay alive: a sees what b writes after a was made.
      await b.backup.takeSnapshot({ stack, stamp: stamp(3) });
      expect(a.onDemandRecoveryPoints(ref)).toEqual(
        b.onDemandRecoveryPoints(ref),
      );
      expect(a.onDemandRecoveryPoints(ref)).toHaveLength(1);
      expect(a.maintenanceWindowFor(ref)?.schedule).toBe(
        'cron(0 3 ? * TUE#2 *)',
      );
      // Written by rename: no temporary file is left behind.
      expect(fs.readdirSync(dir.resolve('sandbox'))).toEqual(['settings.json']);
    });

    it('sets a corrupt file aside with a warning and starts empty', async () => {
      dir.setContent({ 'sandbox/settings.json': '{"maintenanceWindows": {' });
      const stateFile = dir.resolve('sandbox/settings.json');
      const logger = mockServices.logger.mock();
      const broken = new SandboxAwsAccount({ stateFile, now: clock, logger });

      expect(await settingsOf(broken)).toEqual({
        maintenanceWindow: null,
        rejectedUpdates: [],
        backupPlan: null,
      });
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(/settings\.json is not valid JSON/),
      );
      expect(fs.readFileSync(`${stateFile}.corrupt`, 'utf8')).toBe(
        '{"maintenanceWindows": {',
      );

      await broken.patching.setMaintenanceWindow({
        stack,
        window: secondTuesday,
        stamp: stamp(1),
      });
      const again = new SandboxAwsAccount({ stateFile, now: clock, logger });
      expect(again.maintenanceWindowFor(ref)?.schedule).toBe(
        'cron(0 3 ? * TUE#2 *)',
      );
      expect(logger.warn).toHaveBeenCalledTimes(1);
    });

    it('reads the file from ops.aws.sandbox.settingsStateFile', async () => {
      const stateFile = dir.resolve('configured/settings.json');
      const a = SandboxAwsAccount.fromConfig(
        new ConfigReader({
          ops: { aws: { sandbox: { settingsStateFile: stateFile } } },
        }),
      );
      await a.backup.takeSnapshot({ stack, stamp: stamp(1) });
      const stored = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      expect(stored.recoveryPoints).toHaveLength(1);
    });

    it('defaults to sandbox/settings.json in the nearest .data directory', async () => {
      dir.setContent({ '.data': {}, 'packages/backend': {} });
      const cwd = jest
        .spyOn(process, 'cwd')
        .mockReturnValue(dir.resolve('packages/backend'));
      try {
        const a = SandboxAwsAccount.fromConfig(new ConfigReader({}));
        await a.backup.takeSnapshot({ stack, stamp: stamp(1) });
      } finally {
        cwd.mockRestore();
      }
      expect(fs.existsSync(dir.resolve('.data/sandbox/settings.json'))).toBe(
        true,
      );
    });
  });
});
