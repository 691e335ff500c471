/** Turning zod issues into messages that say what a job file field should hold. */
import type { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `task_info.frames`, `asset[3].server`, `scene_info_render["my layer"].common.frames`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && IDENTIFIER.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const expected =
      issue.expected === 'object' || issue.expected === 'record' ? 'an object' : issue.expected;
    if (issue.input === undefined) return `missing; expected ${expected}`;
    return `expected ${expected}, got ${describe(issue.input)}`;
  }
  // A bad record key: zod nests the key's own issue, which says what was expected.
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return inner === undefined ? issue.message : `${inner.message} (key ${JSON.stringify(issue.input)})`;
  }
  if (issue.code === 'invalid_value') {
    return `${issue.message}, got ${describe(issue.input)}`;
  }
  return issue.message;
}
