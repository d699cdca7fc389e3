import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  OperationsSnapshotKind,
  RESERVED_AWS_TAGS,
} from '@cloud-ops/plugin-ops-common';
import {
  AWS_LIMITS,
  AwsReadContext,
  followPages,
  required,
  Resource,
} from './awsReading';
import { normalizeEntityRef } from './targets';
import type { OperationsTarget } from './types';

const ENTITY_REF_TAG = RESERVED_AWS_TAGS.entityRef;

/**
 * Services whose ARNs always name a resource type (`instance/i-…`,
 * `alarm:…`, `db:…`): the reader reads them by type, so one without is
 * not understood rather than quietly matched to nothing.
 */
const TYPED_SERVICES: Record<string, OperationsSnapshotKind[]> = {
  cloudwatch: ['alarms'],
  ec2: ['patch', 'backups'],
  rds: ['backups'],
};

const ALL_KINDS: OperationsSnapshotKind[] = ['alarms', 'patch', 'backups'];

/**
 * Takes an ARN apart (`arn:partition:service:region:account:resource`,
 * the resource as `type/id` or `type:id`, or an id alone), or says which
 * kinds it would have counted for when it cannot be understood.
 */
export function parseArn(
  arn: string,
):
  | { ok: true; service: string; type: string; id: string }
  | { ok: false; kinds: OperationsSnapshotKind[] } {
  const parts = arn.split(':');
  const [prefix, partition, service = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (parts.length < 6 || prefix !== 'arn' || !partition || !service) {
    return { ok: false, kinds: ALL_KINDS };
  }
  const sep = resource.search(/[/:]/);
  const type = sep < 0 ? '' : resource.slice(0, sep);
  const id = sep < 0 ? resource : resource.slice(sep + 1);
  const typed = TYPED_SERVICES[service];
  if (!id || (typed && !type)) {
    return { ok: false, kinds: typed ?? ALL_KINDS };
  }
  return { ok: true, service, type, id };
}

/** An ARN found for an entity that {@link parseArn} did not understand. */
export type NotUnderstood = { arn: string; kinds: OperationsSnapshotKind[] };

/** Every entity's resources in one account and region. */
export type ResolvedResources = {
  /** Entity ref → its understood resources by ARN. */
  resources: Map<string, Map<string, Resource>>;
  /** Entity ref → its ARNs that were not understood. */
  notUnderstood: Map<string, NotUnderstood[]>;
};

/**
 * Resolves the targets' selectors, and finds stacks by their entity-ref tag,
 * with one paged GetResources per distinct set of selector keys. A failed
 * call fails the whole resolution: without it no entity's resources are
 * known.
 */
export async function resolveResources(
  ctx: AwsReadContext,
  targets: OperationsTarget[],
  options: { discoverStacks?: boolean } = {},
): Promise<ResolvedResources> {
  const resources = new Map<string, Map<string, Resource>>();
  const notUnderstood = new Map<string, NotUnderstood[]>();
  for (const t of targets) resources.set(t.entityRef, new Map());
  const assign = (ref: string, found: Found) => {
    if (!resources.has(ref)) resources.set(ref, new Map());
    if (found.resource) {
      resources.get(ref)!.set(found.arn, found.resource);
    } else if (!(notUnderstood.get(ref) ?? []).some(n => n.arn === found.arn)) {
      notUnderstood.set(ref, [
        ...(notUnderstood.get(ref) ?? []),
        { arn: found.arn, kinds: found.kinds },
      ]);
    }
  };

  // Targets grouped by their sorted selector keys, then by their values.
  const keySets = new Map<
    string,
    { keys: string[]; byValues: Map<string, string[]> }
  >();
  for (const t of targets) {
    const keys = Object.keys(t.selector).sort();
    const id = JSON.stringify(keys);
    if (!keySets.has(id)) keySets.set(id, { keys, byValues: new Map() });
    const group = keySets.get(id)!;
    const values = JSON.stringify(keys.map(k => t.selector[k]));
    group.byValues.set(values, [
      ...(group.byValues.get(values) ?? []),
      t.entityRef,
    ]);
  }
  const stackKeys = JSON.stringify([ENTITY_REF_TAG]);
  if (options.discoverStacks !== false && !keySets.has(stackKeys)) {
    keySets.set(stackKeys, { keys: [ENTITY_REF_TAG], byValues: new Map() });
  }

  for (const [id, { keys, byValues }] of keySets) {
    // Few distinct values (an on-demand refresh, a small catalog): let AWS
    // filter by them. Many: ask by keys alone and match values here, so the
    // calls follow pages of resources rather than entities.
    const valuesPerKey = keys.map(
      (_, i) =>
        new Set([...byValues.keys()].map(v => JSON.parse(v)[i] as string)),
    );
    const filterValues =
      id !== stackKeys &&
      valuesPerKey.every(v => v.size <= AWS_LIMITS.tagFilterValues);
    const found = await getResources(
      ctx,
      keys.map((Key, i) =>
        filterValues ? { Key, Values: [...valuesPerKey[i]].sort() } : { Key },
      ),
    );
    for (const f of found) {
      const values = JSON.stringify(keys.map(k => f.tags[k]));
      for (const ref of byValues.get(values) ?? []) assign(ref, f);
      const owner = f.tags[ENTITY_REF_TAG];
      if (id === stackKeys && owner) assign(normalizeEntityRef(owner), f);
    }
  }

  const count = [...notUnderstood.values()].reduce((n, l) => n + l.length, 0);
  if (count) {
    const example = [...notUnderstood.values()][0][0].arn;
    ctx.logger.warn(
      `${count} resource(s) tagged for entities in ${ctx.at.account}/${ctx.at.region} have an ARN the operations reader does not understand, e.g. ${example}; they are left out of the operations data`,
    );
  }
  return { resources, notUnderstood };
}

type Found = {
  arn: string;
  tags: Record<string, string>;
  resource?: Resource;
  kinds: OperationsSnapshotKind[];
};

async function getResources(
  ctx: AwsReadContext,
  tagFilters: { Key: string; Values?: string[] }[],
): Promise<Found[]> {
  const tagging = ctx.clients.tagging(ctx.at);
  return followPages('tag:GetResources', ctx.at, async token => {
    const out = await tagging.send(
      new GetResourcesCommand({
        TagFilters: tagFilters,
        ResourcesPerPage: AWS_LIMITS.getResourcesPerPage,
        PaginationToken: token,
      }),
    );
    return {
      items: (out.ResourceTagMappingList ?? []).map((m): Found => {
        const arn = required(m.ResourceARN, 'ResourceARN');
        const tags = Object.fromEntries(
          (m.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? '']),
        );
        const parsed = parseArn(arn);
        return parsed.ok
          ? {
              arn,
              tags,
              kinds: [],
              resource: {
                arn,
                tags,
                service: parsed.service,
                type: parsed.type,
                id: parsed.id,
              },
            }
          : { arn, tags, kinds: parsed.kinds };
      }),
      // The Tagging API ends its pages with an empty token.
      next: out.PaginationToken || undefined,
    };
  });
}
