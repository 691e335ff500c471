/**
 * A crate (`.usdc`) with some tokens replaced, written without a USD
 * library. Every text a crate holds — asset-path values (a token index),
 * strings (a STRINGS entry, itself a token index), field names and path
 * elements — lives once in the TOKENS section, and everything else names it
 * by index. So replacing a token's text needs only a new TOKENS section
 * with the same number of tokens: it is appended after the file's last
 * byte, followed by a copy of the table of contents pointing at it, and the
 * bootstrap's table-of-contents offset is updated. Every other byte keeps its
 * offset (values, arrays read in place, the other sections), and the old
 * token bytes stay in the file unused. The result is read back with
 * {@link readCrateTables} before it is handed out: the tokens must be the
 * mapped ones and every other table exactly the original's.
 */
import { AnalyzeError } from '../core/errors.js';
import type { ByteSource } from './byte-source.js';
import { compressFast } from './lz4-compress.js';
import {
  type CrateLimits,
  type CrateSection,
  type CrateTables,
  DEFAULT_CRATE_LIMITS,
  readCrateTables,
  readCrateTokenBytes,
  readCrateToc,
  TOC_OFFSET_AT,
} from './crate-tables.js';

/**
 * Crate versions whose TOKENS layout is known and written here: 0.0.1 to
 * 0.3.x store the characters plain, 0.4.0 onwards LZ4-compressed behind
 * their compressed size, through 0.11.0 (OpenUSD 24.08's crateFile.cpp, the
 * newest read for this). A newer version is left alone: its layout has not
 * been seen.
 */
export const NEWEST_WRITABLE_CRATE_MINOR = 11;

export interface CrateTokenChange {
  readonly index: number;
  readonly from: string;
  readonly to: string;
}

export interface CrateTokenRewrite {
  /** Where {@link tail} goes: the original file's size. */
  readonly appendAt: number;
  /** The new TOKENS section and table of contents, each 8-byte aligned. */
  readonly tail: Uint8Array;
  /** The new value of the bootstrap's table-of-contents offset (u64 at byte 16). */
  readonly tocOffset: number;
  readonly changes: readonly CrateTokenChange[];
}

/** A token `map` would change but the crate cannot hold as asked, with why. */
export interface CrateTokenRefusal {
  readonly token: string;
  readonly reason: string;
}

/**
 * Plan the rewrite of the crate in `source` with every token `map` returns a
 * different text for. Returns `undefined` when no token changes. Throws an
 * AnalyzeError for a crate that cannot be read, a version that is not
 * written here (only when something would change), or a result that does
 * not read back as planned. Tokens whose bytes are not UTF-8, or whose new
 * text holds a NUL, are not changed; `refused` hears of each.
 */
export function planCrateTokenRewrite(
  source: ByteSource,
  map: (token: string) => string | undefined,
  refused?: (r: CrateTokenRefusal) => void,
  limits: CrateLimits = DEFAULT_CRATE_LIMITS,
): CrateTokenRewrite | undefined {
  const name = source.name;
  const toc = readCrateToc(source, limits);
  const { count, chars } = readCrateTokenBytes(source, toc, limits);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const encoder = new TextEncoder();
  const loose = new TextDecoder('utf-8');

  // Token i is chars[starts[i] .. ends[i]), each followed by a NUL.
  const pieces: Uint8Array[] = [];
  const changes: CrateTokenChange[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    let end = chars.indexOf(0, p);
    if (end < 0) end = chars.length;
    const raw = chars.subarray(p, end);
    const asRead = loose.decode(raw);
    const to = map(asRead);
    if (to !== undefined && to !== asRead) {
      let exact: string | undefined;
      try {
        exact = utf8.decode(raw);
      } catch {
        refused?.({ token: asRead, reason: 'its bytes are not UTF-8, so they cannot be rewritten as read' });
      }
      if (exact !== undefined && to.includes('\u0000'))
        refused?.({ token: asRead, reason: 'the new text holds a NUL, which ends a crate token' });
      else if (exact !== undefined) {
        changes.push({ index: i, from: asRead, to });
        pieces.push(encoder.encode(to));
        p = end + 1;
        continue;
      }
    }
    pieces.push(raw);
    p = end + 1;
  }
  if (changes.length === 0) return undefined;

  const { version } = toc;
  const v = `${version.major}.${version.minor}.${version.patch}`;
  if (version.major !== 0 || version.minor > NEWEST_WRITABLE_CRATE_MINOR) {
    throw new AnalyzeError(
      'WRONG_FORMAT',
      `crate version ${v} is not written (0.0.1 to 0.${NEWEST_WRITABLE_CRATE_MINOR}.x)`,
      name,
    );
  }
  let textSize = 0;
  for (const piece of pieces) textSize += piece.length + 1;
  if (textSize > limits.maxSectionBytes)
    throw new AnalyzeError('LIMIT_EXCEEDED', `a token table of ${textSize} bytes`, name);
  const text = new Uint8Array(textSize);
  let at = 0;
  for (const piece of pieces) {
    text.set(piece, at);
    at += piece.length + 1; // the NUL is already 0
  }

  const legacy = version.minor < 4;
  const body = legacy ? text : compressFast(text);
  const section = new Uint8Array(legacy ? 16 + body.length : 24 + body.length);
  const sv = new DataView(section.buffer);
  sv.setBigUint64(0, BigInt(count), true);
  sv.setBigUint64(8, BigInt(textSize), true);
  if (!legacy) sv.setBigUint64(16, BigInt(body.length), true);
  section.set(body, legacy ? 16 : 24);

  const appendAt = source.size;
  const tokensStart = align8(appendAt);
  const tocOffset = align8(tokensStart + section.length);
  const sections: CrateSection[] = toc.sections.map((s) =>
    s.name === 'TOKENS' ? { name: s.name, start: tokensStart, size: section.length } : s,
  );
  if (!sections.some((s) => s.name === 'TOKENS'))
    throw new AnalyzeError('CORRUPT', 'tokens named by no TOKENS section', name);
  const tocBytes = new Uint8Array(8 + sections.length * 32);
  const tv = new DataView(tocBytes.buffer);
  tv.setBigUint64(0, BigInt(sections.length), true);
  sections.forEach((s, i) => {
    const o = 8 + i * 32;
    tocBytes.set(encoder.encode(s.name).subarray(0, 16), o);
    tv.setBigInt64(o + 16, BigInt(s.start), true);
    tv.setBigInt64(o + 24, BigInt(s.size), true);
  });
  const tail = new Uint8Array(tocOffset + tocBytes.length - appendAt);
  tail.set(section, tokensStart - appendAt);
  tail.set(tocBytes, tocOffset - appendAt);
  const plan: CrateTokenRewrite = { appendAt, tail, tocOffset, changes };

  verifyRewrite(source, plan, limits);
  return plan;
}

