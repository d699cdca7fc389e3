import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ANNOTATION_RFC } from './annotations';
import {
  compileTagPolicy,
  TagPolicy,
  TagPolicyEvaluator,
  TagPolicySeverity,
} from './tagPolicy';
import {
  fromAwsTags,
  getEntityTags,
  RESERVED_AWS_TAGS,
  TAG_ANNOTATION_PREFIX,
  toTagAnnotations,
} from './tags';

/**
 * Drift of a stack: where its AWS tags break the tag policy or disagree with
 * the catalog entity that stands for it. Pure, so that an entity provider can
 * report it for every stack it reads.
 */

/** @public */
export type TagDriftItem =
  | {
      /** A key the policy requires is not tagged in AWS. */
      type: 'missing-required';
      key: string;
      severity: TagPolicySeverity;
      message: string;
    }
  | {
      /** An AWS tag value outside the allowed list or pattern. */
      type: 'value-not-allowed';
      key: string;
      awsValue: string;
      severity: TagPolicySeverity;
      message: string;
    }
  | {
      /**
       * AWS and the entity disagree; an undefined value means the tag is
       * absent on that side. Reserved keys compare with the entity fields
       * they map to (owner, RFC, owning component).
       */
      type: 'differs-from-entity';
      key: string;
      awsValue?: string;
      entityValue?: string;
      message: string;
    }
  | {
      /** An AWS tag key that cannot be an annotation name, so no entity can carry it. */
      type: 'unrepresentable-key';
      key: string;
      awsValue: string;
      message: string;
    };

/** @public */
export type TagDriftOptions = {
  /** The stack's tags as AWS returns them. */
  awsTags: ReadonlyArray<{ Key?: string; Value?: string }>;
  /** The entity the stack is represented by in the catalog. */
  entity: Entity;
  /** The policy, or an evaluator compiled from it once for many stacks. */
  policy: TagPolicy | TagPolicyEvaluator;
};

/**
 * Compares a stack's AWS tags with the tag policy and with its entity.
 * Returns an empty list when there is no drift. The policy is evaluated on
 * the AWS tags (not the entity's), since that is what AWS reports on; the
 * owner rule is not part of drift and is left to the catalog.
 *
 * @public
 */
export function tagDrift(options: TagDriftOptions): TagDriftItem[] {
  const { awsTags, entity } = options;
  const evaluate =
    typeof options.policy === 'function'
      ? options.policy
      : compileTagPolicy(options.policy);
  const { reserved, tags, unrepresentable } = fromAwsTags(awsTags);
  const drift: TagDriftItem[] = [];

  // The entity with its tags replaced by the AWS ones, so the shared
  // evaluator judges exactly what is tagged in AWS.
  const asTaggedInAws: Entity = {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...withoutTagAnnotations(entity.metadata.annotations),
        ...toTagAnnotations(tags),
      },
    },
  };
  for (const violation of evaluate(asTaggedInAws)) {
    if (!violation.key) continue;
    if (violation.rule === 'required-tag') {
      drift.push({
        type: 'missing-required',
        key: violation.key,
        severity: violation.severity,
        message: `AWS tag "${violation.key}" is required by the tag policy but missing on the stack`,
      });
    } else if (
      violation.rule === 'allowed-values' ||
      violation.rule === 'pattern'
    ) {
      drift.push({
        type: 'value-not-allowed',
        key: violation.key,
        awsValue: tags[violation.key],
        severity: violation.severity,
        message: `AWS tag ${violation.message.replace(/^Tag /, '')}`,
      });
    }
  }

  const entityTags = getEntityTags(entity);
  const keys = [
    ...new Set([...Object.keys(tags), ...Object.keys(entityTags)]),
  ].sort();
  for (const key of keys) {
    const awsValue = tags[key];
    const entityValue = entityTags[key];
    if (awsValue !== entityValue) {
      drift.push(differs(key, awsValue, entityValue));
    }
  }

  const namespace = entity.metadata.namespace ?? 'default';
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  // An unparseable ref is compared as written, so it still shows as drift.
  const entityOwner =
    typeof owner === 'string'
      ? normalizeRef(owner, 'group', namespace) ?? owner
      : undefined;
  const awsOwner =
    reserved.owner !== undefined
      ? normalizeRef(reserved.owner, 'group', namespace) ?? reserved.owner
      : undefined;
  if (awsOwner !== entityOwner) {
    drift.push(
      differs(
        RESERVED_AWS_TAGS.owner,
        reserved.owner,
        owner as string | undefined,
      ),
    );
  }

  const entityRfc = entity.metadata.annotations?.[ANNOTATION_RFC];
  if (reserved.rfc !== entityRfc) {
    drift.push(differs(RESERVED_AWS_TAGS.rfc, reserved.rfc, entityRfc));
  }

  // The stack's component is one of possibly several dependencyOf targets.
  if (reserved.entityRef !== undefined) {
    const dependencyOf = (entity.spec as { dependencyOf?: unknown } | undefined)
      ?.dependencyOf;
    const targets = (Array.isArray(dependencyOf) ? dependencyOf : [])
      .filter((t): t is string => typeof t === 'string')
      .map(t => normalizeRef(t, 'component', namespace));
    const wanted = normalizeRef(reserved.entityRef, 'component', namespace);
    if (!wanted || !targets.includes(wanted)) {
      drift.push({
        type: 'differs-from-entity',
        key: RESERVED_AWS_TAGS.entityRef,
        awsValue: reserved.entityRef,
        entityValue: targets.length ? targets.join(', ') : undefined,
        message: `AWS tag "${RESERVED_AWS_TAGS.entityRef}" names ${reserved.entityRef}, which is not among the entity's spec.dependencyOf`,
      });
    }
  }

  for (const [key, awsValue] of Object.entries(unrepresentable).sort(
    ([a], [b]) => a.localeCompare(b),
  )) {
    drift.push({
      type: 'unrepresentable-key',
      key,
      awsValue,
      message: `AWS tag key "${key}" cannot be carried on an entity: use 1-63 letters, digits, "-", "_" or "."`,
    });
  }
  return drift;
}

function differs(
  key: string,
  awsValue: string | undefined,
  entityValue: string | undefined,
): TagDriftItem {
  let message: string;
  if (awsValue === undefined) {
    message = `Tag "${key}" is "${entityValue}" on the entity but not tagged in AWS`;
  } else if (entityValue === undefined) {
    message = `Tag "${key}" is "${awsValue}" in AWS but missing on the entity`;
  } else {
    message = `Tag "${key}" is "${awsValue}" in AWS but "${entityValue}" on the entity`;
  }
  return { type: 'differs-from-entity', key, awsValue, entityValue, message };
}

/** Full lowercase ref, so `payments` and `group:default/Payments` compare equal. */
function normalizeRef(
  ref: string,
  defaultKind: string,
  defaultNamespace: string,
): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

function withoutTagAnnotations(
  annotations: Record<string, string> | undefined,
): Record<string, string> {
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(annotations ?? {})) {
    if (!name.startsWith(TAG_ANNOTATION_PREFIX)) rest[name] = value;
  }
  return rest;
}
