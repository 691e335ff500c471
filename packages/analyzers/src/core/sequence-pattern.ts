/**
 * File-name tokens that stand for many files on disk (frame numbers, UDIM
 * tiles) and their conversion to a regular expression over a directory's
 * entries. Only the file name may hold tokens; a token in a folder name is
 * not expanded (it would need a recursive scan of unbounded size).
 */

/** One token grammar: the pattern found in a name and the digits it stands for. */
interface TokenRule {
  readonly find: RegExp;
  readonly digits: (match: RegExpExecArray) => string;
}

const TOKEN_RULES: readonly TokenRule[] = [
  // Mari / Maya / Blender / Houdini tile tokens.
  { find: /<UDIM>/iy, digits: () => '\\d{4}' },
  { find: /<UVTILE>/iy, digits: () => 'u\\d+_v\\d+' },
  // USD's 0- and 1-based tile tokens (`u0_v0` / `u1_v1`).
  { find: /<UVTILE[01]>/iy, digits: () => 'u\\d+_v\\d+' },
  { find: /<[UV]>/iy, digits: () => '\\d+' },
  // Maya / Arnold frame tokens <f>, <frame>, <f4>.
  { find: /<(?:f|frame)(\d*)>/iy, digits: () => '-?\\d+' },
  // Houdini frame variables: $F, $F4, ${F4}, $FF (float frame), $SF (sim frame); not $FSTART.
  { find: /\$\{(?:FF|SF|F)\d*\}/y, digits: () => '-?[\\d.]+' },
  { find: /\$(?:FF|SF|F)\d*(?![A-Za-z_])/y, digits: () => '-?[\\d.]+' },
  // printf padding: %04d, %d.
  { find: /%0?\d*d/y, digits: () => '-?\\d+' },
  // Hash padding: #### is at least four digits (frame 10000 has five).
  { find: /#+/y, digits: (m) => `-?\\d{${m[0].length},}` },
  // Glob wildcards (Houdini TOP file patterns, `*.bgeo.sc`): any run of characters, any one character.
  { find: /\*/y, digits: () => '.*' },
  { find: /\?/y, digits: () => '.' },
];

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/**
 * The regular expression matching every file a tokenized file name stands
 * for, or undefined when the name holds no token.
 */
export function fileNamePattern(name: string): RegExp | undefined {
  let source = '';
  let tokens = 0;
  let i = 0;
  outer: while (i < name.length) {
    for (const rule of TOKEN_RULES) {
      rule.find.lastIndex = i;
      const m = rule.find.exec(name);
      if (m !== null) {
        source += rule.digits(m);
        tokens++;
        i += m[0].length;
        continue outer;
      }
    }
    const ch = name[i]!;
    source += REGEX_SPECIAL.test(ch) ? `\\${ch}` : ch;
    i++;
  }
  return tokens === 0 ? undefined : new RegExp(`^${source}$`);
}

/** True when the text contains any sequence or tile token. */
export function hasSequenceToken(text: string): boolean {
  return fileNamePattern(text) !== undefined;
}

/** How a reader knows a plain file name is really one member of a set. */
export type SequenceHint =
  /** A UDIM texture saved as one tile (Maya `uvTilingMode 3`): `x_1001.png` → `x_<UDIM>.png`. */
  | 'udim'
  /** A frame sequence saved as one frame (Maya `useFrameExtension`): `x.0012.exr` → `x.####.exr`. */
  | 'frames';

/**
 * Rewrite a literal member name into its token form. A name that already has
 * a token, or has no number where the hint expects one, is returned unchanged.
 */
export function applySequenceHint(path: string, hint: SequenceHint): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  if (hasSequenceToken(name)) return path;
  if (hint === 'udim') {
    // The last stand-alone four-digit tile number 1001…1999 (Mari numbering).
    const m = [...name.matchAll(/(?<!\d)1\d{3}(?!\d)/g)].at(-1);
    if (m === undefined) return path;
    return dir + name.slice(0, m.index) + '<UDIM>' + name.slice(m.index + 4);
  }
  // The last digit group before the extension.
  const m = /(\d+)(?=\D*$)/.exec(name);
  if (m === null) return path;
  return dir + name.slice(0, m.index) + '#'.repeat(m[1]!.length) + name.slice(m.index + m[1]!.length);
}
