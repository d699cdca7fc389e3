import {
  parameterSchemaFromTemplate,
  validateAsScaffolder,
  validateParameters,
} from './parameterSchema';

describe('parameterSchemaFromTemplate', () => {
  it('merges the properties and required fields of every form step', () => {
    expect(
      parameterSchemaFromTemplate([
        { required: ['name'], properties: { name: { type: 'string' } } },
        {
          required: ['size', 'name'],
          properties: { size: { type: 'integer' } },
        },
      ]),
    ).toEqual({
      properties: { name: { type: 'string' }, size: { type: 'integer' } },
      required: ['name', 'size'],
    });
    expect(
      parameterSchemaFromTemplate({ properties: { a: { type: 'boolean' } } }),
    ).toEqual({ properties: { a: { type: 'boolean' } }, required: [] });
    expect(parameterSchemaFromTemplate(undefined)).toEqual({
      properties: {},
      required: [],
    });
  });
});

describe('validateParameters', () => {
  const schema = parameterSchemaFromTemplate({
    required: ['name', 'size'],
    properties: {
      name: { type: 'string', pattern: '^[a-z-]+$', maxLength: 10 },
      size: { type: 'integer', minimum: 1, maximum: 4 },
      tier: { type: 'string', enum: ['gold', 'silver'] },
      ratio: { type: 'number' },
      tags: { type: 'array', items: { type: 'string' } },
    },
  });

  it('accepts valid parameters', () => {
    expect(
      validateParameters(schema, {
        name: 'web',
        size: 2,
        tier: 'gold',
        ratio: 0.5,
        tags: ['a'],
      }),
    ).toEqual([]);
  });

  it('names every problem by parameter', () => {
    expect(
      validateParameters(schema, {
        name: 'Web_Server_01',
        size: 2.5,
        tier: 'bronze',
        tags: ['a', 3],
        extra: true,
      }),
    ).toEqual([
      'parameters.name: must be at most 10 characters',
      'parameters.name: must match ^[a-z-]+$',
      'parameters.size: must be of type integer',
      'parameters.tier: must be one of "gold", "silver"',
      'parameters.tags[1]: must be of type string',
      'parameters.extra: is not a parameter of this change type (known: name, size, tier, ratio, tags)',
    ]);
    expect(validateParameters(schema, { size: 9 })).toEqual([
      'parameters.name: is required',
      'parameters.size: must be at most 4',
    ]);
  });
});

describe('parameters named like built-in object properties', () => {
  const BUILT_IN = [
    'constructor',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__proto__',
    '__defineGetter__',
  ];

  it.each(BUILT_IN)(
    'refuses %s, which the change type does not declare',
    name => {
      const schema = parameterSchemaFromTemplate({
        properties: { size: { type: 'integer' } },
      });
      const parameters = JSON.parse(`{"${name}": 1}`);
      expect(validateParameters(schema, parameters)).toEqual([
        expect.stringContaining(`parameters.${name}: is not a parameter`),
      ]);
    },
  );

  it.each(BUILT_IN)(
    'does not take an inherited %s for a required value',
    name => {
      // A template that requires a name it does not describe.
      const schema = parameterSchemaFromTemplate(
        JSON.parse(`{"required": ["${name}"], "properties": {}}`),
      );
      expect(schema.required).toEqual([name]);
      expect(validateParameters(schema, {})).toEqual([
        `parameters.${name}: is required`,
      ]);
    },
  );

  it.each(BUILT_IN)(
    'reads a template that declares %s like any other parameter',
    name => {
      const schema = parameterSchemaFromTemplate(
        JSON.parse(
          `{"required": ["${name}"], "properties": {"${name}": {"type": "integer", "maximum": 3}}}`,
        ),
      );
      expect(Object.keys(schema.properties)).toEqual([name]);
      expect(Object.getPrototypeOf(schema.properties)).toBe(Object.prototype);
      expect(validateParameters(schema, JSON.parse(`{"${name}": 2}`))).toEqual(
        [],
      );
      expect(validateParameters(schema, JSON.parse(`{"${name}": 9}`))).toEqual([
        `parameters.${name}: must be at most 3`,
      ]);
      expect(validateParameters(schema, {})).toEqual([
        `parameters.${name}: is required`,
      ]);
    },
  );

  it('ignores properties and required a form step only inherits', () => {
    const step = Object.create({
      properties: { size: { type: 'integer' } },
      required: ['size'],
    });
    expect(parameterSchemaFromTemplate(step)).toEqual({
      properties: {},
      required: [],
    });
  });
});

describe('validateAsScaffolder', () => {
  const form = [
    {
      required: ['start'],
      properties: { start: { type: 'string', format: 'date-time' } },
    },
    { properties: { size: { type: 'integer', minimum: 1 } } },
  ];

  it('finds what the scaffolder would refuse to run, naming the parameter', () => {
    expect(validateAsScaffolder(form, { start: 'tomorrow' })).toEqual([
      expect.stringMatching(/^parameters\.start: .*date-time/),
    ]);
    expect(validateAsScaffolder(form, { size: 2 })).toEqual([
      expect.stringMatching(/^parameters: .*start/),
    ]);
    expect(
      validateAsScaffolder(form, { start: '2026-12-01T10:00:00Z', size: 0 }),
    ).toEqual([expect.stringMatching(/^parameters\.size: /)]);
  });

  it('accepts what the scaffolder accepts', () => {
    expect(
      validateAsScaffolder(form, { start: '2026-12-01T10:00:00Z', size: 3 }),
    ).toEqual([]);
    expect(validateAsScaffolder(undefined, {})).toEqual([]);
  });
});
