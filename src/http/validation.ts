import type { z } from 'zod';
import { fail, ok, type Result } from '../errors/error-codes.js';

/** Validates input with a zod schema; a failure names every bad field (`fields: {name: problem}`). */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return ok(parsed.data);
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const name = issue.path.length > 0 ? issue.path.join('.') : 'body';
    fields[name] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([name, problem]) => `${name} ${problem}`)
    .join('; ');
  return fail('validation_failed', `The request is invalid: ${summary}.`, fields);
}
