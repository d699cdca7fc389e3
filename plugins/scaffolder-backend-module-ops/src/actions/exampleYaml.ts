import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** One step of an action example, kept as data so tests can run it. */
export type ExampleStep = {
  id: string;
  name: string;
  action: string;
  /** The step's condition, e.g. `${{ steps.rfc.output.execution }}`. */
  if?: string;
  input: Record<string, unknown>;
};

/** An action example as data plus the YAML the scaffolder shows. */
export function toTemplateExample(
  description: string,
  step: ExampleStep,
): TemplateExample & { step: ExampleStep } {
  return {
    description,
    example: `steps:\n  - ${emit(step, 4).trimStart()}`,
    step,
  };
}

function scalar(value: unknown): string {
  if (typeof value === 'string') {
    // Quote what YAML would read as another type or as syntax.
    return /^[\w./${} -]+$/.test(value) &&
      !/^(true|false|null|~|[\d.]+|\d{4}-.*)$/i.test(value) &&
      !/^\s|\s$/.test(value)
      ? value
      : JSON.stringify(value);
  }
  return String(value);
}

function emit(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value
      .map(v => `\n${pad}- ${emit(v, indent + 2).trimStart()}`)
      .join('');
  }
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) =>
        v && typeof v === 'object'
          ? `\n${pad}${k}:${emit(v, indent + 2)}`
          : `\n${pad}${k}: ${scalar(v)}`,
      )
      .join('');
  }
  return ` ${scalar(value)}`;
}
