import {
  AwsCallError,
  AwsCredentialsError,
  callAws,
  describeAwsError,
} from './awsErrors';

const here = { account: '111122223333', region: 'eu-west-1' };

function awsError(name: string, message: string) {
  return Object.assign(new Error(message), { name });
}

describe('describeAwsError', () => {
  it('names the call, the location and what AWS said, with a hint for access errors', () => {
    expect(
      describeAwsError(
        awsError('AccessDeniedException', 'User is not authorized'),
        'ssm:UpdateMaintenanceWindow',
        here,
      ),
    ).toBe(
      'ssm:UpdateMaintenanceWindow in 111122223333/eu-west-1 failed: AccessDeniedException: User is not authorized (allow ssm:UpdateMaintenanceWindow for the role the portal uses in account 111122223333)',
    );
    expect(
      describeAwsError(
        awsError('ThrottlingException', 'Rate exceeded'),
        'tag:GetResources',
        here,
      ),
    ).toMatch(/failed: ThrottlingException: Rate exceeded \(AWS throttled/);
    expect(describeAwsError('plain text', 'backup:GetBackupPlan', here)).toBe(
      'backup:GetBackupPlan in 111122223333/eu-west-1 failed: Error: plain text',
    );
  });
});

describe('callAws', () => {
  it('wraps a failure in an AwsCallError that keeps AWS error name and cause', async () => {
    const cause = awsError('DoesNotExistException', 'no such window');
    const error = await callAws('ssm:GetMaintenanceWindow', here, async () => {
      throw cause;
    }).catch(e => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      'ssm:GetMaintenanceWindow in 111122223333/eu-west-1 failed: DoesNotExistException: no such window',
    );
    expect(error.awsErrorName).toBe('DoesNotExistException');
    expect(error.operation).toBe('ssm:GetMaintenanceWindow');
    expect(error.cause).toBe(cause);
  });

  it('passes credentials failures on unchanged', async () => {
    const failure = new AwsCredentialsError(here.account, new Error('no role'));
    await expect(
      callAws('ssm:GetMaintenanceWindow', here, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(failure.message).toBe(
      'could not get credentials for account 111122223333: Error: no role',
    );
  });

  it('returns the result of a call that works', async () => {
    await expect(callAws('ssm:X', here, async () => 42)).resolves.toBe(42);
  });
});
