/*
 * Added cost of the tag policy processor in catalog processing.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/tag-policy-processor.ts
 *
 * Generates 20,000 entities (components, APIs, resources and systems, some
 * owned by users, a share of them missing tags or carrying bad values) and
 * times, per round over all of them:
 *   - catalog: the in-process work the catalog's processing engine does for
 *     each entity, without the database: envelope validation, the location
 *     annotation processor, the default entity policies, schema validation,
 *     BuiltinKindsEntityProcessor (kind validation and relations), and the
 *     sha1 over the stable JSON of the result that decides whether to write;
 *   - builtin only: just the validation and BuiltinKindsEntityProcessor, a
 *     stricter baseline;
 *   - tag policy: TagPolicyProcessor.postProcessEntity with the policy
 *     shipped in app-config.yaml.
 * Prints medians of the rounds and the tag policy's cost as a share of each
 * baseline. Target: under 5 % of the catalog's processing. A running catalog
 * also reads and writes its database for every entity, so the real share is
 * smaller than printed here.
 *
 * Options: TAG_POLICY_BENCH_ENTITIES (default 20000), TAG_POLICY_BENCH_ROUNDS
 * (default 7), TAG_POLICY_BENCH_VIOLATING (share of entities that break an
 * error rule, default 0.02).
 */
import {
  DefaultNamespaceEntityPolicy,
  Entity,
  entityEnvelopeSchemaValidator,
  EntityPolicies,
  entitySchemaValidator,
  FieldFormatEntityPolicy,
  makeValidator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  AnnotateLocationEntityProcessor,
  BuiltinKindsEntityProcessor,
} from '@backstage/plugin-catalog-backend';
import type { AlphaEntity } from '@backstage/catalog-model/alpha';
import type {
  CatalogProcessorEmit,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import stableStringify from 'fast-json-stable-stringify';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parse } from 'yaml';
import { TagPolicyProcessor } from '../plugins/catalog-backend-module-ops/src/processors/TagPolicyProcessor';

const ENTITIES = Number(process.env.TAG_POLICY_BENCH_ENTITIES ?? 20_000);
const ROUNDS = Number(process.env.TAG_POLICY_BENCH_ROUNDS ?? 7);
const VIOLATING = Number(process.env.TAG_POLICY_BENCH_VIOLATING ?? 0.02);

// Collect garbage before each timed pass, so that one pass does not pay for
// the allocations of the one before it.
v8.setFlagsFromString('--expose-gc');
const gc: () => void = vm.runInNewContext('gc');

const location: LocationSpec = {
  type: 'url',
  target: 'https://git.example.com/org/repo/blob/main/catalog-info.yaml',
};