/** The bytes of the rewritten crate, for a crate held in memory (a USDZ member). */
export function applyCrateTokenRewrite(bytes: Uint8Array, plan: CrateTokenRewrite): Uint8Array {
  const out = new Uint8Array(plan.appendAt + plan.tail.length);
  out.set(bytes.subarray(0, plan.appendAt));
  out.set(plan.tail, plan.appendAt);
  out.set(tocOffsetBytes(plan.tocOffset), TOC_OFFSET_AT);
  return out;
}

/** The 8 bytes that go at byte {@link TOC_OFFSET_AT} of the rewritten file. */
export function tocOffsetBytes(tocOffset: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(tocOffset), true);
  return b;
}

/** The rewritten file seen through the original: new header offset, appended tail. */
export function rewrittenSource(source: ByteSource, plan: CrateTokenRewrite): ByteSource {
  const header = tocOffsetBytes(plan.tocOffset);
  const size = plan.appendAt + plan.tail.length;
  return {
    size,
    name: source.name,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size)
        throw new AnalyzeError(
          'TRUNCATED',
          `${length} bytes at ${offset} past the end (${size})`,
          source.name,
        );
      const end = offset + length;
      if (end <= plan.appendAt && (end <= TOC_OFFSET_AT || offset >= TOC_OFFSET_AT + 8))
        return source.read(offset, length);
      if (offset >= plan.appendAt) return plan.tail.subarray(offset - plan.appendAt, end - plan.appendAt);
      const out = new Uint8Array(length);
      const inOld = Math.min(end, plan.appendAt) - offset;
      out.set(source.read(offset, inOld));
      if (end > plan.appendAt) out.set(plan.tail.subarray(0, end - plan.appendAt), inOld);
      for (let i = 0; i < 8; i++) {
        const at = TOC_OFFSET_AT + i - offset;
        if (at >= 0 && at < length) out[at] = header[i]!;
      }
      return out;
    },
  };
}

/**
 * Read the planned result with the crate reader and compare it with the
 * original: the changed tokens are the new texts, and every other token,
 * string, field, field set, path and spec is what it was.
 */
function verifyRewrite(source: ByteSource, plan: CrateTokenRewrite, limits: CrateLimits): void {
  const before = readCrateTables(source, limits);
  const after = readCrateTables(rewrittenSource(source, plan), limits);
  const expected = [...before.tokens];
  for (const c of plan.changes) expected[c.index] = c.to;
  const renamed = new Map(plan.changes.map((c) => [c.from, c.to]));
  const fail = (what: string): never => {
    throw new AnalyzeError('CORRUPT', `rewritten crate does not read back: ${what}`, source.name);
  };
  if (!sameList(after.tokens, expected)) fail('tokens');
  if (!sameList(after.strings, before.strings)) fail('strings');
  if (!sameList(after.fieldSets, before.fieldSets)) fail('field sets');
  if (after.fields.length !== before.fields.length) fail('fields');
  before.fields.forEach((f, i) => {
    const g = after.fields[i]!;
    if (g.name !== (renamed.get(f.name) ?? f.name) || JSON.stringify(g.rep) !== JSON.stringify(f.rep))
      fail(`field ${i}`);
  });
  // A path is spelled from element tokens: a mapped element would move a prim, which is refused.
  if (!sameList(after.paths, before.paths)) fail('paths (a path element would change)');
  if (!sameSpecs(after, before)) fail('specs');
  if (after.version.minor !== before.version.minor) fail('version');
}

function sameList<T>(a: ArrayLike<T>, b: ArrayLike<T>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameSpecs(a: CrateTables, b: CrateTables): boolean {
  if (a.specs.length !== b.specs.length) return false;
  return a.specs.every((s, i) => {
    const t = b.specs[i]!;
    return s.path === t.path && s.fieldSet === t.fieldSet && s.specType === t.specType;
  });
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
