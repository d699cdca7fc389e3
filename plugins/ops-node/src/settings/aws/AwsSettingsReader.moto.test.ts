import {
  BackupClient,
  CreateBackupSelectionCommand,
  GetBackupPlanCommand,
  ListBackupPlansCommand,
} from '@aws-sdk/client-backup';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeMaintenanceWindowsCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeMoto, MOTO_LOCATION } from '../../__testUtils__/moto';
import { AwsBackupGateway } from './AwsBackupGateway';
import { AwsPatchingGateway } from './AwsPatchingGateway';
import { AwsSettingsReader } from './AwsSettingsReader';

/**
 * The reader reads back what the gateways wrote to moto. moto 5.2.1's
 * tag:GetResources does not list maintenance windows or backup plans, so
 * the scan is stubbed with what the Tagging API would answer (the window's
 * tags as moto holds them); DescribeMaintenanceWindows and GetBackupPlan go
 * to moto. Backup selections are not served by moto and are stubbed.
 */
const taggingStub = mockClient(ResourceGroupsTaggingAPIClient);
const backupStub = mockClient(BackupClient);
const ssmSpy = mockClient(SSMClient);

const stack = {
  ...MOTO_LOCATION,
  entityRef: 'resource:default/orders-db',
  selector: { app: 'orders' },
};
const stamp = { rfcId: 'RFC-000042', attempt: 1, token: 'ops-RFC-000042-a1' };

afterAll(() => {
  taggingStub.restore();
  backupStub.restore();
  ssmSpy.restore();
});

describeMoto('AwsSettingsReader against moto', moto => {
  beforeEach(() => {
    taggingStub.reset();
    backupStub.reset();
    backupStub.send.callThrough();
    ssmSpy.reset();
    ssmSpy.send.callThrough();
  });

  it('reads back the window and plan the gateways wrote', async () => {
    backupStub
      .on(CreateBackupSelectionCommand)
      .resolves({ SelectionId: 'sel-1' });
    const clients = moto.clients();
    const { windowId } = await new AwsPatchingGateway(
      clients,
    ).setMaintenanceWindow({
      stack,
      window: { week: 1, weekday: 'MON', startTime: '04:30', durationHours: 1 },
      stamp,
    });
    const { planId } = await new AwsBackupGateway(clients).setBackupSchedule({
      stack,
      schedule: { frequency: 'daily', startTime: '01:00', retentionDays: 7 },
      stamp,
    });
    const { TagList } = await clients.ssm(stack).send(
      new ListTagsForResourceCommand({
        ResourceType: 'MaintenanceWindow',
        ResourceId: windowId,
      }),
    );
    const { BackupPlansList } = await clients
      .backup(stack)
      .send(new ListBackupPlansCommand({}));
    taggingStub.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: `arn:aws:ssm:eu-west-1:123456789012:maintenancewindow/${windowId}`,
          Tags: TagList,
        },
        {
          ResourceARN: BackupPlansList![0].BackupPlanArn,
          Tags: [
            { Key: 'cloud-ops.io/entity-ref', Value: stack.entityRef },
            { Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' },
          ],
        },
      ],
    });
    ssmSpy.resetHistory();
    backupStub.resetHistory();

    const results = await new AwsSettingsReader(clients, {
      now: () => new Date('2026-06-01T00:00:00Z'),
    }).readSettings([stack]);

    expect(results.get('resource:default/orders-db')).toEqual({
      ok: true,
      settings: {
        maintenanceWindow: {
          id: windowId,
          name: 'ops-patch-resource-default-orders-db',
          schedule: 'cron(30 4 ? * MON#1 *)',
          window: {
            week: 1,
            weekday: 'MON',
            startTime: '04:30',
            durationHours: 1,
          },
          enabled: true,
          // moto gives no NextExecutionTime, so the reader works it out.
          nextExecutionAt: '2026-06-01T04:30:00.000Z',
          rfcId: 'RFC-000042',
        },
        rejectedUpdates: [],
        backupPlan: {
          id: planId,
          name: 'ops-resource-default-orders-db',
          schedule: 'cron(0 1 ? * * *)',
          backupSchedule: {
            frequency: 'daily',
            startTime: '01:00',
            retentionDays: 7,
          },
          rfcId: 'RFC-000042',
        },
      },
    });
    expect(ssmSpy).toHaveReceivedCommandTimes(
      DescribeMaintenanceWindowsCommand,
      1,
    );
    expect(backupStub).toHaveReceivedCommandTimes(GetBackupPlanCommand, 1);
  });
});
