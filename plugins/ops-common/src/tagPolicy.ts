import type { Entity } from '@backstage/catalog-model';
import { getEntityTags } from './tags';

/**
 * The tag policy: which key/value tags (see `tags.ts`) an entity of a given
 * kind and type must carry, which values they may have, and that its owner
 * must be an existing Group. Pure and synchronous so that both the backend
 * and catalog processors can run it on every entity without I/O.
 */

/** @public */
export type TagPolicySeverity = 'error' | 'warning';

/** Value rule for one tag key: a list of allowed values, a regex, or both. @public */
export type TagPolicyKeyRule = {
  allowed?: string[];
  pattern?: string;
  /** Overrides the rule's severity for this key. */
  severity?: TagPolicySeverity;
};

/** @public */
export type TagPolicyRule = {
  /** Entity kind, matched case-insensitively, e.g. `Component`. */
  kind: string;
  /** `spec.type` to match; omitted means every type of the kind. */
  type?: string;
  /** Defaults to `error`. */
  severity?: TagPolicySeverity;
  /** Tag keys that must be present with a non-empty value. */
  required?: string[];
  /** Value rules, checked whenever the key is present. */
  keys?: Record<string, TagPolicyKeyRule>;
};

/** @public */
export type TagPolicy = {
  rules: TagPolicyRule[];
  /** The owner rule; on unless `enabled: false`. Defaults to severity `error`. */
  owner?: { enabled?: boolean; severity?: TagPolicySeverity };
};

/** @public */
export type TagPolicyRuleId =
  | 'required-tag'
  | 'allowed-values'
  | 'pattern'
  | 'owner';

/** @public */
export type TagPolicyViolation = {
  rule: TagPolicyRuleId;
  key?: string;
  message: string;
  severity: TagPolicySeverity;
};

/** What the caller found out about the owner; the policy itself does no lookups. @public */
export type TagPolicyContext = {
  /**
   * True when `spec.owner` resolves to an existing Group entity. Leave
   * undefined when it was not checked, and the owner rule is skipped.
   */
  ownerIsGroup?: boolean;
};

/** @public */
export type TagPolicyEvaluator = (
  entity: Entity,
  context?: TagPolicyContext,
) => TagPolicyViolation[];

const SEVERITIES = ['error', 'warning'];

/**
 * Returns the problems with a tag policy read from config; an empty list
 * means `compileTagPolicy` will accept it.
 *
 * @public
 */
export function validateTagPolicy(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['tag policy must be an object with a "rules" list'];
  }
  const policy = value as Record<string, unknown>;
  const problems: string[] = [];
  const rules = policy.rules ?? [];
  if (!Array.isArray(rules)) {
    return ['tag policy "rules" must be a list'];
  }
  rules.forEach((raw, index) => {
    const at = `rules[${index}]`;
    if (typeof raw !== 'object' || raw === null) {
      problems.push(`${at} must be an object`);
      return;
    }
    const rule = raw as Record<string, unknown>;
    if (typeof rule.kind !== 'string' || !rule.kind) {
      problems.push(`${at}.kind must be an entity kind such as "Component"`);
    }
    if (rule.type !== undefined && typeof rule.type !== 'string') {
      problems.push(`${at}.type must be a string`);
    }
    if (
      rule.severity !== undefined &&
      !SEVERITIES.includes(rule.severity as string)
    ) {
      problems.push(`${at}.severity must be error or warning`);
    }
    if (
      rule.required !== undefined &&
      (!Array.isArray(rule.required) ||
        rule.required.some(k => typeof k !== 'string' || !k))
    ) {
      problems.push(`${at}.required must be a list of tag keys`);
    }
    if (rule.keys !== undefined) {
      if (typeof rule.keys !== 'object' || rule.keys === null) {
        problems.push(`${at}.keys must map tag keys to value rules`);
        return;
      }
      for (const [key, keyRaw] of Object.entries(rule.keys)) {
        const keyAt = `${at}.keys.${key}`;
        if (typeof keyRaw !== 'object' || keyRaw === null) {
          problems.push(
            `${keyAt} must be an object with allowed and/or pattern`,
          );
          continue;
        }
        const keyRule = keyRaw as Record<string, unknown>;
        if (
          keyRule.allowed !== undefined &&
          (!Array.isArray(keyRule.allowed) ||
            keyRule.allowed.some(v => typeof v !== 'string'))
        ) {
          problems.push(`${keyAt}.allowed must be a list of strings`);
        }
        if (keyRule.pattern !== undefined) {
          if (typeof keyRule.pattern !== 'string') {
            problems.push(`${keyAt}.pattern must be a string`);
          } else {
            try {
              RegExp(keyRule.pattern);
            } catch (e) {
              problems.push(
                `${keyAt}.pattern is not a valid regular expression: ${
                  (e as Error).message
                }`,
              );
            }
          }
        }
        if (
          keyRule.severity !== undefined &&
          !SEVERITIES.includes(keyRule.severity as string)
        ) {
          problems.push(`${keyAt}.severity must be error or warning`);
        }
      }
    }
  });
  if (policy.owner !== undefined) {
    const owner = policy.owner as Record<string, unknown> | null;
    if (typeof owner !== 'object' || owner === null) {
      problems.push('owner must be an object');
    } else if (
      owner.severity !== undefined &&
      !SEVERITIES.includes(owner.severity as string)
    ) {
      problems.push('owner.severity must be error or warning');
    }
  }
  return problems;
}

