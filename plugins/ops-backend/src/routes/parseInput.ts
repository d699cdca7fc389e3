import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/**
 * Parses a request's body or query with a zod schema, or answers 400 with
 * one message per field saying what to fix.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${path ? `${path}: ` : ''}unknown field(s) ${issue.keys.join(
          ', ',
        )}`;
      }
      return `${path || where}: ${issue.message}`;
    });
    throw new InputError(`Invalid ${where}: ${problems.join('; ')}`);
  }
  return result.data;
}
