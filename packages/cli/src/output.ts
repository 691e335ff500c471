/**
 * Where the CLI prints, and what it never prints raw.
 *
 * Task and scene names, file names and messages come from farms (this one, an
 * older one, someone else's) and from disks the CLI does not control. Printed
 * raw, a control character can rewrite the terminal (ESC sequences set titles,
 * move the cursor, hide text), cut a line short (NUL, CR, BS), and a bidi
 * override or isolate can show a name reversed (`exe.txt` for `txt.exe`).
 * Every sink below passes text through {@link terminalSafe}, so a string that
 * reaches the user's terminal shows such characters as visible escapes
 * (`\x1b`, `\u202e`) instead of obeying them.
 */
import { UNPRINTABLE_CLASS } from '@openfarm/protocol';
import type { Command } from 'commander';

/**
 * What the API refuses in names (protocol/src/printable.ts): C0 controls, DEL,
 * C1 controls (some terminals act on 0x9b as ESC [), the bidi marks,
 * embeddings, overrides and isolates, and the Unicode line and paragraph
 * separators (a line break to some terminals, none to others).
 */
const UNSAFE = new RegExp(`[${UNPRINTABLE_CLASS}]`, 'g');
/** The same without tab and newline, for text whose layout is ours (tables, logs). */
const UNSAFE_KEEP_LAYOUT = new RegExp(`(?![\\t\\n])[${UNPRINTABLE_CLASS}]`, 'g');

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  const hex = code.toString(16).padStart(code <= 0xff ? 2 : 4, '0');
  return code <= 0xff ? `\\x${hex}` : `\\u${hex}`;
}

export interface TerminalSafeOptions {
  /**
   * Keep tab and newline as they are (multi-line output, logs); every other
   * control is escaped. Default false: one table cell, one line.
   */
  keepLayout?: boolean;
}

/** `text` with control and bidi characters shown as `\x1b` / `\u202e` escapes. */
export function terminalSafe(text: string, options: TerminalSafeOptions = {}): string {
  return text.replace(options.keepLayout === true ? UNSAFE_KEEP_LAYOUT : UNSAFE, escapeChar);
}

/**
 * `value` as JSON (indented unless `indent` is 0) that is safe on a terminal and still the same JSON:
 * JSON.stringify escapes C0 controls itself, the rest become `\u` escapes,
 * which a JSON parser reads back as the same characters.
 */
export function jsonSafe(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    UNSAFE_KEEP_LAYOUT,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}

/**
 * Where a command prints its results: the root program's configured output
 * (tests capture it with `configureOutput`), standard output otherwise.
 * What it writes is passed through {@link terminalSafe} (layout kept).
 */
export function outputOf(command: Command): (text: string) => void {
  const write = rootOf(command).configureOutput().writeOut;
  const sink =
    write !== undefined ? (text: string) => write(text) : (text: string) => process.stdout.write(text);
  return (text) => sink(terminalSafe(text, { keepLayout: true }));
}

/** Where a command prints notices (outages, warnings): the configured error output, standard error otherwise. */
export function noticesOf(command: Command): (text: string) => void {
  const write = rootOf(command).configureOutput().writeErr;
  const sink =
    write !== undefined ? (text: string) => write(text) : (text: string) => process.stderr.write(text);
  return (text) => sink(terminalSafe(text.endsWith('\n') ? text : `${text}\n`, { keepLayout: true }));
}

/** Print `text` as one result line (a newline is added when missing). */
export function print(command: Command, text: string): void {
  outputOf(command)(text.endsWith('\n') ? text : `${text}\n`);
}
