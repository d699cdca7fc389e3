import type { IncidentPriorityRule } from './incidents';
import {
  compilePriorityRules,
  formatIncidentId,
  formatProblemId,
  matchPriority,
  parseIncidentId,
  parseProblemId,
  validatePriorityRules,
} from './incidentRules';

const rules: IncidentPriorityRule[] = [
  {
    name: 'production-databases',
    priority: 'P1',
    metricNamespace: 'AWS/RDS',
    lifecycle: 'production',
  },
  { name: 'critical-by-name', priority: 'P2', alarmNamePattern: '-critical$' },
  { name: 'cpu', priority: 'P3', metricName: 'CPUUtilization' },
  { name: 'experimental', priority: 'P4', lifecycle: 'experimental' },
];

const rds = { namespace: 'AWS/RDS', name: 'FreeStorageSpace' };

describe('matchPriority', () => {
  it('takes the first rule whose every given field matches', () => {
    expect(
      matchPriority(
        rules,
        'P3',
        { name: 'db-storage', metric: rds },
        { lifecycle: 'production' },
      ),
    ).toEqual({ priority: 'P1', rule: 'production-databases' });
    // Same alarm on a non-production entity: the RDS rule needs both fields.
    expect(
      matchPriority(
        rules,
        'P3',
        { name: 'db-storage', metric: rds },
        { lifecycle: 'development' },
      ),
    ).toEqual({ priority: 'P3', rule: 'default' });
    // Two rules match; the earlier one wins.
    expect(
      matchPriority(
        rules,
        'P4',
        {
          name: 'api-cpu-critical',
          metric: { namespace: 'AWS/EC2', name: 'CPUUtilization' },
        },
        {},
      ),
    ).toEqual({ priority: 'P2', rule: 'critical-by-name' });
  });

  it('matches lifecycle case-insensitively and metric fields exactly', () => {
    expect(
      matchPriority(
        rules,
        'P3',
        { name: 'db', metric: rds },
        { lifecycle: 'Production' },
      ).rule,
    ).toBe('production-databases');
    expect(
      matchPriority(
        rules,
        'P3',
        { name: 'db', metric: { namespace: 'aws/rds' } },
        { lifecycle: 'production' },
      ).rule,
    ).toBe('default');
  });

  it('does not match a rule field against an alarm without that field', () => {
    expect(matchPriority(rules, 'P3', { name: 'no-metric' }, {})).toEqual({
      priority: 'P3',
      rule: 'default',
    });
    expect(
      matchPriority(rules, 'P2', { name: 'x' }, { lifecycle: 'experimental' }),
    ).toEqual({ priority: 'P4', rule: 'experimental' });
  });

  it('lets a rule without match fields catch everything', () => {
    const match = compilePriorityRules(
      [{ name: 'everything', priority: 'P2' }],
      'P4',
    );
    expect(match({ name: 'any' }, {})).toEqual({
      priority: 'P2',
      rule: 'everything',
    });
  });

  it('refuses rules that do not validate', () => {
    expect(() =>
      compilePriorityRules(
        [{ name: 'bad', priority: 'P9' as any, alarmNamePattern: '(' }],
        'P3',
      ),
    ).toThrow(/Invalid incident priority rules: rules\[0\]\.priority/);
    expect(() => compilePriorityRules([], 'P0' as any)).toThrow(
      /default priority must be one of P1, P2, P3, P4/,
    );
  });
});

describe('validatePriorityRules', () => {
  it('accepts good rules', () => {
    expect(validatePriorityRules(rules)).toEqual([]);
    expect(validatePriorityRules([])).toEqual([]);
  });

  it('names each problem', () => {
    expect(validatePriorityRules({})).toEqual([
      'priority rules must be a list',
    ]);
    expect(
      validatePriorityRules([
        'x',
        { name: '', priority: 'P1' },
        { name: 'a', priority: 'high', alarmNamePattern: '[' },
        { name: 'a', priority: 'P2', metricName: 3, colour: 'red' },
        { name: 'default', priority: 'P2' },
      ]),
    ).toEqual([
      'rules[0] must be an object',
      'rules[1].name must be a non-empty string',
      'rules[2].priority must be one of P1, P2, P3, P4',
      expect.stringMatching(
        /^rules\[2\]\.alarmNamePattern is not a valid regular expression/,
      ),
      'rules[3] has unknown field "colour"; use name, priority, alarmNamePattern, metricNamespace, metricName, lifecycle',
      'rules[3].name "a" is used by an earlier rule',
      'rules[3].metricName must be a non-empty string',
      'rules[4].name must not be "default"; that name marks incidents no rule matched',
    ]);
  });
});

describe('incident and problem ids', () => {
  it('formats and parses readable ids', () => {
    expect(formatIncidentId(42)).toBe('INC-000042');
    expect(formatProblemId(7)).toBe('PRB-000007');
    expect(formatIncidentId(1234567)).toBe('INC-1234567');
    expect(parseIncidentId('INC-000042')).toBe(42);
    expect(parseIncidentId('INC-1234567')).toBe(1234567);
    expect(parseProblemId('PRB-000007')).toBe(7);
  });

  it('rejects anything else', () => {
    for (const bad of ['INC-42', 'INC-000000', 'inc-000042', 'PRB-000042']) {
      expect(parseIncidentId(bad)).toBeUndefined();
    }
    expect(parseProblemId('INC-000007')).toBeUndefined();
    expect(parseProblemId('PRB-00000x')).toBeUndefined();
  });
});
