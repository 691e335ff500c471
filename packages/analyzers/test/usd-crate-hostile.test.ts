import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalyzeError, bytesSource, readUsdLayer } from '../src/index.js';
import { compressFast, concat, encodeInts } from './support/lz4-writer.js';
import { storedZip } from './support/usdz-writer.js';

/**
 * Small crates written by hand to claim far more work than their size: the
 * reader must answer (references or an AnalyzeError) within a CPU budget.
 * The tables are valid as USD's integer coding goes; only their shape is
 * hostile. `usd-crate.test.ts` covers well-formed crates.
 */
const MAX_CPU_MS = 3000;

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
function ints(values: readonly number[]): Uint8Array {
  const block = compressFast(encodeInts(values));
  return concat([u64(block.length), block]);
}
/** A value rep: low 32 bits, then type in bits 48–55 and the inlined flag. */
function rep(type: number, payload: number, inlined: boolean): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, payload, true);
  view.setUint32(4, (inlined ? 0x40000000 : 0) | (type << 16), true);
  return b;
}

/** A crate 0.8.0 from raw section bodies (after the 88-byte bootstrap, then the table of contents). */
function crate(sections: Record<string, Uint8Array>, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const bootstrap = new Uint8Array(88);
  bootstrap.set(new TextEncoder().encode('PXR-USDC'));
  bootstrap.set([0, 8, 0], 8);
  const parts: Uint8Array[] = [bootstrap, data];
  let at = 88 + data.length;
  const toc: Uint8Array[] = [u64(Object.keys(sections).length)];
  for (const [name, body] of Object.entries(sections)) {
    const entry = new Uint8Array(32);
    entry.set(new TextEncoder().encode(name));
    const view = new DataView(entry.buffer);
    view.setBigInt64(16, BigInt(at), true);
    view.setBigInt64(24, BigInt(body.length), true);
    toc.push(entry);
    parts.push(body);
    at += body.length;
  }
  new DataView(bootstrap.buffer).setBigUint64(16, BigInt(at), true);
  return concat([...parts, ...toc]);
}

function tokens(list: readonly string[]): Uint8Array {
  const chars = new TextEncoder().encode(`${list.join('\u0000')}\u0000`);
  const compressed = compressFast(chars);
  return concat([u64(list.length), u64(chars.length), u64(compressed.length), compressed]);
}

/**
 * `specs` specs on the root path, every one pointing at field set 0, and a
 * field-set table of `runLength` entries with no terminator: each entry is
 * field 0. Compressed, the whole file is a few kilobytes.
 */
function sharedUnterminatedRun(specs: number, runLength: number, field: Uint8Array, data?: Uint8Array) {
  return crate(
    {
      TOKENS: tokens(['', 'references', 'x.usd']),
      STRINGS: concat([u64(1), Uint8Array.of(2, 0, 0, 0)]),
      FIELDS: concat([u64(1), ints([1]), u64(compressFast(field).length), compressFast(field)]),
      FIELDSETS: concat([u64(runLength), ints(new Array<number>(runLength).fill(0))]),
      PATHS: concat([u64(1), u64(1), ints([0]), ints([0]), ints([-2])]),
      SPECS: concat([
        u64(specs),
        ints(new Array<number>(specs).fill(0)),
        ints(new Array<number>(specs).fill(0)),
        ints(new Array<number>(specs).fill(6)),
      ]),
    },
    data,
  );
}

function answersWithinBudget(bytes: Uint8Array): 'result' | string {
  const started = process.cpuUsage();
  let outcome = 'result';
  try {
    readUsdLayer(bytesSource(bytes, 'hostile.usdc'));
  } catch (error) {
    if (!(error instanceof AnalyzeError)) throw error;
    outcome = error.code;
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < MAX_CPU_MS, `${bytes.length}-byte crate took ${ms.toFixed(0)} ms of CPU`);
  return outcome;
}

/**
 * `n` paths, each the child property of the one before (`/.inputs:file.inputs:file…`), each
 * with a spec holding a file-named string: path k is k times longer than the first, so all
 * their names together grow with n².
 */
