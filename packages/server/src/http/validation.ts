/**
 * Request validation with the endpoint's zod schema. The first problem becomes
 * the reference's error: 601 when a required field is absent, 600 otherwise,
 * with the field's dotted path named in the message.
 */
import { ApiError } from '@openfarm/protocol';
import type { z } from 'zod';

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Validate `body`; `fieldPrefix` names where the body came from when it is not
 * the request itself (e.g. "task.json").
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  path: string,
  fieldPrefix = '',
): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw ApiError.of('PARAMETER_INVALID', { path });
  const field = fieldName(issue.path);
  // A union (e.g. a number or its decimal text) fails as a whole when its field is absent.
  const missing =
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    valueAt(body, issue.path) === undefined;
  throw ApiError.of(missing ? 'PARAMETER_CANT_BE_EMPTY' : 'PARAMETER_INVALID', {
    path,
    detail: {
      field: [fieldPrefix, field].filter((x) => x !== '').join('.') || '(body)',
      reason: reasonOf(issue),
    },
  });
}

/** A union's own message is "Invalid input"; a branch that got past the type check says more. */
function reasonOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_union') return issue.message;
  const telling = issue.errors.flat().find((i) => i.code !== 'invalid_type');
  return telling?.message ?? issue.message;
}
