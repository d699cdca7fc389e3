import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import {
  BackupSchedule,
  backupScheduleToCron,
  MaintenanceWindow,
  maintenanceWindowToCron,
  parseBackupScheduleParameters,
  parseMaintenanceWindowParameters,
} from '@cloud-ops/plugin-ops-common';
import type { ChangeStamp, StackTarget } from '../types';

/**
 * Input checks the sandbox makes where AWS would reject a request, and the
 * ids it gives what it creates, in AWS's shapes. Names, tags and the tag
 * selector check are the aws gateways' own (`../aws/naming`).
 */

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** AWS's limit on ClientToken, IdempotencyToken and CreatorRequestId. */
const MAX_TOKEN_LENGTH = 64;

/** Entity refs are case-insensitive; the state is keyed by the lower-cased form. */
export function normalizeEntityRef(entityRef: string): string {
  return entityRef.toLocaleLowerCase('en-US');
}

/** AWS answers only for a real account and region. */
export function checkLocation(stack: StackTarget): void {
  if (!ACCOUNT_PATTERN.test(stack.account)) {
    throw new InputError(
      `${stack.entityRef} has no valid AWS account: "${stack.account}" is not a 12-digit account id`,
    );
  }
  if (!REGION_PATTERN.test(stack.region)) {
    throw new InputError(
      `${stack.entityRef} has no valid AWS region: "${stack.region}" is not a region such as eu-west-1`,
    );
  }
}

export function checkStamp(stamp: ChangeStamp): void {
  if (!stamp.rfcId) {
    throw new InputError('The change stamp names no RFC');
  }
  if (!stamp.token || stamp.token.length > MAX_TOKEN_LENGTH) {
    throw new InputError(
      `The idempotency token must be 1 to ${MAX_TOKEN_LENGTH} characters, got "${stamp.token}"`,
    );
  }
}

/** The update id as SSM keeps it in a baseline's rejected patches. */
export function checkUpdateId(updateId: string): string {
  const trimmed = updateId?.trim();
  if (!trimmed) {
    throw new InputError(
      'updateId is required, e.g. KB5039212 or ALAS2023-2026-0412',
    );
  }
  return trimmed;
}

/**
 * The SSM schedule of a window. Checked in full, as SSM rejects a schedule
 * such as `TUE#5` that the cron conversion alone would write.
 */
export function windowSchedule(window: MaintenanceWindow): string {
  const { problems } = parseMaintenanceWindowParameters({ ...window });
  if (problems.length) {
    throw new InputError(`Invalid maintenance window: ${problems.join('; ')}`);
  }
  return maintenanceWindowToCron(window);
}

/** The AWS Backup rule schedule of a backup schedule. */
export function backupRuleSchedule(schedule: BackupSchedule): string {
  const { problems } = parseBackupScheduleParameters({ ...schedule });
  if (problems.length) {
    throw new InputError(`Invalid backup schedule: ${problems.join('; ')}`);
  }
  return backupScheduleToCron(schedule);
}

/** A deterministic id of `length` hex characters. */
export function digest(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** A deterministic UUID-shaped id, as AWS Backup and SSM Run Command give. */
export function guid(seed: string): string {
  const h = digest(seed, 32);
  return [
    h.slice(0, 8),
    h.slice(8, 12),
    h.slice(12, 16),
    h.slice(16, 20),
    h.slice(20),
  ].join('-');
}
