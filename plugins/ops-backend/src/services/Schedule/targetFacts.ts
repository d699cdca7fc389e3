import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { FreezeTarget } from '@cloud-ops/plugin-ops-common';

const lower = (value: string) => value.toLocaleLowerCase('en-US');

/** The full lower-case ref, or undefined when `value` is not one. */
export function fullRef(
  value: unknown,
  defaultKind: string,
): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return lower(
      stringifyEntityRef(
        parseEntityRef(value.trim(), {
          defaultKind,
          defaultNamespace: 'default',
        }),
      ),
    );
  } catch {
    return undefined;
  }
}

/** Refs of one relation type, plus those a spec field lists, lower case. */
export function relatedRefs(
  entity: Entity,
  relation: string,
  specField: string,
  defaultKind: string,
): Set<string> {
  const refs = new Set(
    (entity.relations ?? [])
      .filter(r => r.type === relation)
      .map(r => lower(r.targetRef)),
  );
  const fromSpec = (entity.spec as Record<string, unknown> | undefined)?.[
    specField
  ];
  for (const value of Array.isArray(fromSpec) ? fromSpec : []) {
    const ref = fullRef(value, defaultKind);
    if (ref) refs.add(ref);
  }
  return refs;
}

/**
 * What freezes are matched against for an RFC's target: the entity, its
 * owner, its system, and for a stack the component it belongs to.
 */
export function freezeTargetOf(
  entity: Entity | undefined,
  fallback: { entityRef: string; ownerGroup?: string },
): FreezeTarget {
  if (!entity) {
    return {
      entityRef: lower(fallback.entityRef),
      ...(fallback.ownerGroup ? { ownerRef: lower(fallback.ownerGroup) } : {}),
    };
  }
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const ownerRef = fullRef(spec.owner, 'group') ?? fallback.ownerGroup;
  const systemRef = fullRef(spec.system, 'system');
  const component =
    entity.kind.toLocaleLowerCase('en-US') === 'resource'
      ? [
          ...relatedRefs(entity, 'dependencyOf', 'dependencyOf', 'component'),
        ].find(r => r.startsWith('component:'))
      : undefined;
  return {
    entityRef: lower(stringifyEntityRef(entity)),
    ...(ownerRef ? { ownerRef: lower(ownerRef) } : {}),
    ...(systemRef ? { systemRef } : {}),
    ...(component ? { componentRef: component } : {}),
  };
}
