/**
 * Names must print as what they are. A name is shown in terminals, logs and
 * the dashboard; a control character in it can rewrite a terminal (ANSI
 * escapes), cut a C string or a log line (NUL, newlines), or make
 * `evil\u202Egpj.exe` read as `evilexe.jpg` (bidi overrides). Refused, in
 * every name and free-text field a client sends:
 * - C0 controls U+0000–U+001F (tab and newline included) and DEL U+007F;
 * - C1 controls U+0080–U+009F (U+009B is a one-character ANSI escape);
 * - bidi marks, embeddings, overrides and isolates: U+061C, U+200E, U+200F,
 *   U+202A–U+202E, U+2066–U+2069;
 * - line and paragraph separators U+2028, U+2029.
 */
import { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * The refused characters as the inside of a regular-expression character class,
 * so that the CLI, which escapes rather than refuses, shows exactly this set.
 */
export const UNPRINTABLE_CLASS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

const UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CLASS}]`);

/** The first refused character of `text` as `U+XXXX at <index>`, or undefined when it prints. */
export function findUnprintable(text: string): string | undefined {
  const m = UNPRINTABLE.exec(text);
  if (m === null) return undefined;
  const cp = (m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${cp} at ${m.index}`;
}

/** The reason a field is refused, in the words the API answers with. */
export function unprintableReason(found: string): string {
  return `contains a control character or a bidirectional override (${found})`;
}

/** Throw PARAMETER_INVALID (600) naming `field` when `value` holds a refused character. */
export function assertPrintableName(value: string, field: string, path?: string): void {
  const found = findUnprintable(value);
  if (found === undefined) return;
  throw ApiError.of('PARAMETER_INVALID', {
    ...(path !== undefined ? { path } : {}),
    detail: { field, reason: unprintableReason(found) },
  });
}

/** A zod string that refuses what {@link assertPrintableName} refuses (600 naming the field). */
export const printableString = () =>
  z.string().superRefine((v, ctx) => {
    const found = findUnprintable(v);
    if (found !== undefined) ctx.addIssue({ code: 'custom', message: unprintableReason(found) });
  });
