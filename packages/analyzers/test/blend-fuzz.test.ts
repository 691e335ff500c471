import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AnalyzeError, readBlend } from '../src/index.js';
import { SAMPLE_CONTENT, writeSyntheticBlend, zstdStoreBlend } from './fixtures/blend/synthetic-blend.js';

/**
 * Mutated .blend files (seeded, so a failure replays): bit flips, truncation,
 * inflated length and count fields, over plain, gzip and zstd inputs. Each
 * must give a result or an AnalyzeError, within a time bound, under a memory
 * cap the reader enforces.
 */
const SEED = 0x0b1e4d;
const PER_INPUT_MS = 2000;
const LIMITS = { maxBytes: 64 * 1024 * 1024, maxBlocks: 200_000, maxListLength: 10_000 };

/** mulberry32: small, seedable, good enough to pick mutations. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Wrap = (plain: Uint8Array) => Uint8Array;
const wrappers: Record<string, Wrap> = {
  none: (b) => b,
  gzip: (b) => gzipSync(b),
  zstd: (b) => zstdStoreBlend(b, 4096),
};

/** Offsets of the int32 `len` of every legacy 64-bit BHead, the field a hostile file inflates. */
function lengthFields(plain: Uint8Array): number[] {
  const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const out: number[] = [];
  let at = 12;
  while (at + 24 <= plain.length && String.fromCharCode(...plain.subarray(at, at + 4)) !== 'ENDB') {
    out.push(at + 4);
    at += 24 + dv.getInt32(at + 4, true);
  }
  return out;
}

const HUGE = [0x7fffffff, 0x40000000, 0x10000000, -1, -0x80000000, 0xffff, 65536 * 3 + 1];

function mutate(rand: () => number, plain: Uint8Array, wrap: Wrap, kind: string): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const strategy = pick(5);
  if (strategy === 0) {
    // Bit flips in the bytes as stored (compressed ones included).
    const out = wrap(plain).slice();
    for (let i = 0, n = 1 + pick(8); i < n; i++) out[pick(out.length)]! ^= 1 << pick(8);
    return out;
  }
  if (strategy === 1) {
    const stored = wrap(plain);
    return stored.subarray(0, pick(stored.length));
  }
  const out = plain.slice();
  const dv = new DataView(out.buffer);
  if (strategy === 2 && kind === 'legacy64') {
    const fields = lengthFields(plain);
    dv.setInt32(fields[pick(fields.length)]!, HUGE[pick(HUGE.length)]!, true);
  } else if (strategy === 3) {
    // Any 4-aligned int: SDNA counts, struct and name indices, pointers, frame numbers.
    dv.setInt32(pick(out.length >> 2) << 2, HUGE[pick(HUGE.length)]!, true);
  } else {
    for (let i = 0, n = 1 + pick(32); i < n; i++) out[pick(out.length)] = pick(256);
  }
  return wrap(out);
}

function check(input: Uint8Array, label: string) {
  const t0 = performance.now();
  try {
    readBlend(input, { limits: LIMITS });
  } catch (e) {
    if (!(e instanceof AnalyzeError)) {
      assert.fail(`${label}: ${(e as Error)?.stack ?? e}`);
    }
    assert.ok(e.message.length > 10, `${label}: error without a message`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < PER_INPUT_MS, `${label} took ${ms.toFixed(0)} ms`);
}

const corpus = fileURLToPath(new URL('../../../../shared/corpus/blender', import.meta.url));

describe('fuzzed .blend input: a result or an AnalyzeError, in bounded time', () => {
  const bases: { name: string; plain: Uint8Array; kind: string; count: number; wraps: string[] }[] = [
    {
      name: 'synthetic 64-bit LE',
      plain: writeSyntheticBlend(
        { pointerSize: 8, littleEndian: true, header: 'legacy', version: 304 },
        SAMPLE_CONTENT,
      ),
      kind: 'legacy64',
      count: 300,
      wraps: ['none', 'gzip', 'zstd'],
    },
    {
      name: 'synthetic 32-bit BE',
      plain: writeSyntheticBlend(
        { pointerSize: 4, littleEndian: false, header: 'legacy', version: 262 },
        SAMPLE_CONTENT,
      ),
      kind: 'legacy32',
      count: 150,
      wraps: ['none', 'gzip', 'zstd'],
    },
    {
      name: 'synthetic 5.x',
      plain: writeSyntheticBlend(
        { pointerSize: 8, littleEndian: true, header: '5.x', version: 502 },
        SAMPLE_CONTENT,
      ),
      kind: 'v5',
      count: 150,
      wraps: ['none', 'gzip', 'zstd'],
    },
  ];

  for (const base of bases) {
    for (const wrapName of base.wraps) {
      test(`${base.name}, ${wrapName}: ${base.count} mutations`, () => {
        const rand = prng(SEED ^ (base.count * 31 + wrapName.length));
        for (let i = 0; i < base.count; i++) {
          check(mutate(rand, base.plain, wrappers[wrapName]!, base.kind), `${base.name}/${wrapName} #${i}`);
        }
      });
    }
  }

  // Real Blender output: zstd with entropy-coded blocks and gzip, mutated as stored.
  for (const [file, count] of [
    ['armory__game_bowling.blend', 150],
    ['b2bam__edit_mode.blend', 150],
  ] as const) {
    const path = join(corpus, file);
    test(`corpus ${file}: ${count} mutations`, {
      skip: existsSync(path) ? false : 'shared corpus not present',
    }, () => {
      const stored = new Uint8Array(readFileSync(path));
      const rand = prng(SEED + count + file.length);
      for (let i = 0; i < count; i++) {
        const out = stored.slice();
        const pick = (n: number) => Math.floor(rand() * n);
        if (i % 3 === 0) {
          check(out.subarray(0, pick(out.length)), `${file} truncated #${i}`);
        } else {
          for (let k = 0, n = 1 + pick(4); k < n; k++) out[pick(out.length)]! ^= 1 << pick(8);
          check(out, `${file} flipped #${i}`);
        }
      }
    });
  }

  test('gzip whose declared size lies and zstd frames declaring gigabytes are refused', () => {
    const plain = gunzipSync(gzipSync(bases[0]!.plain));
    const z = zstdStoreBlend(plain, 1 << 20).slice();
    // Frame header: magic, FHD 0xa0, 4-byte content size → claim 3 GiB.
    new DataView(z.buffer).setUint32(5, 0xc0000000, true);
    assert.throws(
      () => readBlend(z, { limits: LIMITS }),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'LIMIT_EXCEEDED',
    );
  });
});
