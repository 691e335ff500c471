import { AnalyzeError } from '../core/errors.js';
import { type ByteSource, LeReader } from './byte-source.js';
import { decompressFast } from './fast-compression.js';
import { decodeCompressedInts } from './integer-coding.js';

/**
 * The structural tables of a USD crate (`.usdc`) file, read as USD's
 * crateFile.cpp lays them out: an 88-byte bootstrap (`PXR-USDC`, version
 * major/minor/patch, table-of-contents offset), the table of contents
 * (named sections with start and size), then TOKENS (LZ4-compressed
 * NUL-separated text), STRINGS (token indices), FIELDS (token index + 64-bit
 * value representation), FIELDSETS (field indices, each set ended by ~0),
 * PATHS (a tree flattened into path, element-token and jump arrays) and
 * SPECS (path, field set, spec type). From crate 0.4.0 (USD 0.8.x, 2017)
 * the tokens are LZ4-compressed and the integer tables use USD's integer
 * compression with the path tree flattened into arrays; older files store
 * plain struct arrays and a tree of path headers, 0.0.1 with padded structs.
 */
export interface CrateVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** A field's value representation: type, flags and 48-bit payload. */
export interface ValueRep {
  readonly type: number;
  readonly isArray: boolean;
  readonly isInlined: boolean;
  readonly isCompressed: boolean;
  readonly payload: number;
}

export interface CrateField {
  readonly name: string;
  readonly rep: ValueRep;
}

export interface CrateSpec {
  readonly path: string;
  readonly fieldSet: number;
  readonly specType: number;
}

export interface CrateTables {
  readonly version: CrateVersion;
  readonly tokens: readonly string[];
  /** String index → token index. */
  readonly strings: Uint32Array;
  readonly fields: readonly CrateField[];
  readonly fieldSets: Int32Array;
  readonly paths: readonly string[];
  readonly specs: readonly CrateSpec[];
}

export interface CrateLimits {
  /** Largest structural section read into memory. */
  readonly maxSectionBytes: number;
  /** Most entries in any one table. */
  readonly maxTableEntries: number;
  /**
   * Most characters in all path names together. A path's text repeats its
   * parent's, so a small file whose path tree is one long chain names paths
   * whose total length grows with the square of their number.
   */
  readonly maxPathChars: number;
}

export const DEFAULT_CRATE_LIMITS: CrateLimits = Object.freeze({
  maxSectionBytes: 512 * 1024 * 1024,
  maxTableEntries: 16_000_000,
  maxPathChars: 256 * 1024 * 1024,
});

export const CRATE_MAGIC = 'PXR-USDC';
const BOOTSTRAP_SIZE = 88;

export function isCrate(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== CRATE_MAGIC.charCodeAt(i)) return false;
  return true;
}

export function versionAtLeast(v: CrateVersion, minor: number, patch = 0): boolean {
  return v.major > 0 || v.minor > minor || (v.minor === minor && v.patch >= patch);
}

export function decodeValueRep(lo: number, hi: number): ValueRep {
  return {
    isArray: (hi & 0x80000000) !== 0,
    isInlined: (hi & 0x40000000) !== 0,
    isCompressed: (hi & 0x20000000) !== 0,
    type: (hi >>> 16) & 0xff,
    payload: (hi & 0xffff) * 0x100000000 + lo,
  };
}

/** One entry of a crate's table of contents. */
export interface CrateSection {
  readonly name: string;
  readonly start: number;
  readonly size: number;
}

/** A crate's bootstrap and table of contents. */
export interface CrateToc {
  readonly version: CrateVersion;
  /** Where the table of contents starts (the bootstrap's u64 at byte 16). */
  readonly tocOffset: number;
  /** The sections in the order the table of contents lists them. */
  readonly sections: readonly CrateSection[];
}

/** Byte offset of the bootstrap's table-of-contents offset (u64 little-endian). */
export const TOC_OFFSET_AT = 16;

