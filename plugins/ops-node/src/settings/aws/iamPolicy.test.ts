import fs from 'node:fs';
import path from 'node:path';

/**
 * The IAM policy documented for the execution (docs/iam/execution-policy.json)
 * must allow every AWS call the execution's gateways make; a call added
 * without its permission would fail only in a real account.
 */
const root = path.resolve(__dirname, '../../../../..');
const policy = JSON.parse(
  fs.readFileSync(path.join(root, 'docs/iam/execution-policy.json'), 'utf8'),
);
const allowed = new Set<string>(
  policy.Statement.flatMap((s: { Action: string[] }) => s.Action),
);

const SERVICE_OF_CLIENT: Record<string, string> = {
  'client-ssm': 'ssm',
  'client-backup': 'backup',
  'client-ec2': 'ec2',
  'client-rds': 'rds',
  'client-resource-groups-tagging-api': 'tag',
  'client-service-catalog': 'servicecatalog',
};

function callsIn(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const calls: string[] = [];
  // import { XCommand, ... } from '@aws-sdk/client-...'
  for (const m of source.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g,
  )) {
    const service = SERVICE_OF_CLIENT[m[2]];
    if (!service) continue;
    for (const name of m[1].split(',').map(n => n.trim())) {
      const command = /^(\w+)Command$/.exec(name);
      if (command && source.includes(`new ${name}(`)) {
        calls.push(`${service}:${command[1]}`);
      }
    }
  }
  return calls;
}

describe('docs/iam/execution-policy.json', () => {
  const files = [
    ...fs
      .readdirSync(__dirname)
      .filter(f => f.endsWith('.ts') && !f.includes('.test.'))
      .map(f => path.join(__dirname, f)),
    path.resolve(__dirname, '../../serviceCatalog/AwsServiceCatalogGateway.ts'),
  ];

  it('allows every call the execution gateways and readers make', () => {
    const calls = [...new Set(files.flatMap(callsIn))].sort();
    expect(calls.length).toBeGreaterThan(20);
    expect(calls.filter(c => !allowed.has(c))).toEqual([]);
  });

  it('passes the backup role only to AWS Backup', () => {
    const pass = policy.Statement.find((s: any) =>
      s.Action.includes('iam:PassRole'),
    );
    expect(pass.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' },
    });
  });
});