function deepPathChain(n: number): Uint8Array {
  const stringRep = rep(10, 0, true);
  const serial = Array.from({ length: n }, (_, i) => i);
  return crate({
    TOKENS: tokens(['', 'inputs:file', 'x.png', 'default']),
    STRINGS: concat([u64(1), Uint8Array.of(2, 0, 0, 0)]),
    FIELDS: concat([u64(1), ints([3]), u64(compressFast(stringRep).length), compressFast(stringRep)]),
    FIELDSETS: concat([u64(2), ints([0, -1])]),
    PATHS: concat([
      u64(n),
      u64(n),
      ints(serial),
      ints(new Array<number>(n).fill(-1)),
      ints(serial.map((i) => (i === n - 1 ? -2 : -1))),
    ]),
    SPECS: concat([u64(n), ints(serial), ints(new Array<number>(n).fill(0)), ints(new Array<number>(n).fill(1))]),
  });
}

describe('hostile crates', () => {
  test('a path tree that is one long chain: refused by the path-name budget, not built (quadratic memory)', () => {
    // Before the budget, 20,000 entries took 2.5 GiB of memory; 60,000 would exhaust the heap.
    const bytes = deepPathChain(60_000);
    assert.ok(bytes.length < 8192, `${bytes.length} bytes`);
    const rssBefore = process.memoryUsage().rss;
    assert.equal(answersWithinBudget(bytes), 'LIMIT_EXCEEDED');
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 512 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(0)} MiB`);
  });

  test('a short chain within the budget is still read, every spec on its own path', () => {
    const refs = readUsdLayer(bytesSource(deepPathChain(50), 'chain.usdc'));
    assert.equal(refs.length, 49); // the first entry is the root, whose spec is not an attribute
    assert.ok(refs.every((r) => r.path === 'x.png'));
    assert.equal(refs.at(-1)!.owner, `</${'.inputs:file'.repeat(49)}>`);
  });

  test('many specs sharing one long field set of fields nothing is read from: linear, not specs × run', () => {
    // Field 0 is an inlined float: a field the walker skips. 60,000 × 60,000 visits before the fix.
    const bytes = sharedUnterminatedRun(60_000, 60_000, rep(8, 0, true));
    assert.ok(bytes.length < 8192, `${bytes.length} bytes`);
    assert.equal(answersWithinBudget(bytes), 'result');
  });

  test('many specs sharing one long field set of reference list ops: refused once the value budget is spent', () => {
    // Field 0 is a references list op at byte 88 holding one explicit reference to string 0.
    const listOp = concat([Uint8Array.of(2), u64(1), new Uint8Array(24), u64(0)]);
    const bytes = sharedUnterminatedRun(60_000, 60_000, rep(35, 88, false), listOp);
    assert.ok(bytes.length < 8192, `${bytes.length} bytes`);
    assert.equal(answersWithinBudget(bytes), 'LIMIT_EXCEEDED');
  });

  test('a USDZ whose directory lists one stored layer many times is CORRUPT, not read once per listing', () => {
    const zip = storedZip({ 'a.usda': '#usda 1.0\n(\n    subLayers = [@./b.usda@]\n)\n' });
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const eocd = zip.length - 22;
    const dirOffset = view.getUint32(eocd + 16, true);
    const entry = zip.subarray(dirOffset, eocd);
    const copies = 1000;
    const end = zip.slice(eocd);
    const ev = new DataView(end.buffer);
    ev.setUint16(8, copies, true);
    ev.setUint16(10, copies, true);
    ev.setUint32(12, entry.length * copies, true);
    const hostile = concat([zip.subarray(0, dirOffset), ...new Array<Uint8Array>(copies).fill(entry), end]);
    assert.throws(
      () => readUsdLayer(bytesSource(hostile, 'hostile.usdz')),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'CORRUPT' && /overlap/.test(e.message),
    );
    assert.deepEqual(
      readUsdLayer(bytesSource(zip, 'fine.usdz')).map((r) => r.path),
      ['b.usda'],
    );
  });
});
