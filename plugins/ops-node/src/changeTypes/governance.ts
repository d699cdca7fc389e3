import path from 'node:path';
import type { Config } from '@backstage/config';
import type { ChangeTypeGovernance } from '@cloud-ops/plugin-ops-common';

const DEFAULT_CENTRAL_IT_GROUP = 'group:default/central-it';

/**
 * Reads who governs the approved change-type catalog: Central IT
 * (`ops.centralIt.group`) and the trusted locations
 * (`ops.changeTypes.trustedLocations`). File targets are resolved against the
 * backend's working directory, as the catalog resolves its own file
 * locations, so `file:../../examples/templates/*` matches what the catalog
 * records for those files.
 *
 * @public
 */
export function readChangeTypeGovernance(config: Config): ChangeTypeGovernance {
  const trusted =
    config.getOptionalStringArray('ops.changeTypes.trustedLocations') ?? [];
  return {
    centralItGroup:
      config.getOptionalString('ops.centralIt.group') ??
      DEFAULT_CENTRAL_IT_GROUP,
    trustedLocations: trusted.map(resolveLocationPattern),
  };
}

function resolveLocationPattern(pattern: string): string {
  const colon = pattern.indexOf(':');
  if (colon <= 0) {
    throw new Error(
      `ops.changeTypes.trustedLocations: "${pattern}" is not a location ref such as file:../../examples/templates/* or url:https://github.com/acme/change-types/blob/main/*`,
    );
  }
  const type = pattern.slice(0, colon);
  const target = pattern.slice(colon + 1);
  if (type !== 'file') return pattern;
  const wildcard = target.endsWith('*');
  const resolved = path.resolve(wildcard ? target.slice(0, -1) : target);
  // Keep the separator a directory pattern ended with: `dir/*` matches files in it.
  const base =
    wildcard && /[\\/]$/.test(target.slice(0, -1))
      ? `${resolved}${path.sep}`
      : resolved;
  return `file:${base}${wildcard ? '*' : ''}`;
}