/** Read and check a crate's bootstrap and table of contents. */
export function readCrateToc(source: ByteSource, limits: CrateLimits = DEFAULT_CRATE_LIMITS): CrateToc {
  const name = source.name;
  if (source.size < BOOTSTRAP_SIZE)
    throw new AnalyzeError('TRUNCATED', 'crate file shorter than its header', name);
  const boot = new LeReader(source.read(0, BOOTSTRAP_SIZE), name);
  if (!isCrate(boot.bytes))
    throw new AnalyzeError('WRONG_FORMAT', 'not a USD crate file (no PXR-USDC)', name);
  boot.pos = 8;
  const version = { major: boot.u8(), minor: boot.u8(), patch: boot.u8() };
  if (version.major !== 0 || (version.minor === 0 && version.patch === 0)) {
    throw new AnalyzeError(
      'WRONG_FORMAT',
      `crate version ${version.major}.${version.minor}.${version.patch} is not read (0.0.1 to 0.x)`,
      name,
    );
  }
  boot.pos = TOC_OFFSET_AT;
  const tocOffset = boot.u64();
  if (tocOffset + 8 > source.size) {
    throw new AnalyzeError(
      'TRUNCATED',
      `table of contents at ${tocOffset}, file has ${source.size} bytes`,
      name,
    );
  }
  const toc = new LeReader(source.read(tocOffset, 8), name);
  const sectionCount = toc.u64();
  if (sectionCount > 64)
    throw new AnalyzeError('CORRUPT', `${sectionCount} sections in the table of contents`, name);
  const sectionBytes = new LeReader(source.read(tocOffset + 8, sectionCount * 32), name);
  const sections: CrateSection[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const raw = sectionBytes.take(16);
    const end = raw.indexOf(0);
    const sectionName = new TextDecoder('latin1').decode(raw.subarray(0, end < 0 ? 16 : end));
    const start = sectionBytes.i64();
    const size = sectionBytes.i64();
    if (start < 0 || size < 0 || start + size > source.size) {
      throw new AnalyzeError('CORRUPT', `section ${sectionName} outside the file`, name);
    }
    if (size > limits.maxSectionBytes) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `section ${sectionName} of ${size} bytes`, name);
    }
    sections.push({ name: sectionName, start, size });
  }
  return { version, tocOffset, sections };
}

/**
 * The raw token text of a crate: the TOKENS section's count and its
 * NUL-terminated characters (decompressed from 0.4.0), bytes as stored.
 */
export function readCrateTokenBytes(
  source: ByteSource,
  toc: CrateToc,
  limits: CrateLimits = DEFAULT_CRATE_LIMITS,
): { count: number; chars: Uint8Array } {
  const name = source.name;
  // The last entry of a name counts, as it does for the other sections.
  const s = [...toc.sections].reverse().find((x) => x.name === 'TOKENS');
  if (s === undefined) return { count: 0, chars: new Uint8Array(0) };
  const r = new LeReader(source.read(s.start, s.size), name);
  const count = r.u64();
  if (count > limits.maxTableEntries) throw new AnalyzeError('LIMIT_EXCEEDED', `${count} tokens`, name);
  const legacy = toc.version.minor < 4;
  const uncompressed = r.u64();
  const compressed = legacy ? uncompressed : r.u64();
  if (uncompressed > limits.maxSectionBytes || count > uncompressed) {
    throw new AnalyzeError('CORRUPT', `${count} tokens in ${uncompressed} bytes`, name);
  }
  const chars =
    uncompressed === 0
      ? new Uint8Array(0)
      : legacy
        ? r.take(uncompressed)
        : decompressFast(r.take(compressed), uncompressed, true, name);
  return { count, chars };
}

