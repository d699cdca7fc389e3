import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { DatabaseRfcStore } from '../database/DatabaseRfcStore';
import type { NewRfc } from '../database/RfcStore';
import { tamper } from '../services/Audit/__testUtils__/tamper';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const packageDir = path.resolve(__dirname, '../..');
const repoRoot = path.resolve(packageDir, '../..');
const script = path.join(packageDir, 'scripts/verify-audit.ts');

/** Runs the CLI as the docs say, from the repository root. */
function verifyAudit(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      ['-r', '@backstage/cli/config/nodeTransform.cjs', script, ...args],
      { cwd: repoRoot },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

const rfc: NewRfc = {
  changeTypeId: 'ec2-restart',
  changeTypeVersion: '1.0',
  title: 'Restart',
  description: 'Rolling restart',
  targetEntityRef: 'component:default/payments-api',
  parameters: {},
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/ana',
  approvalRule: 'by-origin',
  automation: 'manual',
  approverGroup: 'group:default/central-it',
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'low',
  status: 'PendingApproval',
};

async function seed(knex: Knex) {
  const store = await DatabaseRfcStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  for (let i = 0; i < 3; i++) {
    const created = await store.create(rfc, []);
    await store.transition({
      id: created.id,
      expectedStatus: 'PendingApproval',
      expectedVersion: 1,
      toStatus: 'Scheduled',
      event: { actor: 'user:default/omar', action: 'approve' },
    });
  }
}

describe.each(databases.eachSupportedId())(
  'verify-audit CLI on %s',
  databaseId => {
    let knex: Knex;
    let args: string[];
    let dir: string | undefined;

    beforeAll(async () => {
      if (databaseId === 'SQLITE_3') {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-audit-'));
        const file = path.join(dir, 'ops.sqlite');
        knex = knexFactory({
          client: 'better-sqlite3',
          connection: { filename: file },
          useNullAsDefault: true,
        });
        args = ['--sqlite', file];
      } else {
        knex = await databases.init(databaseId);
        const c = knex.client.config.connection;
        args = [
          '--pg',
          `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(
            c.password ?? '',
          )}@${c.host}:${c.port}/${c.database}`,
        ];
      }
      await seed(knex);
    });

    afterAll(async () => {
      if (dir) {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('exits 0 for an intact log and 1 at the first broken link', async () => {
      const intact = await verifyAudit(args);
      expect(intact).toMatchObject({ code: 0 });
      expect(intact.stdout).toMatch(
        /^OK: 6 entries verified; the last is entry 6, hash [0-9a-f]{64}\n$/,
      );

      await tamper(knex, db =>
        db('ops_audit_log')
          .where({ id: 4 })
          .update({ actor: 'user:default/mallory' }),
      );
      const broken = await verifyAudit(args);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toBe(
        'BROKEN at entry 4 (chain rfc:RFC-000002): entry 4 was changed after it was written: its hash does not match its content\n' +
          '3 entries verified before it\n',
      );
      const json = await verifyAudit([...args, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        checked: 3,
        firstBroken: { id: 4, chain: 'rfc:RFC-000002' },
      });
    });
  },
);

describe('verify-audit CLI arguments', () => {
  it.each([
    [[], 'give one of --sqlite and --pg'],
    [['--sqlite', '/no/such/file.sqlite'], 'no such file'],
    [['--pg'], '--pg needs a value'],
    [['--sqlite', 'a', '--pg', 'b'], 'give one of --sqlite and --pg'],
  ])('exits 2 with a usage line for %j', async (argv, message) => {
    const result = await verifyAudit(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: verify-audit.ts');
  });
});
