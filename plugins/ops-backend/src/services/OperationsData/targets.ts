import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_AWS_ACCOUNT,
  ANNOTATION_AWS_REGION,
  ANNOTATION_AWS_TAG_SELECTOR,
} from '@cloud-ops/plugin-ops-common';
import type { OperationsTarget } from './types';

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Entity refs are case-insensitive; snapshots are keyed by the lower-cased form. */
export function normalizeEntityRef(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

/**
 * Parses a tag selector `key=value,key2=value2`. Throws with a message that
 * says what to fix.
 */
export function parseTagSelector(value: string): Record<string, string> {
  const selector: Record<string, string> = {};
  const parts = value.split(',').map(p => p.trim());
  if (parts.length === 0 || parts.every(p => !p)) {
    throw new TypeError(
      'the tag selector is empty; write key=value[,key=value]',
    );
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    const val = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (!key || !val) {
      throw new TypeError(`"${part}" in the tag selector is not key=value`);
    }
    if (key in selector && selector[key] !== val) {
      throw new TypeError(`tag key "${key}" appears twice in the tag selector`);
    }
    selector[key] = val;
  }
  return selector;
}

/** The target an entity's annotations describe, or why they do not describe one. */
export function targetFromEntity(
  entity: Entity,
): { target: OperationsTarget } | { error: string } | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[ANNOTATION_AWS_TAG_SELECTOR];
  if (selector === undefined) {
    return undefined;
  }
  const entityRef = normalizeEntityRef(stringifyEntityRef(entity));
  const accountId = annotations[ANNOTATION_AWS_ACCOUNT];
  const region = annotations[ANNOTATION_AWS_REGION];
  if (!accountId || !ACCOUNT_PATTERN.test(accountId)) {
    return {
      error: `Annotation ${ANNOTATION_AWS_ACCOUNT} must be a 12-digit AWS account id`,
    };
  }
  if (!region || !REGION_PATTERN.test(region)) {
    return {
      error: `Annotation ${ANNOTATION_AWS_REGION} must be an AWS region such as eu-west-1`,
    };
  }
  try {
    return {
      target: {
        entityRef,
        accountId,
        region,
        selector: parseTagSelector(selector),
      },
    };
  } catch (e) {
    return {
      error: `Annotation ${ANNOTATION_AWS_TAG_SELECTOR}: ${
        (e as Error).message
      }`,
    };
  }
}
