import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AnalyzeError, readBlend } from '../src/index.js';
import { SAMPLE_CONTENT, writeSyntheticBlend, zstdStoreBlend } from './fixtures/blend/synthetic-blend.js';
import {
  flipBits,
  mulberry32,
  overwriteBytes,
  pickOne,
  type Rng,
  randomInt,
  resultOrAnalyzeError,
  truncateRandomly,
} from './support/fuzz.js';

/**
 * Mutated .blend files (seeded, so a failure replays): bit flips, truncation,
 * inflated length and count fields, over plain, gzip and zstd inputs. Each
 * must give a result or an AnalyzeError, within a CPU-time bound, under a
 * memory cap the reader enforces.
 */
const SEED = 0x0b1e4d;
const PER_INPUT_MS = 2000;
const LIMITS = { maxBytes: 64 * 1024 * 1024, maxBlocks: 200_000, maxListLength: 10_000 };

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

function mutate(rand: Rng, plain: Uint8Array, wrap: Wrap, kind: string): Uint8Array {
  const strategy = randomInt(rand, 5);
  if (strategy === 0) {
    // Bit flips in the bytes as stored (compressed ones included).
    const out = wrap(plain).slice();
    flipBits(rand, out, 8);
    return out;
  }
  if (strategy === 1) return truncateRandomly(rand, wrap(plain));
  const out = plain.slice();
  const dv = new DataView(out.buffer);
  if (strategy === 2 && kind === 'legacy64') {
    dv.setInt32(pickOne(rand, lengthFields(plain)), pickOne(rand, HUGE), true);
  } else if (strategy === 3) {
    // Any 4-aligned int: SDNA counts, struct and name indices, pointers, frame numbers.
    dv.setInt32(randomInt(rand, out.length >> 2) << 2, pickOne(rand, HUGE), true);
  } else {
    overwriteBytes(rand, out, 32);
  }
  return wrap(out);
}

function check(input: Uint8Array, label: string) {
  resultOrAnalyzeError(label, PER_INPUT_MS, () => readBlend(input, { limits: LIMITS }));
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
        const rand = mulberry32(SEED ^ (base.count * 31 + wrapName.length));
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
      const rand = mulberry32(SEED + count + file.length);
      for (let i = 0; i < count; i++) {
        const out = stored.slice();
        if (i % 3 === 0) {
          check(truncateRandomly(rand, out), `${file} truncated #${i}`);
        } else {
          flipBits(rand, out, 4);
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
