/**
 * Checking a request body against its endpoint with the reference's error
 * codes: a missing required key is 601 PARAMETER_CANT_BE_EMPTY, anything else
 * wrong is 600 PARAMETER_INVALID, with every issue listed. For callers outside
 * the farm's own packages: the server answers with its own `parseBody`
 * (http/validation.ts: the first issue, as `detail: {field, reason}`), and the
 * SDK's operators check with the schema directly before sending.
 */
import type { z } from 'zod';
import { ApiError, ERRORS } from '../errors.js';
import { formatFieldPath } from '../jobfiles/issues.js';
import type { EndpointDef, ParsedRequestOf } from './define.js';

export interface RequestIssue {
  /** Body field path, e.g. `taskIds[0]`; "" for the body itself. */
  readonly path: string;
  readonly message: string;
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_type') return issue.input === undefined;
  // A union fails as a whole: it is "missing" when every branch misses a key.
  if (issue.code === 'invalid_union') return issue.errors.every((branch) => branch.some(isMissing));
  return false;
}

function flatten(issue: z.core.$ZodIssue): RequestIssue[] {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch that came closest (fewest issues): it is the one the caller meant.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
    return best.flatMap((i) => flatten({ ...i, path: [...issue.path, ...i.path] }));
  }
  return [{ path: formatFieldPath(issue.path), message: issue.message }];
}

/** Parse a body for an endpoint, or throw an {@link ApiError} (600/601) whose `detail` lists the issues. */
export function parseRequest<E extends EndpointDef>(endpoint: E, body: unknown): ParsedRequestOf<E> {
  const r = endpoint.request.safeParse(body ?? {}, { reportInput: true });
  if (r.success) return r.data as ParsedRequestOf<E>;
  const issues = r.error.issues;
  const missing = issues.some(isMissing);
  const detail = issues.flatMap(flatten);
  const code = missing ? ERRORS.PARAMETER_CANT_BE_EMPTY : ERRORS.PARAMETER_INVALID;
  const summary = detail.map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)).join('; ');
  throw new ApiError(code.code, { path: endpoint.path, message: `${code.en}: ${summary}`, detail });
}
