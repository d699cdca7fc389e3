import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import {
  OPS_ANNOTATION_PREFIX,
  RESERVED_AWS_TAGS,
} from '@cloud-ops/plugin-ops-common';
import type { ChangeStamp, StackTarget } from '../types';

/** Tag keys the settings gateways write and the reader reads. */
export const TAG = {
  entityRef: RESERVED_AWS_TAGS.entityRef,
  rfc: RESERVED_AWS_TAGS.rfc,
  excludedUntil: `${OPS_ANNOTATION_PREFIX}/patching-excluded-until`,
  executionToken: `${OPS_ANNOTATION_PREFIX}/execution-token`,
  instanceId: `${OPS_ANNOTATION_PREFIX}/instance-id`,
  /** The tag SSM Patch Manager reads to pick an instance's baseline. */
  patchGroup: 'PatchGroup',
} as const;

/** Longest ClientToken, IdempotencyToken and CreatorRequestId AWS accepts. */
const TOKEN_MAX_LENGTH = 64;
const SLUG_MAX_LENGTH = 128;

export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/**
 * Cuts a name to an API's limit; a cut name ends in a hash of the whole, so
 * two long names that share a beginning stay apart.
 */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9)}-${shortHash(name)}`;
}

/**
 * `kind-namespace-name` of an entity ref, lower-cased, with characters AWS
 * names do not take replaced by `-`, at most 128 characters.
 */
export function stackSlug(entityRef: string): string {
  const match = /^([^:/]+):(?:([^/]+)\/)?([^/]+)$/.exec(entityRef.trim());
  if (!match) {
    throw new InputError(
      `"${entityRef}" is not a full entity ref such as resource:default/orders-db`,
    );
  }
  const [, kind, namespace = 'default', name] = match;
  const slug = `${kind}-${namespace}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '-');
  return boundedName(slug, SLUG_MAX_LENGTH);
}

/** The names of what the gateways create for a stack, within each API's limit. */
export function stackResourceNames(entityRef: string) {
  const slug = stackSlug(entityRef);
  return {
    /** SSM maintenance window names: 3-128 characters. */
    window: boundedName(`ops-patch-${slug}`, 128),
    /** SSM patch baseline names: 3-128 characters. */
    baseline: boundedName(`ops-${slug}`, 128),
    /** The patch group, also the `PatchGroup` tag on the stack's instances. */
    patchGroup: boundedName(`ops-${slug}`, 128),
    /** AWS Backup plan and selection names: 1-50 characters. */
    plan: boundedName(`ops-${slug}`, 50),
    selection: boundedName(`ops-${slug}`, 50),
  };
}

/**
 * The stamp's token for the second and later writes of one attempt, each
 * with its own suffix: stable for the same stamp, within AWS's 64 characters.
 */
export function suffixedToken(token: string, suffix: string): string {
  const raw = `${token}-${suffix}`;
  if (raw.length <= TOKEN_MAX_LENGTH) return raw;
  return `${token.slice(0, TOKEN_MAX_LENGTH - 9)}-${shortHash(raw)}`;
}

/** The tags on everything the gateways create or write. */
export function stampTags(
  stack: StackTarget,
  stamp: ChangeStamp,
): Record<string, string> {
  return { [TAG.entityRef]: stack.entityRef, [TAG.rfc]: stamp.rfcId };
}

export function toTagList(
  tags: Record<string, string>,
): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function fromTagList(
  tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { Key, Value } of tags ?? []) {
    if (Key) result[Key] = Value ?? '';
  }
  return result;
}

/**
 * The stack's tag selector as pairs; a stack without one cannot be told
 * apart from the rest of the account, so nothing is written for it.
 */
export function selectorPairs(
  stack: StackTarget,
  max?: number,
): [string, string][] {
  const pairs = Object.entries(stack.selector ?? {});
  if (pairs.length === 0) {
    throw new InputError(
      `${stack.entityRef} has no tag selector, so its AWS resources cannot be found; tag its resources and set the selector first`,
    );
  }
  if (max !== undefined && pairs.length > max) {
    throw new InputError(
      `${stack.entityRef} has ${pairs.length} tag selector pairs; SSM targets take at most ${max}`,
    );
  }
  return pairs;
}

/** The ARN partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
