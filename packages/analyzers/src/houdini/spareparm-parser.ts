import { Scanner } from './hscript-tokens.js';

/**
 * `.spareparmdef` holds the templates of a node's spare parameters. Built-in
 * nodes carry no type information in the file, but spare parms do: a parm
 * whose template says `type file` (or `image`, `geometry`) holds a path.
 */
const FILE_TYPES = new Set(['file', 'image', 'geometry', 'picture']);

export function fileTypedSpareParms(text: string): Set<string> {
  const names = new Set<string>();
  const s = new Scanner(text);
  let prev: string | undefined;
  for (;;) {
    const t = s.token();
    if (t === undefined) break;
    if (!t.quoted && t.text === '{' && prev === 'parm') readParmTemplate(s, names);
    prev = t.quoted ? undefined : t.text;
  }
  return names;
}

/** Reads one `parm { … }` template (nested braces skipped) and records it when file-typed. */
function readParmTemplate(s: Scanner, names: Set<string>): void {
  let depth = 1;
  let name: string | undefined;
  let type: string | undefined;
  while (depth > 0) {
    const t = s.token();
    if (t === undefined) break;
    if (!t.quoted && t.text === '{') depth++;
    else if (!t.quoted && t.text === '}') depth--;
    else if (depth === 1 && !t.quoted && (t.text === 'name' || t.text === 'type')) {
      const v = s.token();
      if (v === undefined) break;
      if (t.text === 'name') name = v.text;
      else type = v.text;
    }
  }
  if (name !== undefined && type !== undefined && FILE_TYPES.has(type)) names.add(name);
}
