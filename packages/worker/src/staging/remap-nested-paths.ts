/**
 * Absolute paths written inside the files a scene reaches through other files
 * (a USD text layer's `@D:/assets/tex.png@`, an Arnold stand-in's
 * `filename "//srv/proj/tex.tx"`, a V-Ray scene's `file="/Volumes/…"`) are
 * read by the renderer's own file loader, not by the DCC whose remapping the
 * adapter sets up: Maya's `dirmap` is documented for the paths Maya resolves,
 * not for USD's asset resolver or Arnold's procedural loader, and OpenUSD's
 * default resolver opens an absolute path as written, with no path map. Every such file was staged at its server path like any input
 * (`D:\assets\tex.png` → `<root>/D/assets/tex.png`), so the one remapping that
 * works for every renderer is to rewrite the staged copies of the text formats
 * so that their absolute paths name the staged tree, with the same directory
 * maps the adapters hand to the DCCs (path-map.ts).
 *
 * The staged files are hard links into the content cache: a rewritten copy is
 * written beside the link and renamed over it, so the cached bytes (and every
 * other render using them) are untouched. Files are rewritten in a stream of
 * chunks cut at line ends, byte for byte, so a multi-gigabyte `.ass` costs no
 * memory beyond its longest line. USD crates and USDZ packages are rewritten
 * through the analyzers' crate and USDZ writers (remap-usd-binary.ts); Alembic
 * archives and Redshift proxies are not rewritten.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { type PathMapEntry, stagedPathMaps } from '../renderers/path-map.js';
import { type BinaryRemapContext, remapStagedCrate, remapStagedUsdz } from './remap-usd-binary.js';

/** What a text format holds its paths in: delimited values, and for some, bare tokens. */
interface TextFormat {
  /** `@path@` asset paths (USD). */
  readonly at: boolean;
  /** Bare tokens (`search_path: /a:/b`, `xgDataPath D:/x;${PROJECT}/y`) besides quoted strings. */
  readonly bare: boolean;
  readonly gzip: boolean;
}

const FORMATS: ReadonlyArray<readonly [string, TextFormat]> = [
  ['.usda', { at: true, bare: false, gzip: false }],
  ['.usd', { at: true, bare: false, gzip: false }], // only when it is a text layer (checked)
  ['.ass.gz', { at: false, bare: false, gzip: true }],
  ['.ass', { at: false, bare: false, gzip: false }],
  ['.vrscene.gz', { at: false, bare: false, gzip: true }],
  ['.vrscene', { at: false, bare: false, gzip: false }],
  ['.mtlx', { at: false, bare: false, gzip: false }],
  ['.ocio', { at: false, bare: true, gzip: false }],
  ['.xgen', { at: false, bare: true, gzip: false }],
];

/** The text format of a staged file by its name, or `undefined` for one that is not rewritten. */
export function textFormatOf(path: string): TextFormat | undefined {
  const name = basename(path).toLowerCase();
  return FORMATS.find(([ext]) => name.endsWith(ext))?.[1];
}

