import type { JsonObject } from '@backstage/types';
import { validate as validateJsonSchema } from 'jsonschema';

/** A JSON Schema property as used in Template form steps. */
export type ParameterProperty = {
  type?: string | string[];
  title?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: ParameterProperty;
  [key: string]: unknown;
};

/** The parameters of a change type: the Template's form steps merged. */
export type ParameterSchema = {
  properties: Record<string, ParameterProperty>;
  required: string[];
};

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Merges the `properties` and `required` of a Template's `spec.parameters`,
 * which is either one JSON Schema object or a list of form steps.
 */
export function parameterSchemaFromTemplate(
  parameters: unknown,
): ParameterSchema {
  const steps = Array.isArray(parameters) ? parameters : [parameters];
  // A Map, so that a property named like one of Object.prototype's (even
  // `__proto__`) is one entry like any other.
  const properties = new Map<string, ParameterProperty>();
  const required: string[] = [];
  for (const step of steps) {
    const obj = asObject(step);
    if (!obj) continue;
    for (const [name, property] of Object.entries(
      asObject(own(obj, 'properties')) ?? {},
    )) {
      properties.set(name, (asObject(property) ?? {}) as ParameterProperty);
    }
    const names = own(obj, 'required');
    if (Array.isArray(names)) {
      for (const name of names) {
        if (typeof name === 'string' && !required.includes(name)) {
          required.push(name);
        }
      }
    }
  }
  // Object.fromEntries defines own properties, `__proto__` included.
  return { properties: Object.fromEntries(properties), required };
}

/** A value the object holds itself, never one it inherits. */
function own(object: object, name: string): unknown {
  return Object.hasOwn(object, name)
    ? (object as Record<string, unknown>)[name]
    : undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function checkValue(
  path: string,
  value: unknown,
  property: ParameterProperty,
  problems: string[],
) {
  const types =
    property.type === undefined ? undefined : [property.type].flat();
  if (types && !types.some(t => matchesType(value, t))) {
    problems.push(`${path}: must be of type ${types.join(' or ')}`);
    return;
  }
  if (property.enum && !property.enum.some(e => e === value)) {
    problems.push(
      `${path}: must be one of ${property.enum
        .map(e => JSON.stringify(e))
        .join(', ')}`,
    );
  }
  if (property.const !== undefined && property.const !== value) {
    problems.push(`${path}: must be ${JSON.stringify(property.const)}`);
  }
  if (typeof value === 'string') {
    if (property.minLength !== undefined && value.length < property.minLength) {
      problems.push(
        `${path}: must be at least ${property.minLength} characters`,
      );
    }
    if (property.maxLength !== undefined && value.length > property.maxLength) {
      problems.push(
        `${path}: must be at most ${property.maxLength} characters`,
      );
    }
    if (property.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(property.pattern, 'u');
      } catch {
        // A broken pattern in a template is the template's problem, not the requester's.
      }
      if (re && !re.test(value)) {
        problems.push(`${path}: must match ${property.pattern}`);
      }
    }
  }
  if (typeof value === 'number') {
    if (property.minimum !== undefined && value < property.minimum) {
      problems.push(`${path}: must be at least ${property.minimum}`);
    }
    if (property.maximum !== undefined && value > property.maximum) {
      problems.push(`${path}: must be at most ${property.maximum}`);
    }
  }
  if (Array.isArray(value) && property.items) {
    value.forEach((item, i) =>
      checkValue(`${path}[${i}]`, item, property.items!, problems),
    );
  }
}

/**
 * Checks RFC parameters against a change type's parameter schema and returns
 * one message per problem, each naming the parameter. Supports the JSON
 * Schema keywords Template forms use for values: type, enum, const, pattern,
 * minLength, maxLength, minimum, maximum, items and required. Parameters the
 * change type does not declare are refused so typos do not pass silently.
 */
export function validateParameters(
  schema: ParameterSchema,
  parameters: JsonObject,
): string[] {
  const problems: string[] = [];
  // Own properties only, on both sides: `constructor` or `toString` are
  // neither parameters a change type declares nor values a request gave.
  for (const name of schema.required) {
    const value = own(parameters, name);
    if (value === undefined || value === null || value === '') {
      problems.push(`parameters.${name}: is required`);
    }
  }
  for (const [name, value] of Object.entries(parameters)) {
    const property = own(schema.properties, name) as
      | ParameterProperty
      | undefined;
    if (!property) {
      const known = Object.keys(schema.properties);
      problems.push(
        `parameters.${name}: is not a parameter of this change type${
          known.length ? ` (known: ${known.join(', ')})` : ''
        }`,
      );
      continue;
    }
    if (value === undefined || value === null) continue;
    checkValue(`parameters.${name}`, value, property, problems);
  }
  return problems;
}

/**
 * Checks the parameters the way the scaffolder checks a task's values against
 * the template's form steps before it runs it, so an RFC that is accepted can
 * always be executed with its stored parameters. Returns one message per
 * problem, naming the parameter.
 */
export function validateAsScaffolder(
  formSteps: unknown,
  parameters: JsonObject,
): string[] {
  const steps = Array.isArray(formSteps) ? formSteps : [formSteps];
  const problems: string[] = [];
  for (const step of steps) {
    if (!step || typeof step !== 'object') continue;
    let result;
    try {
      result = validateJsonSchema(parameters, step as object);
    } catch {
      // A schema the validator cannot read is the template's problem; the
      // catalog module reports it on the template's page.
      continue;
    }
    for (const error of result.errors) {
      const name = error.property.replace(/^instance\.?/, '');
      const message = `parameters${name ? `.${name}` : ''}: ${error.message}`;
      if (!problems.includes(message)) problems.push(message);
    }
  }
  return problems;
}