export function readCrateTables(source: ByteSource, limits: CrateLimits = DEFAULT_CRATE_LIMITS): CrateTables {
  const name = source.name;
  const toc = readCrateToc(source, limits);
  const { version } = toc;
  // Before 0.4.0 the tables are plain arrays of structs; the very first files (0.0.1) pad
  // some of those structs with 4 leading bytes.
  const legacy = version.minor < 4;
  const padded = version.minor === 0;
  const sections = new Map(toc.sections.map((s) => [s.name, s]));
  const section = (sectionName: string): LeReader | undefined => {
    const s = sections.get(sectionName);
    return s === undefined ? undefined : new LeReader(source.read(s.start, s.size), name);
  };
  const count = (r: LeReader, what: string): number => {
    const n = r.u64();
    if (n > limits.maxTableEntries) throw new AnalyzeError('LIMIT_EXCEEDED', `${n} ${what}`, name);
    return n;
  };
  const ints = (r: LeReader, n: number): Int32Array => {
    if (n === 0) return new Int32Array(0);
    const size = r.u64();
    return decodeCompressedInts(r.take(size), n, name);
  };

  const tokens: string[] = [];
  const tokenBytes = readCrateTokenBytes(source, toc, limits);
  const n = tokenBytes.count;
  // One decode of the whole table, then a split: far cheaper than a decode per token.
  const all = new TextDecoder('utf-8').decode(tokenBytes.chars);
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (p > all.length)
      throw new AnalyzeError('CORRUPT', `tokens section holds fewer than ${n} tokens`, name);
    let end = all.indexOf('\u0000', p);
    if (end < 0) end = all.length;
    tokens.push(all.slice(p, end));
    p = end + 1;
  }
  const token = (i: number, what: string): string => {
    const t = tokens[i];
    if (t === undefined)
      throw new AnalyzeError('CORRUPT', `${what} names token ${i} of ${tokens.length}`, name);
    return t;
  };

  let strings: Uint32Array = new Uint32Array(0);
  const stringSection = section('STRINGS');
  if (stringSection !== undefined) {
    const n = count(stringSection, 'strings');
    if (n * 4 > stringSection.bytes.length - 8) throw new AnalyzeError('TRUNCATED', `${n} strings`, name);
    strings = new Uint32Array(n);
    for (let i = 0; i < n; i++) strings[i] = stringSection.u32();
  }

  const fields: CrateField[] = [];
  const fieldSection = section('FIELDS');
  if (fieldSection !== undefined) {
    const n = count(fieldSection, 'fields');
    if (legacy) {
      if (n * 16 > fieldSection.bytes.length - 8) throw new AnalyzeError('TRUNCATED', `${n} fields`, name);
      for (let i = 0; i < n; i++) {
        fieldSection.skip(4);
        const tokenIndex = fieldSection.u32();
        const lo = fieldSection.u32();
        const hi = fieldSection.u32();
        fields.push({ name: token(tokenIndex, 'a field'), rep: decodeValueRep(lo, hi) });
      }
    }
    const names = legacy ? new Int32Array(0) : ints(fieldSection, n);
    if (n > 0 && !legacy) {
      const repsSize = fieldSection.u64();
      const reps = decompressFast(fieldSection.take(repsSize), n * 8, true, name);
      const view = new DataView(reps.buffer, reps.byteOffset, reps.byteLength);
      for (let i = 0; i < n; i++) {
        fields.push({
          name: token(names[i]!, 'a field'),
          rep: decodeValueRep(view.getUint32(i * 8, true), view.getUint32(i * 8 + 4, true)),
        });
      }
    }
  }

  let fieldSets: Int32Array = new Int32Array(0);
  const fieldSetSection = section('FIELDSETS');
  if (fieldSetSection !== undefined) {
    const n = count(fieldSetSection, 'field sets');
    if (legacy) {
      if (n * 4 > fieldSetSection.bytes.length - 8)
        throw new AnalyzeError('TRUNCATED', `${n} field sets`, name);
      fieldSets = new Int32Array(n);
      for (let i = 0; i < n; i++) fieldSets[i] = fieldSetSection.i32();
    } else fieldSets = ints(fieldSetSection, n);
  }

  let paths: string[] = [];
  const pathSection = section('PATHS');
  if (pathSection !== undefined && legacy) {
    const total = count(pathSection, 'paths');
    if (total * 12 > pathSection.bytes.length) throw new AnalyzeError('TRUNCATED', `${total} paths`, name);
    const start = sections.get('PATHS')!.start;
    paths = buildLegacyPaths(pathSection, start, total, padded, (i) => token(i, 'a path'), limits, name);
  } else if (pathSection !== undefined) {
    const total = count(pathSection, 'paths');
    const n = count(pathSection, 'path entries');
    // USD's table has about one slot per encoded entry (a few unused); far more is not a crate USD
    // wrote, and would only make a small file allocate a large table.
    if (total > 2 * n + 1024) throw new AnalyzeError('CORRUPT', `${total} paths from ${n} entries`, name);
    const pathIndexes = ints(pathSection, n);
    const elements = ints(pathSection, n);
    const jumps = ints(pathSection, n);
    paths = buildPaths(total, pathIndexes, elements, jumps, (i) => token(i, 'a path'), limits, name);
  }

  const specs: CrateSpec[] = [];
  const specSection = section('SPECS');
  if (specSection !== undefined) {
    const n = count(specSection, 'specs');
    let pathIndexes: Int32Array;
    let fieldSetIndexes: Int32Array;
    let types: Int32Array;
    if (legacy) {
      const size = padded ? 16 : 12;
      if (n * size > specSection.bytes.length - 8) throw new AnalyzeError('TRUNCATED', `${n} specs`, name);
      pathIndexes = new Int32Array(n);
      fieldSetIndexes = new Int32Array(n);
      types = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (padded) specSection.skip(4);
        pathIndexes[i] = specSection.i32();
        fieldSetIndexes[i] = specSection.i32();
        types[i] = specSection.i32();
      }
    } else {
      pathIndexes = ints(specSection, n);
      fieldSetIndexes = ints(specSection, n);
      types = ints(specSection, n);
    }
    for (let i = 0; i < n; i++) {
      const path = paths[pathIndexes[i]!];
      if (path === undefined)
        throw new AnalyzeError('CORRUPT', `spec ${i} names path ${pathIndexes[i]}`, name);
      specs.push({ path, fieldSet: fieldSetIndexes[i]!, specType: types[i]! });
    }
  }
  return { version, tokens, strings, fields, fieldSets, paths, specs };
}

