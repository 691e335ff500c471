/**
 * Writes USD crate (`.usdc`) files for the tests, version 0.8.0, with the
 * layout USD's crateFile.cpp reads: bootstrap, value data, the six
 * structural sections (tokens LZ4-compressed, integer tables with USD's
 * integer compression) and the table of contents. Only the value kinds the
 * dependency reader looks at are written, plus an opaque float array of any
 * size (`blobBytes`, streamed to the file in 1 MiB pieces) for the memory test.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { compressFast, concat, encodeInts } from './lz4-writer.js';

export type CrateValue =
  | { readonly asset: string }
  | { readonly assets: readonly string[] }
  | { readonly string: string }
  | { readonly stringVector: readonly string[] }
  | { readonly references: readonly string[]; readonly deleted?: readonly string[] }
  | { readonly payloads: readonly string[] }
  | { readonly dictionary: Readonly<Record<string, CrateValue>> }
  | { readonly timeSamples: readonly CrateValue[] }
  | { readonly token: string }
  /** A token[] such as primChildren or properties, which a USD reader follows to find the specs. */
  | { readonly tokens: readonly string[] }
  /** A float[] of this many bytes (never read by the dependency reader). */
  | { readonly blobBytes: number };

export interface CrateSpecInput {
  /** `/`, `/World/Ball`, `/World/Ball{look=red}`, `/World/Ball.inputs:file`. */
  readonly path: string;
  /** SdfSpecType: 1 attribute, 6 prim, 7 pseudo-root, 10 variant, 11 variant set. */
  readonly specType: number;
  readonly fields: Readonly<Record<string, CrateValue>>;
}

export interface CrateWriteOptions {
  /** Split the token section's LZ4 into this many chunks (0 = one block). */
  readonly tokenChunks?: number;
  /**
   * Write the tables as crates before 0.4.0 did: plain arrays of structs,
   * a path tree of headers; `[0, 0, 1]` also pads structs as 0.0.1 did.
   * Values keep the 0.8 layouts the tests use (no payloads, no arrays).
   */
  readonly legacyVersion?: readonly [0, number, number];
}

/** An SdfLayerOffset of offset 0 and scale 1, as USD writes one that was never set. */
const NO_OFFSET = new Uint8Array(new Float64Array([0, 1]).buffer);

type Piece = Uint8Array | { readonly zeros: number };

const TYPE = {
  Float: 8,
  String: 10,
  Token: 11,
  AssetPath: 12,
  Double: 9,
  Dictionary: 31,
  ReferenceListOp: 35,
  TimeSamples: 46,
  TokenVector: 41,
  StringVector: 50,
  PayloadListOp: 55,
};

class Out {
  readonly pieces: Piece[] = [];
  size = 0;
  push(p: Piece): number {
    const at = this.size;
    this.pieces.push(p);
    this.size += p instanceof Uint8Array ? p.length : p.zeros;
    return at;
  }
}

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
function i64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return b;
}
function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
function rep(type: number, payload: number, flags: { array?: boolean; inlined?: boolean } = {}): Uint8Array {
  const hi =
    (flags.array ? 0x80000000 : 0) |
    (flags.inlined ? 0x40000000 : 0) |
    (type << 16) |
    Math.floor(payload / 0x100000000);
  return concat([u32(payload % 0x100000000), u32(hi)]);
}
function compressedInts(values: readonly number[]): Uint8Array {
  if (values.length === 0) return new Uint8Array(0);
  const block = compressFast(encodeInts(values));
  return concat([u64(block.length), block]);
}

/** The bytes of a crate file (all in memory; use {@link writeCrateFile} for big blobs). */
export function crateBytes(specs: readonly CrateSpecInput[], options: CrateWriteOptions = {}): Uint8Array {
  const out = buildCrate(specs, options);
  return concat(out.pieces.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p.zeros))));
}

/** Write a crate file piece by piece (zero runs in 1 MiB writes). */
export function writeCrateFile(
  path: string,
  specs: readonly CrateSpecInput[],
  options: CrateWriteOptions = {},
): number {
  const out = buildCrate(specs, options);
  const fd = openSync(path, 'w');
  const zeros = new Uint8Array(1024 * 1024);
  try {
    for (const p of out.pieces) {
      if (p instanceof Uint8Array) writeSync(fd, p);
      else
        for (let left = p.zeros; left > 0; left -= zeros.length)
          writeSync(fd, zeros, 0, Math.min(left, zeros.length));
    }
  } finally {
    closeSync(fd);
  }
  return out.size;
}

