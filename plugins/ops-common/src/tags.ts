import type { Entity } from '@backstage/catalog-model';
import { ANNOTATION_RFC, OPS_ANNOTATION_PREFIX } from './annotations';

/**
 * Key/value tags on catalog entities, and how they map to AWS tags.
 *
 * Backstage `metadata.tags` are single lowercase words, so they cannot hold
 * AWS's key/value pairs. Key/value tags live in annotations instead:
 *
 *   entity annotation `tags.cloud-ops.io/<key>: <value>`  <->  AWS tag `<key>=<value>`
 *
 * `<key>` must be a valid annotation name: 1-63 characters of letters, digits,
 * `-`, `_` and `.`, starting and ending with a letter or digit. AWS keys that
 * do not fit (spaces, `:`, `/`, longer than 63) cannot be carried on an
 * entity; `fromAwsTags` returns them separately so drift reports can name them.
 * Values follow AWS's limit of 256 characters.
 *
 * The suite's own AWS tags on stacks use reserved keys under `cloud-ops.io/`
 * and map to entity fields rather than tag annotations:
 *   `cloud-ops.io/owner`      <-> `spec.owner`
 *   `cloud-ops.io/entity-ref` <-> the component the stack belongs to (`spec.dependencyOf`)
 *   `cloud-ops.io/rfc`        <-> annotation `cloud-ops.io/rfc`
 */

/** Prefix of the annotations that hold key/value tags. @public */
export const TAG_ANNOTATION_PREFIX = `tags.${OPS_ANNOTATION_PREFIX}/`;

/** Reserved AWS tag keys the suite writes on stacks it provisions. @public */
export const RESERVED_AWS_TAGS = {
  owner: `${OPS_ANNOTATION_PREFIX}/owner`,
  entityRef: `${OPS_ANNOTATION_PREFIX}/entity-ref`,
  rfc: ANNOTATION_RFC,
} as const;

const TAG_KEY_PATTERN = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Longest AWS tag value. @public */
export const AWS_TAG_VALUE_MAX_LENGTH = 256;

/** @public */
export type KeyValueTags = Record<string, string>;

/** True when an AWS tag key can be carried as an entity tag annotation. @public */
export function isEntityTagKey(key: string): boolean {
  return TAG_KEY_PATTERN.test(key);
}

/** Reads the key/value tags of an entity from its tag annotations. @public */
export function getEntityTags(entity: Entity): KeyValueTags {
  const tags: KeyValueTags = {};
  for (const [name, value] of Object.entries(
    entity.metadata.annotations ?? {},
  )) {
    if (name.startsWith(TAG_ANNOTATION_PREFIX)) {
      tags[name.slice(TAG_ANNOTATION_PREFIX.length)] = value;
    }
  }
  return tags;
}

/**
 * Turns key/value tags into entity annotations. Throws on a key or value that
 * cannot be represented, naming it, so nothing is silently dropped.
 *
 * @public
 */
export function toTagAnnotations(tags: KeyValueTags): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!isEntityTagKey(key)) {
      throw new TypeError(
        `Tag key "${key}" cannot be stored on an entity: use 1-63 letters, digits, "-", "_" or "."`,
      );
    }
    if (value.length > AWS_TAG_VALUE_MAX_LENGTH) {
      throw new TypeError(
        `Tag "${key}" has a value longer than ${AWS_TAG_VALUE_MAX_LENGTH} characters`,
      );
    }
    annotations[`${TAG_ANNOTATION_PREFIX}${key}`] = value;
  }
  return annotations;
}

/** @public */
export type AwsTag = { Key: string; Value: string };

/** Entity tags as an AWS tag list, in key order. @public */
export function toAwsTags(tags: KeyValueTags): AwsTag[] {
  return Object.keys(tags)
    .sort()
    .map(key => ({ Key: key, Value: tags[key] }));
}

/**
 * Splits AWS tags into the reserved ones, the ones an entity can carry, and
 * the ones it cannot.
 *
 * @public
 */
export function fromAwsTags(
  awsTags: ReadonlyArray<{ Key?: string; Value?: string }>,
): {
  reserved: Partial<Record<keyof typeof RESERVED_AWS_TAGS, string>>;
  tags: KeyValueTags;
  unrepresentable: KeyValueTags;
} {
  const reservedByKey = new Map<string, string>(
    Object.entries(RESERVED_AWS_TAGS).map(([field, key]) => [key, field]),
  );
  const reserved: Partial<Record<keyof typeof RESERVED_AWS_TAGS, string>> = {};
  const tags: KeyValueTags = {};
  const unrepresentable: KeyValueTags = {};
  for (const { Key, Value = '' } of awsTags) {
    if (!Key) continue;
    const field = reservedByKey.get(Key);
    if (field) {
      reserved[field as keyof typeof RESERVED_AWS_TAGS] = Value;
    } else if (isEntityTagKey(Key)) {
      tags[Key] = Value;
    } else {
      unrepresentable[Key] = Value;
    }
  }
  return { reserved, tags, unrepresentable };
}
