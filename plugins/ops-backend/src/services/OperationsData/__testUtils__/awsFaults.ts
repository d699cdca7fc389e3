import {
  GetBackupPlanCommand,
  ListBackupVaultsCommand,
  ListProtectedResourcesCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowTargetsCommand,
} from '@aws-sdk/client-ssm';
import type { mockAwsAccount } from './fakeAws';

/**
 * The calls of each source of the operations reader, and how each can go
 * wrong, for fault tests over {@link mockAwsAccount}.
 */

type Mocks = ReturnType<typeof mockAwsAccount>['mocks'];

/** Which part of the reader a call belongs to. */
export type ReaderSource =
  | 'resources'
  | 'alarms'
  | 'patch-states'
  | 'maintenance-windows'
  | 'pending-updates'
  | 'aws-backup'
  | 'ebs-snapshots'
  | 'rds-snapshots';

export type SourceCall = {
  source: ReaderSource;
  /** The IAM name the reader reports, e.g. `backup:ListProtectedResources`. */
  operation: string;
  mock: keyof Mocks;
  command: any;
  /** A page with an item missing its identifying field, and which field. */
  malformed?: { page: object; field: string };
  /** A valid page whose next token is always the same; absent for unpaged calls. */
  endlessPage?: object;
};

export const SOURCE_CALLS: SourceCall[] = [
  {
    source: 'resources',
    operation: 'tag:GetResources',
    mock: 'tagging',
    command: GetResourcesCommand,
    malformed: {
      page: { ResourceTagMappingList: [{ Tags: [] }] },
      field: 'ResourceARN',
    },
    endlessPage: { ResourceTagMappingList: [], PaginationToken: 'again' },
  },
  {
    source: 'alarms',
    operation: 'cloudwatch:DescribeAlarms',
    mock: 'cloudwatch',
    command: DescribeAlarmsCommand,
    malformed: {
      page: { MetricAlarms: [{ StateValue: 'OK' }] },
      field: 'AlarmName',
    },
    endlessPage: { MetricAlarms: [], NextToken: 'again' },
  },
  {
    source: 'patch-states',
    operation: 'ssm:DescribeInstancePatchStates',
    mock: 'ssm',
    command: DescribeInstancePatchStatesCommand,
    malformed: {
      page: { InstancePatchStates: [{ MissingCount: 0 }] },
      field: 'InstanceId',
    },
    endlessPage: { InstancePatchStates: [], NextToken: 'again' },
  },
  {
    source: 'maintenance-windows',
    operation: 'ssm:DescribeMaintenanceWindows',
    mock: 'ssm',
    command: DescribeMaintenanceWindowsCommand,
    malformed: {
      page: { WindowIdentities: [{ Name: 'x' }] },
      field: 'WindowId',
    },
    endlessPage: { WindowIdentities: [], NextToken: 'again' },
  },
  {
    source: 'maintenance-windows',
    operation: 'ssm:DescribeMaintenanceWindowTargets',
    mock: 'ssm',
    command: DescribeMaintenanceWindowTargetsCommand,
    endlessPage: { Targets: [], NextToken: 'again' },
  },
  {
    source: 'pending-updates',
    operation: 'ssm:DescribeInstancePatches',
    mock: 'ssm',
    command: DescribeInstancePatchesCommand,
    malformed: {
      page: { Patches: [{ Severity: 'Low' }] },
      field: 'KBId or Title',
    },
    endlessPage: { Patches: [], NextToken: 'again' },
  },
  {
    source: 'aws-backup',
    operation: 'backup:ListProtectedResources',
    mock: 'backup',
    command: ListProtectedResourcesCommand,
    malformed: {
      page: { Results: [{ ResourceType: 'EC2' }] },
      field: 'ResourceArn',
    },
    endlessPage: { Results: [], NextToken: 'again' },
  },
  {
    source: 'aws-backup',
    operation: 'backup:ListBackupVaults',
    mock: 'backup',
    command: ListBackupVaultsCommand,
    malformed: { page: { BackupVaultList: [{}] }, field: 'BackupVaultName' },
    endlessPage: {
      BackupVaultList: [{ BackupVaultName: 'Default' }],
      NextToken: 'again',
    },
  },
  {
    source: 'aws-backup',
    operation: 'backup:ListRecoveryPointsByBackupVault',
    mock: 'backup',
    command: ListRecoveryPointsByBackupVaultCommand,
    malformed: {
      page: { RecoveryPoints: [{ Status: 'COMPLETED' }] },
      field: 'ResourceArn',
    },
    endlessPage: { RecoveryPoints: [], NextToken: 'again' },
  },
  {
    source: 'aws-backup',
    operation: 'backup:GetBackupPlan',
    mock: 'backup',
    command: GetBackupPlanCommand,
  },
  {
    source: 'ebs-snapshots',
    operation: 'ec2:DescribeVolumes',
    mock: 'ec2',
    command: DescribeVolumesCommand,
    malformed: { page: { Volumes: [{ Attachments: [] }] }, field: 'VolumeId' },
    endlessPage: { Volumes: [], NextToken: 'again' },
  },
  {
    source: 'ebs-snapshots',
    operation: 'ec2:DescribeSnapshots',
    mock: 'ec2',
    command: DescribeSnapshotsCommand,
    malformed: {
      page: { Snapshots: [{ VolumeId: 'vol-1', StartTime: new Date(0) }] },
      field: 'SnapshotId',
    },
    endlessPage: { Snapshots: [], NextToken: 'again' },
  },
  {
    source: 'rds-snapshots',
    operation: 'rds:DescribeDBSnapshots',
    mock: 'rds',
    command: DescribeDBSnapshotsCommand,
    malformed: {
      page: { DBSnapshots: [{ DBInstanceIdentifier: 'app-0-db-0' }] },
      field: 'DBSnapshotIdentifier',
    },
    endlessPage: { DBSnapshots: [], Marker: 'again' },
  },
];

