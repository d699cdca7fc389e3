import type { Entity } from '@backstage/catalog-model';
import {
  OPERATION_ACTIONS,
  parseChangeType,
  validateOperationParameters,
  type OpsOperation,
} from '@cloud-ops/plugin-ops-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  parameterSchemaFromTemplate,
  validateParameters,
} from '../ChangeTypes/parameterSchema';

const dir = path.resolve(__dirname, '../../../../../examples/templates');
const now = new Date('2026-11-01T00:00:00Z');

const ownership = {
  owner: 'group:default/payments',
  component: 'component:default/payments-api',
  environment: 'prod',
  costCenter: 'CC-1001',
  stack: 'resource:default/payments-stack',
};

/** A filled-in form for each change type with an operation. */
const forms: Record<string, [OpsOperation, Record<string, unknown>]> = {
  'set-maintenance-window': [
    'set-maintenance-window',
    { week: 'last', weekday: 'SUN', startTime: '02:30' },
  ],
  'exclude-stack-from-patching': [
    'exclude-from-patching',
    { until: '2026-12-15', justification: 'Year-end release freeze' },
  ],
  'include-stack-in-patching': ['include-in-patching', { reason: 'ended' }],
  'reject-patch-update': [
    'reject-update',
    { updateId: 'KB5039212', justification: 'Breaks the payment driver' },
  ],
  'apply-patch-update': [
    'apply-update',
    { updateId: 'ALAS2-2026-0412', justification: 'The driver is fixed now' },
  ],
  'set-backup-schedule': [
    'set-backup-schedule',
    { frequency: 'every-12-hours', startTime: '01:00', retentionDays: 35 },
  ],
  'request-backup-snapshot': [
    'take-snapshot',
    { reason: 'Before the 3.2 release' },
  ],
  'restore-from-recovery-point': [
    'restore-from-recovery-point',
    {
      recoveryPointId: 'snap-0123456789abcdef0',
      justification: 'Data corrupted by the failed migration',
    },
  ],
};

function load(name: string): Entity {
  return parse(fs.readFileSync(path.join(dir, `${name}.yaml`), 'utf8'));
}

describe('patch and continuity change types', () => {
  it.each(Object.entries(forms))(
    '%s declares its operation and accepts a filled-in form',
    (name, [operation, values]) => {
      const template = load(name);
      const parsed = parseChangeType(template);
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      expect(parsed.changeType.operation).toBe(operation);

      const schema = parameterSchemaFromTemplate(template.spec!.parameters);
      const form = { ...ownership, ...values };
      expect(validateParameters(schema, form)).toEqual([]);
      expect(validateOperationParameters(operation, form, now)).toEqual([]);
      // Whatever the operation needs, the form asks for.
      const needed = Object.keys(values).filter(
        k =>
          validateOperationParameters(operation, { ...form, [k]: '' }, now)
            .length > 0,
      );
      expect(schema.required).toEqual(expect.arrayContaining(needed));

      // The RFC is about the stack.
      const create = (template.spec!.steps as any[]).find(
        s => s.action === 'ops:rfc:create',
      );
      expect(create.input.targetEntityRef).toBe('${{ parameters.stack }}');
    },
  );

  it.each([
    ['set-maintenance-window', 'set-maintenance-window'],
    ['set-backup-schedule', 'set-backup-schedule'],
  ] as const)(
    '%s defaults its form to values the operation accepts',
    (name, operation) => {
      const schema = parameterSchemaFromTemplate(load(name).spec!.parameters);
      const defaults = Object.fromEntries(
        Object.entries(schema.properties).flatMap(([k, p]) =>
          p.default !== undefined ? [[k, p.default]] : [],
        ),
      );
      expect(Object.keys(defaults).length).toBeGreaterThanOrEqual(3);
      expect(validateOperationParameters(operation, defaults, now)).toEqual([]);
    },
  );

  const kinds = Object.keys(forms).map(name => {
    const template = load(name);
    const parsed = parseChangeType(template);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return [name, parsed.changeType, template.spec!.steps as any[]] as const;
  });

  it.each(kinds)(
    '%s is carried out by the action of its operation, in the execution run only',
    (_name, changeType, steps) => {
      expect(changeType.automation).toBe('automated');
      const automation = steps.filter(
        s => !['ops:rfc:create', 'ops:rfc:follow'].includes(s.action),
      );
      expect(automation.map(s => s.action)).toEqual([
        OPERATION_ACTIONS[changeType.operation!],
      ]);
      expect(automation[0].if).toBe('${{ steps.rfc.output.execution }}');
      // What it changes comes from the RFC, not from the step.
      expect(automation[0].input).toBeUndefined();
      // Pre-approved ones let the person watch the execution; the others end
      // the person's run at submission.
      expect(steps.some(s => s.action === 'ops:rfc:follow')).toBe(
        changeType.approval === 'none',
      );
    },
  );
});
