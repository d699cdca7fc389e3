#!/usr/bin/env node
// @ts-check
/*
 * Writes src/schema/openapi.generated.ts from src/schema/openapi.yaml, the
 * documented spec, so the router validates requests against exactly what is
 * documented. `--check` only reports whether the generated file is current.
 *
 *   node plugins/ops-backend/scripts/openapi-spec.js [--check]
 */
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

const schemaDir = path.resolve(__dirname, '../src/schema');
const yamlPath = path.join(schemaDir, 'openapi.yaml');
const tsPath = path.join(schemaDir, 'openapi.generated.ts');

async function render() {
  const spec = parse(fs.readFileSync(yamlPath, 'utf8'));
  const source = [
    '// Generated from openapi.yaml by scripts/openapi-spec.js; do not edit.',
    '/* eslint-disable */',
    '',
    `export const spec = ${JSON.stringify(spec, null, 2)} as const;`,
    '',
  ].join('\n');
  // Formatted as the repository formats code, so formatting it again is a no-op.
  // The repository's formatter, installed at the root for every package.
  // eslint-disable-next-line @backstage/no-undeclared-imports
  const prettier = require('prettier');
  const config = await prettier.resolveConfig(tsPath);
  return prettier.format(source, { ...config, filepath: tsPath });
}

async function main() {
  const rendered = await render();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(tsPath)
      ? fs.readFileSync(tsPath, 'utf8')
      : '';
    if (current !== rendered) {
      console.error(
        `${path.relative(
          process.cwd(),
          tsPath,
        )} is out of date; run node ${path.relative(
          process.cwd(),
          __filename,
        )}`,
      );
      process.exit(1);
    }
    console.log('openapi.generated.ts matches openapi.yaml');
  } else {
    fs.writeFileSync(tsPath, rendered);
    console.log(`wrote ${path.relative(process.cwd(), tsPath)}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
