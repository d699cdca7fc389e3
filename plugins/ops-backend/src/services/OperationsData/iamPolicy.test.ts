import fs from 'node:fs';
import path from 'node:path';

/**
 * The least-privilege policy documented for the readers
 * (docs/iam/readers-policy.json) must allow every AWS call the operations
 * readers and the settings reader make, and nothing that writes: a reader
 * role never changes AWS.
 */
const root = path.resolve(__dirname, '../../../../..');
const policy = JSON.parse(
  fs.readFileSync(path.join(root, 'docs/iam/readers-policy.json'), 'utf8'),
);
const allowed: string[] = policy.Statement.flatMap(
  (s: { Action: string[] }) => s.Action,
);

const SERVICE_OF_CLIENT: Record<string, string> = {
  'client-ssm': 'ssm',
  'client-backup': 'backup',
  'client-ec2': 'ec2',
  'client-rds': 'rds',
  'client-cloudwatch': 'cloudwatch',
  'client-resource-groups-tagging-api': 'tag',
};

/** `service:Action` for each SDK command the file imports and constructs. */
function callsIn(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const calls: string[] = [];
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

const sources = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.ts') && !f.includes('.test.'))
    .map(f => path.join(dir, f));

describe('docs/iam/readers-policy.json', () => {
  const files = [
    ...sources(__dirname),
    path.join(root, 'plugins/ops-node/src/settings/aws/AwsSettingsReader.ts'),
  ];
  const calls = [...new Set(files.flatMap(callsIn))].sort();

  it('allows every call the readers make', () => {
    expect(calls.length).toBeGreaterThanOrEqual(14);
    expect(calls.filter(c => !allowed.includes(c))).toEqual([]);
  });

  it('allows nothing else, and nothing that writes', () => {
    expect(allowed.filter(a => !calls.includes(a))).toEqual([]);
    expect(
      allowed.filter(a => !/^[a-z0-9]+:(Describe|Get|List|Search)/.test(a)),
    ).toEqual([]);
    expect(policy.Statement.every((s: any) => s.Effect === 'Allow')).toBe(true);
  });
});