export type FaultName =
  | 'throttling'
  | 'access denied'
  | 'timeout'
  | 'malformed page'
  | 'endless pages';

export const FAULTS: FaultName[] = [
  'throttling',
  'access denied',
  'timeout',
  'malformed page',
  'endless pages',
];

/** An error as the SDK throws it. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** The faults a call can have: an unpaged call has no pages to break. */
export function faultsFor(call: SourceCall): FaultName[] {
  return FAULTS.filter(
    f =>
      (f !== 'malformed page' || call.malformed) &&
      (f !== 'endless pages' || call.endlessPage),
  );
}

/**
 * Makes `call` fail with `fault` on the mocks, and says what the reader's
 * message about it must look like.
 */
export function injectFault(
  mocks: Mocks,
  call: SourceCall,
  fault: FaultName,
  account = '111122223333',
): RegExp {
  const on = (mocks[call.mock] as any).on(call.command);
  const where = `^${call.operation} in ${account}/eu-west-1 failed: `;
  switch (fault) {
    case 'throttling':
      on.rejects(awsError('ThrottlingException', 'Rate exceeded'));
      return new RegExp(
        `${where}ThrottlingException: Rate exceeded \\(AWS throttled the call; try again later\\)$`,
      );
    case 'access denied':
      on.rejects(
        awsError(
          'AccessDeniedException',
          `User is not authorized to perform: ${call.operation}`,
        ),
      );
      return new RegExp(
        `${where}AccessDeniedException: User is not authorized to perform: ${call.operation} \\(allow ${call.operation} for the role the portal uses in account ${account}\\)$`,
      );
    case 'timeout':
      on.rejects(
        awsError('TimeoutError', 'Connection timed out after 10000 ms'),
      );
      return new RegExp(
        `${where}TimeoutError: Connection timed out after 10000 ms \\(AWS did not answer in time\\)$`,
      );
    case 'malformed page':
      if (!call.malformed)
        throw new Error(`${call.operation} has no malformed page`);
      on.resolves(call.malformed.page);
      return new RegExp(
        `${where}MalformedResponse: an item without ${call.malformed.field}$`,
      );
    case 'endless pages':
      if (!call.endlessPage) throw new Error(`${call.operation} is not paged`);
      on.resolves(call.endlessPage);
      return new RegExp(
        `${where}MalformedResponse: the next token "again" came back again after 2 pages; the pages never end$`,
      );
    default:
      throw new Error(`unknown fault ${fault}`);
  }
}
