/*
 * Verifies the ops backend's audit log straight from its database, with the
 * same code as GET /api/ops/audit/verify. From the repository root:
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs plugins/ops-backend/scripts/verify-audit.ts --sqlite <file>
 *   node -r @backstage/cli/config/nodeTransform.cjs plugins/ops-backend/scripts/verify-audit.ts --pg <connection string> [--schema <schema>]
 *
 * Add --json for the result as JSON. Only reads. Exit code 0 when every link
 * holds, 1 at the first broken link (printed), 2 when it could not verify.
 */
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { verifyAuditChain } from '../src/services/Audit/verifyAuditChain';

const USAGE =
  'usage: verify-audit.ts --sqlite <file> | --pg <connection string> [--schema <schema>] [--json]';

class UsageError extends Error {}

function readArgs(argv: string[]): { config: Knex.Config; json: boolean } {
  const flags = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--json') {
      json = true;
    } else if (['--sqlite', '--pg', '--schema'].includes(flag)) {
      const value = argv[++i];
      if (!value || value.startsWith('--')) {
        throw new UsageError(`${flag} needs a value`);
      }
      flags.set(flag, value);
    } else {
      throw new UsageError(`unknown argument ${flag}`);
    }
  }
  const sqlite = flags.get('--sqlite');
  const pg = flags.get('--pg');
  if (!sqlite === !pg) {
    throw new UsageError('give one of --sqlite and --pg');
  }
  if (sqlite) {
    // better-sqlite3 would create a missing file and find no log in it.
    if (!fs.existsSync(sqlite)) throw new UsageError(`no such file: ${sqlite}`);
    return {
      json,
      config: {
        client: 'better-sqlite3',
        connection: { filename: sqlite },
        useNullAsDefault: true,
      },
    };
  }
  const schema = flags.get('--schema');
  return {
    json,
    config: {
      client: 'pg',
      connection: pg,
      pool: { min: 0, max: 1 },
      ...(schema ? { searchPath: [schema] } : {}),
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof readArgs>;
  try {
    args = readArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  const db = knexFactory(args.config);
  try {
    const result = await verifyAuditChain(db);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (result.ok) {
      process.stdout.write(
        `OK: ${result.checked} entries verified${
          result.head
            ? `; the last is entry ${result.head.id}, hash ${result.head.hash}`
            : ''
        }\n`,
      );
    } else {
      const { id, chain, reason } = result.firstBroken!;
      process.stdout.write(
        `BROKEN at entry ${id} (chain ${chain}): ${reason}\n` +
          `${result.checked} entries verified before it\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`could not verify the audit log: ${error.message}\n`);
    process.exitCode = 2;
  },
);