function buildCrate(specs: readonly CrateSpecInput[], options: CrateWriteOptions): Out {
  const tokens: string[] = [];
  const tokenIndex = new Map<string, number>();
  const token = (t: string): number => {
    let i = tokenIndex.get(t);
    if (i === undefined) {
      i = tokens.length;
      tokens.push(t);
      tokenIndex.set(t, i);
    }
    return i;
  };
  const strings: number[] = [];
  const stringIndex = new Map<string, number>();
  const string = (s: string): number => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(token(s));
      stringIndex.set(s, i);
    }
    return i;
  };

  // Paths: every spec path and its ancestors, as a tree.
  interface PathNode {
    element: string;
    property: boolean;
    children: PathNode[];
    index: number;
    hasSibling?: boolean;
  }
  const root: PathNode = { element: '', property: false, children: [], index: 0 };
  const pathIndex = new Map<string, number>([['/', 0]]);
  let pathCount = 1;
  for (const spec of specs) {
    let node = root;
    let text = '';
    for (const m of spec.path.matchAll(/\/([^/{.]+)|(\{[^}]*\})|\.(.+)$/g)) {
      const element = m[1] ?? m[2] ?? m[3]!;
      const property = m[3] !== undefined;
      text = property
        ? `${text}.${element}`
        : m[2] !== undefined
          ? `${text}${element}`
          : `${text}/${element}`;
      let child = node.children.find((c) => c.element === element && c.property === property);
      if (child === undefined) {
        child = { element, property, children: [], index: pathCount++ };
        node.children.push(child);
        pathIndex.set(text, child.index);
      }
      node = child;
    }
  }
  const pathIndexes: number[] = [];
  const elementTokens: number[] = [];
  const jumps: number[] = [];
  const subtreeSize = (n: PathNode): number => 1 + n.children.reduce((s, c) => s + subtreeSize(c), 0);
  const flatten = (n: PathNode, hasSibling: boolean, isRoot: boolean): void => {
    pathIndexes.push(n.index);
    elementTokens.push(isRoot ? 0 : n.property ? -token(n.element) : token(n.element));
    const hasChild = n.children.length > 0;
    jumps.push(hasChild && hasSibling ? subtreeSize(n) : hasChild ? -1 : hasSibling ? 0 : -2);
    n.children.forEach((c, i) => {
      flatten(c, i < n.children.length - 1, false);
    });
  };
  token(''); // token 0 is the root's (unused) element
  flatten(root, false, true);

  const out = new Out();
  out.push(new Uint8Array(88)); // bootstrap, filled in at the end

  const writeValue = (v: CrateValue): Uint8Array => {
    if ('asset' in v) return rep(TYPE.AssetPath, token(v.asset), { inlined: true });
    if ('token' in v) return rep(TYPE.Token, token(v.token), { inlined: true });
    if ('string' in v) return rep(TYPE.String, string(v.string), { inlined: true });
    if ('assets' in v) {
      const at = out.push(concat([u64(v.assets.length), ...v.assets.map((a) => u32(string(a)))]));
      return rep(TYPE.AssetPath, at, { array: true });
    }
    if ('tokens' in v) {
      const at = out.push(concat([u64(v.tokens.length), ...v.tokens.map((t) => u32(token(t)))]));
      return rep(TYPE.TokenVector, at);
    }
    if ('stringVector' in v) {
      const at = out.push(concat([u64(v.stringVector.length), ...v.stringVector.map((a) => u32(string(a)))]));
      return rep(TYPE.StringVector, at);
    }
    if ('references' in v) {
      const item = (a: string) => concat([u32(string(a)), u32(0), NO_OFFSET, u64(0)]);
      const deleted = v.deleted ?? [];
      const header = 32 | (deleted.length > 0 ? 8 : 0);
      const parts = [Uint8Array.of(header), u64(v.references.length), ...v.references.map(item)];
      if (deleted.length > 0) parts.push(u64(deleted.length), ...deleted.map(item));
      return rep(TYPE.ReferenceListOp, out.push(concat(parts)));
    }
    if ('payloads' in v) {
      const item = (a: string) => concat([u32(string(a)), u32(0), NO_OFFSET]);
      return rep(
        TYPE.PayloadListOp,
        out.push(concat([Uint8Array.of(2), u64(v.payloads.length), ...v.payloads.map(item)])),
      );
    }
    if ('dictionary' in v) {
      const entries = Object.entries(v.dictionary);
      // Nested values first, so each entry's jump lands right after its own offset.
      const reps = entries.map(([, value]) => writeValue(value));
      const body = entries.map(([key], i) => concat([u32(string(key)), i64(8), reps[i]!]));
      return rep(TYPE.Dictionary, out.push(concat([u64(entries.length), ...body])));
    }
    if ('timeSamples' in v) {
      const reps = v.timeSamples.map(writeValue);
      const times = out.push(
        concat([u64(reps.length), ...reps.map((_, i) => new Uint8Array(new Float64Array([i + 1]).buffer))]),
      );
      const at = out.push(concat([i64(8), rep(48, times), i64(8), u64(reps.length), ...reps]));
      return rep(TYPE.TimeSamples, at);
    }
    const at = out.push(u64(Math.floor(v.blobBytes / 4)));
    out.push({ zeros: Math.floor(v.blobBytes / 4) * 4 });
    return rep(TYPE.Float, at, { array: true });
  };

  const fieldKeys = new Map<string, number>();
  const fieldNames: number[] = [];
  const fieldReps: Uint8Array[] = [];
  const fieldSets: number[] = [];
  const specRows: { path: number; fieldSet: number; type: number }[] = [];
  for (const spec of specs) {
    const start = fieldSets.length;
    for (const [name, value] of Object.entries(spec.fields)) {
      const r = writeValue(value);
      const key = `${name}\u0000${Array.from(r).join(',')}`;
      let index = fieldKeys.get(key);
      if (index === undefined) {
        index = fieldNames.length;
        fieldNames.push(token(name));
        fieldReps.push(r);
        fieldKeys.set(key, index);
      }
      fieldSets.push(index);
    }
    fieldSets.push(-1);
    specRows.push({
      path: pathIndex.get(spec.path === '' ? '/' : spec.path)!,
      fieldSet: start,
      type: spec.specType,
    });
  }

  const sections: { name: string; start: number; size: number }[] = [];
  const section = (name: string, bytes: Uint8Array): void => {
    sections.push({ name, start: out.push(bytes), size: bytes.length });
  };
  const tokenText = new TextEncoder().encode(tokens.map((t) => `${t}\u0000`).join(''));
  const legacy = options.legacyVersion;
  if (legacy === undefined) {
    const tokenBlock = compressFast(tokenText, options.tokenChunks ?? 0);
    section(
      'TOKENS',
      concat([u64(tokens.length), u64(tokenText.length), u64(tokenBlock.length), tokenBlock]),
    );
  } else section('TOKENS', concat([u64(tokens.length), u64(tokenText.length), tokenText]));
  section('STRINGS', concat([u64(strings.length), ...strings.map(u32)]));
  const pad = legacy !== undefined && legacy[1] === 0 ? [u32(0)] : [];
  if (legacy === undefined) {
    const repsBlock = compressFast(concat(fieldReps));
    section(
      'FIELDS',
      concat([u64(fieldNames.length), compressedInts(fieldNames), u64(repsBlock.length), repsBlock]),
    );
    section('FIELDSETS', concat([u64(fieldSets.length), compressedInts(fieldSets)]));
    section(
      'PATHS',
      concat([
        u64(pathCount),
        u64(pathIndexes.length),
        compressedInts(pathIndexes),
        compressedInts(elementTokens),
        compressedInts(jumps),
      ]),
    );
    section(
      'SPECS',
      concat([
        u64(specRows.length),
        compressedInts(specRows.map((s) => s.path)),
        compressedInts(specRows.map((s) => s.fieldSet)),
        compressedInts(specRows.map((s) => s.type)),
      ]),
    );
  } else {
    section(
      'FIELDS',
      concat([u64(fieldNames.length), ...fieldNames.map((n, i) => concat([u32(0), u32(n), fieldReps[i]!]))]),
    );
    section('FIELDSETS', concat([u64(fieldSets.length), ...fieldSets.map(u32)]));
    // The path tree: each header, then (child and sibling) the sibling's absolute offset, the child next.
    const headerSize = pad.length > 0 ? 16 : 12;
    const start = out.size;
    const parts: Uint8Array[] = [u64(pathCount)];
    let at = start + 8;
    const size = (n: PathNode): number =>
      headerSize +
      (n.children.length > 0 && n.hasSibling ? 8 : 0) +
      n.children.reduce((a, c) => a + size(c), 0);
    const emit = (n: PathNode, isRoot: boolean): void => {
      const hasChild = n.children.length > 0;
      const bits = (hasChild ? 1 : 0) | (n.hasSibling ? 2 : 0) | (n.property ? 4 : 0);
      const header = new Uint8Array(headerSize);
      const v = new DataView(header.buffer);
      const o = pad.length > 0 ? 4 : 0;
      v.setUint32(o, n.index, true);
      v.setUint32(o + 4, isRoot ? 0 : token(n.element), true);
      header[o + 8] = bits;
      parts.push(header);
      at += headerSize;
      if (hasChild && n.hasSibling) {
        parts.push(i64(at + 8 + n.children.reduce((a, c) => a + size(c), 0)));
        at += 8;
      }
      for (const c of n.children) emit(c, false);
    };
    const markSiblings = (n: PathNode): void => {
      n.children.forEach((c, i) => {
        c.hasSibling = i < n.children.length - 1;
        markSiblings(c);
      });
    };
    markSiblings(root);
    emit(root, true);
    section('PATHS', concat(parts));
    section(
      'SPECS',
      concat([
        u64(specRows.length),
        ...specRows.map((r) => concat([...pad, u32(r.path), u32(r.fieldSet), u32(r.type)])),
      ]),
    );
  }
  const toc = out.push(
    concat([
      u64(sections.length),
      ...sections.map((s) => {
        const name = new Uint8Array(16);
        name.set(new TextEncoder().encode(s.name));
        return concat([name, i64(s.start), i64(s.size)]);
      }),
    ]),
  );
  const boot = out.pieces[0] as Uint8Array;
  boot.set(new TextEncoder().encode('PXR-USDC'));
  boot.set(options.legacyVersion ?? [0, 8, 0], 8);
  boot.set(i64(toc), 16);
  return out;
}