/**
 * Rebuild path strings from the flattened tree. Each entry is a child of the
 * current parent; jump > 0 means a child follows and a sibling sits `jump`
 * entries ahead, -1 a child only, 0 a sibling only, -2 neither. USD recurses
 * for siblings; this keeps an explicit stack so a hostile file cannot
 * exhaust the call stack.
 */
function buildPaths(
  total: number,
  pathIndexes: Int32Array,
  elements: Int32Array,
  jumps: Int32Array,
  token: (i: number) => string,
  limits: CrateLimits,
  name: string | undefined,
): string[] {
  const paths = new Array<string>(total).fill('');
  const chars = pathCharsBudget(limits, name);
  const n = pathIndexes.length;
  if (n === 0) return paths;
  const pending: { index: number; parent: string | undefined }[] = [{ index: 0, parent: undefined }];
  let steps = 0;
  while (pending.length > 0) {
    let { index, parent } = pending.pop()!;
    for (;;) {
      if (index < 0 || index >= n) throw new AnalyzeError('CORRUPT', `path entry ${index} of ${n}`, name);
      if (++steps > n) throw new AnalyzeError('CORRUPT', 'path tree visits an entry twice', name);
      const target = pathIndexes[index]!;
      if (target < 0 || target >= total)
        throw new AnalyzeError('CORRUPT', `path index ${target} of ${total}`, name);
      let path: string;
      if (parent === undefined) {
        // The first entry is the root; USD then treats the root as the current parent.
        path = '/';
        parent = '/';
      } else {
        const element = elements[index]!;
        const text = token(Math.abs(element));
        if (element < 0) path = `${parent}.${text}`;
        else if (text.startsWith('{')) path = `${parent}${text}`;
        else path = parent === '/' ? `/${text}` : `${parent}/${text}`;
      }
      chars(path);
      paths[target] = path;
      const jump = jumps[index]!;
      const hasChild = jump > 0 || jump === -1;
      const hasSibling = jump >= 0;
      if (hasChild) {
        if (hasSibling) pending.push({ index: index + jump, parent });
        parent = path;
        index++;
      } else if (hasSibling) {
        index++;
      } else break;
    }
  }
  return paths;
}

/**
 * Paths of crates before 0.4.0: a tree of headers (path index, element token,
 * bits: has child, has sibling, is a property), each header with both a child
 * and a sibling followed by the sibling's absolute file offset. The child
 * follows directly; siblings are kept on an explicit stack.
 */
function buildLegacyPaths(
  section: LeReader,
  sectionStart: number,
  total: number,
  padded: boolean,
  token: (i: number) => string,
  limits: CrateLimits,
  name: string | undefined,
): string[] {
  const paths = new Array<string>(total).fill('');
  const chars = pathCharsBudget(limits, name);
  const headerSize = padded ? 16 : 12;
  const pending: { pos: number; parent: string | undefined }[] = [{ pos: section.pos, parent: undefined }];
  let steps = 0;
  while (pending.length > 0) {
    let { pos, parent } = pending.pop()!;
    for (;;) {
      if (++steps > total)
        throw new AnalyzeError('CORRUPT', 'path tree visits more entries than paths', name);
      section.pos = pos;
      if (padded) section.skip(4);
      const index = section.u32();
      const element = section.u32();
      const bits = section.u8();
      section.pos = pos + headerSize;
      if (index >= total) throw new AnalyzeError('CORRUPT', `path index ${index} of ${total}`, name);
      let path: string;
      if (parent === undefined) {
        path = '/';
        parent = '/';
      } else {
        const text = token(element);
        if ((bits & 4) !== 0) path = `${parent}.${text}`;
        else if (text.startsWith('{')) path = `${parent}${text}`;
        else path = parent === '/' ? `/${text}` : `${parent}/${text}`;
      }
      chars(path);
      paths[index] = path;
      const hasChild = (bits & 1) !== 0;
      const hasSibling = (bits & 2) !== 0;
      if (hasChild) {
        if (hasSibling) {
          const sibling = section.i64() - sectionStart;
          if (sibling < 0 || sibling >= section.bytes.length) {
            throw new AnalyzeError('CORRUPT', `path sibling offset ${sibling + sectionStart}`, name);
          }
          pending.push({ pos: sibling, parent });
        }
        parent = path;
      } else if (!hasSibling) break;
      pos = section.pos;
    }
  }
  return paths;
}

/**
 * Counts the characters of the path names built; refuses the file past
 * `limits.maxPathChars`. A name built from its parent's is not copied until
 * read, so the count is what reading them all would cost.
 */
function pathCharsBudget(limits: CrateLimits, name: string | undefined): (path: string) => void {
  let total = 0;
  return (path) => {
    total += path.length;
    if (total > limits.maxPathChars) {
      throw new AnalyzeError(
        'LIMIT_EXCEEDED',
        `path names longer than ${limits.maxPathChars} characters in all`,
        name,
      );
    }
  };
}