function generate(count: number): Entity[] {
  const teams = Array.from({ length: 40 }, (_, i) => `team-${i}`);
  const environments = ['production', 'staging', 'development'];
  const entities: Entity[] = [];
  for (let i = 0; i < count; i++) {
    const owner =
      i % 97 === 0
        ? `user:default/person-${i}`
        : `group:default/${teams[i % 40]}`;
    const annotations: Record<string, string> = {
      'backstage.io/managed-by-location': `url:${location.target}`,
      'backstage.io/managed-by-origin-location': `url:${location.target}`,
      'cloud-ops.io/aws-tag-selector': `app=service-${i}`,
      'cloud-ops.io/aws-account': '111122223333',
      'cloud-ops.io/aws-region': 'eu-west-1',
    };
    // Spread the violations over all kinds (the multipliers are coprime with
    // the kind cycle of 4): a missing cost-center, a cost-center not
    // matching the pattern, or an environment not in the allowed list.
    const violating = (i * 7919) % 1000 < VIOLATING * 1000;
    const kindOfViolation = (i * 31) % 3;
    if (!(violating && kindOfViolation === 0)) {
      annotations['tags.cloud-ops.io/cost-center'] =
        violating && kindOfViolation === 1
          ? `CC${i}`
          : `CC-${String(1000 + (i % 9000))}`;
    }
    annotations['tags.cloud-ops.io/environment'] =
      violating && kindOfViolation === 2 ? 'prod' : environments[i % 3];
    const metadata = {
      name: `entity-${i}`,
      namespace: 'default',
      description: 'Generated for the tag policy benchmark',
      tags: ['generated', 'bench'],
      annotations,
    };
    switch (i % 4) {
      case 0:
      case 1:
        entities.push({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata,
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner,
            system: `system-${i % 50}`,
            dependsOn: [`resource:default/entity-${i + 2}`],
            providesApis: [`entity-${i + 1}`],
          },
        });
        break;
      case 2:
        entities.push({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'API',
          metadata,
          spec: {
            type: 'openapi',
            lifecycle: 'production',
            owner,
            system: `system-${i % 50}`,
            definition: 'openapi: 3.0.0',
          },
        });
        break;
      default:
        entities.push({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata,
          spec: { type: 'stack', owner, system: `system-${i % 50}` },
        });
    }
  }
  return entities;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const root = path.resolve(__dirname, '..');
  const policy = parse(
    fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
  ).ops.tagPolicy;
  const entities = generate(ENTITIES);
  // Processors may return a new object; each round starts from fresh copies
  // so that no round sees another's output.
  const copies = () => entities.map(e => structuredClone(e));

  const validateEnvelope = entityEnvelopeSchemaValidator();
  const validateEntity = entitySchemaValidator();
  // The policies the catalog installs by default (see CatalogBuilder).
  const policies = EntityPolicies.allOf([
    new SchemaValidEntityPolicy(),
    new DefaultNamespaceEntityPolicy(),
    new NoForeignRootFieldsEntityPolicy(),
    new FieldFormatEntityPolicy(makeValidator()),
  ]);
  const builtin = new BuiltinKindsEntityProcessor();
  const annotate = new AnnotateLocationEntityProcessor({
    integrations: { byUrl: () => undefined } as any,
  });
  const tagPolicy = new TagPolicyProcessor({ policy });

  let results: Array<{ type: string }> = [];
  const emit: CatalogProcessorEmit = result => {
    results.push(result);
  };

  async function builtinOnly(batch: Entity[]) {
    for (const entity of batch) {
      validateEntity(entity);
      await builtin.validateEntityKind(entity);
      await builtin.postProcessEntity(entity, location, emit);
    }
  }
  async function catalog(batch: Entity[]) {
    for (let entity of batch) {
      results = [];
      validateEnvelope(entity);
      entity = await annotate.preProcessEntity(
        entity,
        location,
        emit,
        location,
      );
      entity = (await policies.enforce(entity))!;
      validateEntity(entity);
      await builtin.validateEntityKind(entity);
      entity = await builtin.postProcessEntity(entity, location, emit);
      createHash('sha1')
        .update('[]')
        .update(stableStringify(entity))
        .update(stableStringify(results))
        .digest('hex');
    }
  }
  let errors = 0;
  let warnings = 0;
  async function withPolicy(batch: Entity[]) {
    errors = 0;
    warnings = 0;
    for (const entity of batch) {
      const out = await tagPolicy.postProcessEntity(entity, location, emit);
      for (const item of (out as AlphaEntity).status?.items ?? []) {
        if (item.level === 'error') errors++;
        else warnings++;
      }
    }
  }

  const times: Record<'catalog' | 'builtin' | 'policy', number[]> = {
    catalog: [],
    builtin: [],
    policy: [],
  };
  const time = async (run: (batch: Entity[]) => Promise<void>) => {
    const batch = copies();
    gc();
    const start = process.hrtime.bigint();
    await run(batch);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  // One warm-up round, not counted, lets the JIT settle.
  for (let round = -1; round < ROUNDS; round++) {
    const c = await time(catalog);
    const b = await time(builtinOnly);
    const p = await time(withPolicy);
    if (round >= 0) {
      times.catalog.push(c);
      times.builtin.push(b);
      times.policy.push(p);
    }
  }

  const c = median(times.catalog);
  const b = median(times.builtin);
  const p = median(times.policy);
  const us = (ms: number) => ((ms * 1000) / ENTITIES).toFixed(2);
  // The share per round, then the median: the passes of one round run back
  // to back, so a busy machine slows them alike and the ratio stays fair.
  const share = (base: number[]) =>
    median(times.policy.map((value, i) => (value / base[i]) * 100));
  const ofCatalog = share(times.catalog);
  const ofBuiltin = share(times.builtin);
  console.log(
    `tag policy processor: ${ENTITIES} entities, median of ${ROUNDS} rounds, Node ${process.version}`,
  );
  console.log(`  violations per round: ${errors} errors, ${warnings} warnings`);
  console.log(
    `  catalog processing (in-process):  ${c.toFixed(1)} ms  ${us(
      c,
    )} us/entity`,
  );
  console.log(
    `  builtin processors only:          ${b.toFixed(1)} ms  ${us(
      b,
    )} us/entity`,
  );
  console.log(
    `  tag policy processor:             ${p.toFixed(1)} ms  ${us(
      p,
    )} us/entity`,
  );
  console.log(
    `  added cost: ${ofCatalog.toFixed(
      2,
    )} % of catalog processing (target < 5 %: ${
      ofCatalog < 5 ? 'met' : 'NOT met'
    }), ${ofBuiltin.toFixed(2)} % of the builtin processors alone`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
