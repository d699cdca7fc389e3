/*
 * Provisioning figures for the sandbox Service Catalog and the change-type
 * validator. No target is set for them; they show where time goes.
 *
 * Run from the repo root:
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs bench/provisioning.ts
 * Options (env): STACKS (1000), TEMPLATES (5000).
 *
 * 1. ProvisionProduct + DescribeRecord on the sandbox with its state file,
 *    as the stack count grows (every provisioning rewrites the file).
 * 2. ChangeTypeTemplateProcessor.postProcessEntity per template, valid and
 *    invalid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SandboxServiceCatalogGateway } from '@cloud-ops/plugin-ops-node';
import { ChangeTypeTemplateProcessor } from '../plugins/catalog-backend-module-ops/src/processors/ChangeTypeTemplateProcessor';

const STACKS = Number(process.env.STACKS ?? 1000);
const TEMPLATES = Number(process.env.TEMPLATES ?? 5000);

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-'));
  const gateway = new SandboxServiceCatalogGateway({
    provisionDelayMs: 0,
    stateFile: path.join(dir, 'service-catalog.json'),
  });
  const times: number[] = [];
  for (let i = 0; i < STACKS; i++) {
    const start = performance.now();
    const record = await gateway.provisionProduct({
      productId: 'prod-sandboxec2linux',
      provisioningArtifactId: 'pa-sandboxec2linuxv1',
      provisionedProductName: `stack-${i}`,
      provisionToken: `ops-RFC-${String(i).padStart(6, '0')}-provision`,
      parameters: { InstanceType: 't3.small' },
      tags: [{ Key: 'cloud-ops.io/owner', Value: 'group:default/web' }],
    });
    await gateway.describeRecord({ recordId: record.recordId });
    times.push(performance.now() - start);
  }
  const first = times.slice(0, 100);
  const last = times.slice(-100);
  const listStart = performance.now();
  const stacks = await gateway.listProvisionedProducts();
  const listMs = performance.now() - listStart;
  const size = fs.statSync(path.join(dir, 'service-catalog.json')).size;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `sandbox provision+describe, ${STACKS} stacks: first 100 p50 ${percentile(
      first,
      50,
    ).toFixed(2)} ms, ` +
      `last 100 p50 ${percentile(last, 50).toFixed(2)} ms p95 ${percentile(
        last,
        95,
      ).toFixed(2)} ms; ` +
      `list ${stacks.length} in ${listMs.toFixed(1)} ms; state file ${(
        size / 1024
      ).toFixed(0)} KiB`,
  );
}

async function processor() {
  const p = new ChangeTypeTemplateProcessor();
  const annotations = {
    'cloud-ops.io/change-type-id': 'ec2-linux-stack',
    'cloud-ops.io/change-type-version': '1.0',
    'cloud-ops.io/classification':
      'Deployment/Standard stacks/EC2 stack/Create',
    'cloud-ops.io/automation': 'automated',
    'cloud-ops.io/approval': 'none',
    'cloud-ops.io/expected-duration': 'PT30M',
    'cloud-ops.io/risk': 'low',
    'cloud-ops.io/servicecatalog-product-id': 'prod-sandboxec2linux',
    'cloud-ops.io/servicecatalog-artifact-id': 'pa-sandboxec2linuxv1',
  };
  const location = { type: 'file', target: 'bench' };
  for (const [label, a] of [
    ['valid', annotations],
    [
      'invalid',
      {
        ...annotations,
        'cloud-ops.io/risk': 'tiny',
        'cloud-ops.io/automation': 'x',
      },
    ],
  ] as const) {
    let errors = 0;
    const start = performance.now();
    for (let i = 0; i < TEMPLATES; i++) {
      await p.postProcessEntity(
        {
          apiVersion: 'scaffolder.backstage.io/v1beta3',
          kind: 'Template',
          metadata: { name: `t${i}`, annotations: a },
          spec: {},
        },
        location,
        () => {
          errors += 1;
        },
      );
    }
    const ms = performance.now() - start;
    console.log(
      `change-type validator, ${label}: ${((ms * 1000) / TEMPLATES).toFixed(
        1,
      )} µs per template (${TEMPLATES} templates, ${errors} errors emitted)`,
    );
  }
}

async function main() {
  await sandbox();
  await processor();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