type CompiledKeyRule = {
  key: string;
  allowed?: Set<string>;
  allowedText?: string;
  pattern?: RegExp;
  severity: TagPolicySeverity;
};

type CompiledRule = {
  kind: string;
  type?: string;
  required: { key: string; severity: TagPolicySeverity }[];
  keys: CompiledKeyRule[];
};

/**
 * Compiles a policy once (regexes included) into an evaluator that can run
 * on many entities. Throws a TypeError naming every problem in the policy.
 *
 * @public
 */
export function compileTagPolicy(policy: TagPolicy): TagPolicyEvaluator {
  const problems = validateTagPolicy(policy);
  if (problems.length) {
    throw new TypeError(`Invalid tag policy: ${problems.join('; ')}`);
  }
  const rules: CompiledRule[] = (policy.rules ?? []).map(rule => {
    const severity = rule.severity ?? 'error';
    return {
      kind: rule.kind.toLocaleLowerCase('en-US'),
      type: rule.type,
      required: (rule.required ?? []).map(key => ({
        key,
        severity: rule.keys?.[key]?.severity ?? severity,
      })),
      keys: Object.entries(rule.keys ?? {}).map(([key, k]) => ({
        key,
        allowed: k.allowed ? new Set(k.allowed) : undefined,
        allowedText: k.allowed?.join(', '),
        // Anchored so that a pattern like `CC-[0-9]+` cannot match inside a longer value.
        pattern:
          k.pattern !== undefined
            ? new RegExp(`^(?:${k.pattern})$`)
            : undefined,
        severity: k.severity ?? severity,
      })),
    };
  });
  const ownerEnabled = policy.owner?.enabled !== false;
  const ownerSeverity = policy.owner?.severity ?? 'error';

  return (entity, context = {}) => {
    const violations: TagPolicyViolation[] = [];
    const kind = entity.kind.toLocaleLowerCase('en-US');
    const type = (entity.spec as { type?: unknown } | undefined)?.type;
    const tags = getEntityTags(entity);

    for (const rule of rules) {
      if (rule.kind !== kind) continue;
      if (rule.type !== undefined && rule.type !== type) continue;
      for (const { key, severity } of rule.required) {
        if (!tags[key]) {
          violations.push({
            rule: 'required-tag',
            key,
            severity,
            message: `Tag "${key}" is required on ${entity.kind}${
              rule.type ? ` of type ${rule.type}` : ''
            } entities; add the annotation tags.cloud-ops.io/${key}`,
          });
        }
      }
      for (const keyRule of rule.keys) {
        const value = tags[keyRule.key];
        if (!value) continue;
        if (keyRule.allowed && !keyRule.allowed.has(value)) {
          violations.push({
            rule: 'allowed-values',
            key: keyRule.key,
            severity: keyRule.severity,
            message: `Tag "${keyRule.key}" is "${value}"; allowed values are ${keyRule.allowedText}`,
          });
        }
        if (keyRule.pattern && !keyRule.pattern.test(value)) {
          violations.push({
            rule: 'pattern',
            key: keyRule.key,
            severity: keyRule.severity,
            message: `Tag "${keyRule.key}" is "${value}", which does not match ${keyRule.pattern.source}`,
          });
        }
      }
    }

    if (ownerEnabled && context.ownerIsGroup !== undefined) {
      const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
      if (typeof owner !== 'string' || !owner) {
        violations.push({
          rule: 'owner',
          severity: ownerSeverity,
          message: 'The entity has no owner; set spec.owner to a Group',
        });
      } else if (!context.ownerIsGroup) {
        violations.push({
          rule: 'owner',
          severity: ownerSeverity,
          message: `Owner "${owner}" is not an existing Group in the catalog`,
        });
      }
    }
    return violations;
  };
}

/**
 * Evaluates one entity against a policy. Prefer `compileTagPolicy` when
 * checking many entities.
 *
 * @public
 */
export function evaluateTagPolicy(
  policy: TagPolicy,
  entity: Entity,
  context?: TagPolicyContext,
): TagPolicyViolation[] {
  return compileTagPolicy(policy)(entity, context);
}

/**
 * Kinds whose schema requires `spec.owner`, lowercased: the owner rule applies
 * to these. Groups, users and locations have no owner, and a template's owner
 * is optional, so checking them would only produce noise.
 *
 * @public
 */
export const TAG_POLICY_OWNED_KINDS: ReadonlySet<string> = new Set([
  'component',
  'api',
  'resource',
  'system',
  'domain',
]);