// Characters the staged tree's folder may not hold: they would end or escape the value a path
// sits in (the rest of a path is the author's, already valid where it is written), or, outside
// ASCII, not survive the byte-for-byte (latin1) reading and writing of the file.
const UNSAFE = /["'@<>&\\\n\r]|[^\x20-\x7e]/;

/** A value under a staged root: where it goes, or why it stays as written. */
export type RemapOutcome = { readonly to: string } | { readonly to?: undefined; readonly why: string };

/**
 * One value as the renderer would read it, rewritten by `maps` when it is an
 * absolute path of the artist's machine; `undefined` when it is not one, or
 * when it cannot be pointed into the staged tree (see {@link remapOutcome}).
 * Backslashes (single, or doubled by a format's string escapes) become
 * slashes; a leading pair stays the UNC `//`.
 */
export function remapValue(value: string, maps: readonly PathMapEntry[]): string | undefined {
  return remapOutcome(value, maps)?.to;
}

/**
 * What {@link remapValue} does with `value`, with the reason when a value
 * under a staged root is left as written; `undefined` for a value under none.
 */
export function remapOutcome(value: string, maps: readonly PathMapEntry[]): RemapOutcome | undefined {
  const p = value.replace(/^[\\/]{2,}(?=[^\\/])/, '//').replace(/\\+/g, '/');
  for (const m of maps) {
    if (!p.startsWith(m.from)) continue;
    const rest = p.slice(m.from.length);
    if (UNSAFE.test(m.to))
      return { why: `the staging folder ${m.to} holds characters a file's path value cannot` };
    if (climbsOut(rest)) return { why: 'its ".." would climb out of the staged tree' };
    return { to: m.to + rest };
  }
  return undefined;
}

/**
 * Whether `..` segments take `rest` above the folder it is joined to. On the artist's machine
 * `D:/../x` is `D:/x`, but joined to the staged tree it would name a file outside it (the
 * node's own files); such a value is left as written rather than pointed there.
 */
function climbsOut(rest: string): boolean {
  let depth = 0;
  for (const part of rest.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

// A colon that separates list entries (OCIO search_path), not a drive letter's.
const LIST_COLON = /(?<!(?:^|[:;])[A-Za-z]):(?=[\\/]|[A-Za-z]:)/;
const QUOTED = /"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'/g;
const AT = /@([^@\n]+)@/g;
const BARE = /(^|[\s[,=])((?:[A-Za-z]:[\\/]|[\\/])[^\s"'\],;]*)/g;

/** Lines of `format` (one or several whole lines) with their absolute paths remapped. */
export function remapLine(line: string, format: TextFormat, maps: readonly PathMapEntry[]): string {
  let out = line.replace(QUOTED, (whole, dq: string | undefined, sq: string | undefined) => {
    const mapped = remapValue(dq ?? sq ?? '', maps);
    if (mapped === undefined) return whole;
    return dq !== undefined ? `"${mapped}"` : `'${mapped}'`;
  });
  if (format.at)
    out = out.replace(AT, (whole, v: string) => {
      const mapped = remapValue(v, maps);
      return mapped === undefined ? whole : `@${mapped}@`;
    });
  if (format.bare) {
    out = out.replace(BARE, (whole, lead: string, token: string) => {
      const parts = token.split(LIST_COLON);
      let changed = false;
      const mapped = parts.map((part) => {
        const m = remapValue(part, maps);
        if (m === undefined) return part;
        changed = true;
        return m;
      });
      return changed ? lead + mapped.join(':') : whole;
    });
  }
  return out;
}

/** The first 8 bytes of a file, as latin1 text: `#usda 1.` for a text layer, `PXR-USDC` for a crate. */
async function headOf(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    return head.subarray(0, bytesRead).toString('latin1');
  } finally {
    await fh.close();
  }
}

/** Binary USD files rewritten through the crate and USDZ writers (remap-usd-binary.ts). */
const BINARY_USD = /\.(usdc|usdz|usd)$/i;

export interface RemapOptions {
  /** Lines for the frame log: what was left as written, and why. */
  readonly log?: (line: string) => void;
  /** How the file is named in those lines (its server path); the local path by default. */
  readonly label?: string;
}

/**
 * Rewrite one staged file in place (by rename) when it holds absolute paths
 * `maps` covers. Returns whether it was rewritten.
 */
export async function remapStagedFile(
  path: string,
  maps: readonly PathMapEntry[],
  options: RemapOptions = {},
): Promise<boolean> {
  if (maps.length === 0) return false;
  const lower = path.toLowerCase();
  if (BINARY_USD.test(lower)) {
    const head = lower.endsWith('.usdz') ? 'PK' : await headOf(path);
    if (head.startsWith('PXR-USDC') || head.startsWith('PK')) {
      const ctx = binaryContext(path, maps, options);
      return head.startsWith('PK') ? remapStagedUsdz(path, ctx) : remapStagedCrate(path, ctx);
    }
    if (!head.startsWith('#usda ')) return false;
  }
  const format = textFormatOf(path);
  if (format === undefined) return false;
  const tmp = `${path}.openfarm-remap-${process.pid}-${randomBytes(4).toString('hex')}`;
  let changed = false;
  // Chunks are cut at their last line end: no value the patterns match spans a line, so a
  // chunk is remapped as its lines would be one by one, at a fraction of the cost.
  const remap = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let carry = '';
    const out = (text: string): Buffer => {
      const mapped = remapLine(text, format, maps);
      if (mapped !== text) changed = true;
      // latin1 maps each byte to one character and back: bytes that are not UTF-8 (a Latin-1
      // comment, a Shift-JIS path) come out as they went in.
      return Buffer.from(mapped, 'latin1');
    };
    for await (const chunk of chunks) {
      const text = carry + (chunk as Buffer).toString('latin1');
      const end = text.lastIndexOf('\n') + 1;
      carry = text.slice(end);
      if (end > 0) yield out(text.slice(0, end));
    }
    if (carry !== '') yield out(carry);
  };
  try {
    const source = createReadStream(path, { highWaterMark: 1 << 20 });
    if (format.gzip) await pipeline(source, createGunzip(), remap, createGzip(), createWriteStream(tmp));
    else await pipeline(source, remap, createWriteStream(tmp));
    if (!changed) {
      await rm(tmp, { force: true });
      return false;
    }
    // rename replaces the hard link, never the cached file it points to.
    await rename(tmp, path);
    return true;
  } catch (err) {
    await rm(tmp, { force: true });
    // A damaged compressed stand-in is the renderer's to report, as it would be without the rewrite.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) return false;
    throw err;
  }
}

/** What the crate and USDZ writers need: the token map (which logs refusals), the text remap, the log. */
function binaryContext(
  path: string,
  maps: readonly PathMapEntry[],
  options: RemapOptions,
): BinaryRemapContext {
  const label = options.label ?? path;
  const log = options.log ?? (() => {});
  const usda = textFormatOf('.usda')!;
  return {
    label,
    log,
    remapText: (text) => remapLine(text, usda, maps),
    mapToken: (token) => {
      const outcome = remapOutcome(token, maps);
      if (outcome?.to === undefined && outcome !== undefined)
        log(`[openfarm] ${label}: absolute path "${token}" left as written: ${outcome.why}`);
      return outcome?.to;
    },
  };
}

/** Whether a staged file is one the rewrite looks into (by name; `.usd` is checked by content). */
function mayHoldPaths(path: string): boolean {
  return textFormatOf(path) !== undefined || BINARY_USD.test(path);
}

/**
 * Remap the absolute paths inside every staged USD layer (text, crate, USDZ),
 * stand-in, V-Ray scene (plain or gzip), MaterialX document, OCIO config and
 * XGen collection among `staged` to the staged tree at `stagingRoot`. What
 * cannot be rewritten is said through `log`. Returns the files rewritten.
 */
export async function remapNestedPaths(
  staged: readonly string[],
  stagingRoot: string,
  log?: (line: string) => void,
): Promise<string[]> {
  const maps = stagedPathMaps(stagingRoot);
  const done: string[] = [];
  for (const path of new Set(staged)) {
    if (!mayHoldPaths(path)) continue;
    const label = `/${relative(stagingRoot, path).split(sep).join('/')}`;
    if (await remapStagedFile(path, maps, { log, label })) done.push(path);
  }
  return done;
}
