import { Scanner } from './hscript-tokens.js';

/**
 * Parser for `.parm` sections: one parameter per line,
 * `name [ flags ] ( v1 v2 … )`, values separated by tabs. A value is a bare
 * token, a `"quoted string"` (may span lines), or `[ channel cached ]` when
 * the component is driven by a channel of the `.chn` section; the cached text
 * is the last evaluated value and can be stale. Backslash escapes (`\"`,
 * `\\`) are used in both bare and quoted tokens.
 *
 * The parser is lenient: a damaged line is skipped, never fatal, and the scan
 * is linear in the input.
 */
export type ParmComponent =
  | { kind: 'literal'; text: string }
  | { kind: 'channel'; channel: string; cached: string };

export type ParmTable = Map<string, ParmComponent[]>;

export function parseParms(text: string): ParmTable {
  const parms: ParmTable = new Map();
  const s = new Scanner(text);
  while (!s.done()) {
    const name = s.token();
    if (name === undefined) break;
    if (name.quoted || name.text === '{' || name.text === '}' || name.text === 'version') {
      if (name.text === 'version') s.skipLine();
      continue;
    }
    const open = s.token();
    if (open?.text !== '[' || open.quoted) {
      s.skipLine();
      continue;
    }
    if (!s.skipPast(']')) break;
    const paren = s.token();
    if (paren?.text !== '(' || paren.quoted) {
      s.skipLine();
      continue;
    }
    const values = readComponents(s);
    if (values === undefined) break;
    parms.set(name.text, values);
  }
  return parms;
}

function readComponents(s: Scanner): ParmComponent[] | undefined {
  const values: ParmComponent[] = [];
  for (;;) {
    const t = s.token();
    if (t === undefined) return undefined;
    if (!t.quoted && t.text === ')') return values;
    if (!t.quoted && t.text === '[') {
      const channel = s.token();
      if (channel === undefined) return undefined;
      const cached = s.token();
      if (cached === undefined) return undefined;
      // An empty cached string may be written as `[ name ]`.
      if (!cached.quoted && cached.text === ']') {
        values.push({ kind: 'channel', channel: channel.text, cached: '' });
        continue;
      }
      const close = s.token();
      if (close === undefined) return undefined;
      if (close.quoted || close.text !== ']') {
        // Not the layout we know; keep what we have and resync on the closing bracket.
        if (!s.skipPast(']')) return undefined;
      }
      values.push({ kind: 'channel', channel: channel.text, cached: cached.text });
      continue;
    }
    values.push({ kind: 'literal', text: t.text });
  }
}
