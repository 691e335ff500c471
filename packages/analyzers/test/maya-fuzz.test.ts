import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeError, describeMayaScene, parseMayaBytes } from '../src/index.js';
import { mayaBinary } from './fixtures/maya/maya-binary-writer.js';

/** Mutated inputs per format; the seed makes every run test the same inputs. */
const CASES = 1200;
const SEED = 0x6d617961;
/** Generous for CI machines: a well-formed 100 KB scene reads in a few milliseconds. */
const MAX_MS_PER_INPUT = 1500;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MA_SPECIALS = [
  '"',
  ';',
  '(',
  ')',
  '+',
  '\\',
  '//',
  '\n',
  '-type',
  'createNode file -n ',
  'setAttr ".ftn" ',
];

function mutate(seed: Buffer, rand: () => number, binary: boolean): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  let out = Buffer.from(seed);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(out.length + 1);
    switch (int(binary ? 5 : 4)) {
      case 0: // flip a few bits
        for (let k = 1 + int(8); k > 0 && out.length > 0; k--) out[int(out.length)]! ^= 1 << int(8);
        break;
      case 1: // truncate
        out = out.subarray(0, at);
        break;
      case 2: // insert random bytes
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))),
          out.subarray(at),
        ]);
        break;
      case 3: // duplicate or delete a slice
        out =
          rand() < 0.5
            ? Buffer.concat([out.subarray(0, at), out.subarray(at, at + int(4096)), out.subarray(at)])
            : Buffer.concat([out.subarray(0, at), out.subarray(at + int(4096))]);
        if (!binary && rand() < 0.5) {
          const s = MA_SPECIALS[int(MA_SPECIALS.length)]!;
          out = Buffer.concat([out.subarray(0, at), Buffer.from(s), out.subarray(at)]);
        }
        break;
      default: {
        // a huge or odd declared length at a 4-byte boundary
        const p = (at >> 2) << 2;
        if (p + 8 <= out.length) out.writeBigUInt64BE([2n ** 63n - 1n, 2n ** 32n - 1n, 0n, 7n][int(4)]!, p);
      }
    }
  }
  return out;
}

const corpus = fileURLToPath(new URL('../../../../shared/corpus/maya', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/maya/project/scenes/shot010.ma', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'openfarm-maya-fuzz-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(seeds: Buffer[], binary: boolean, name: string): void {
  const rand = prng(SEED + (binary ? 1 : 0));
  const file = join(work, name);
  let results = 0;
  let errors = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutate(seeds[i % seeds.length]!, rand, binary);
    const t0 = performance.now();
    try {
      // The file is never written: parsing bytes and describing them is the whole reader minus one read.
      const { scene } = describeMayaScene(parseMayaBytes(input, file), file);
      assert.ok(Array.isArray(scene.layers) && scene.layers.length > 0);
      results++;
    } catch (e) {
      if (!(e instanceof AnalyzeError)) {
        assert.fail(`case ${i}: ${(e as Error)?.stack ?? String(e)}`);
      }
      errors++;
    }
    const ms = performance.now() - t0;
    assert.ok(ms < MAX_MS_PER_INPUT, `case ${i} took ${ms.toFixed(0)} ms`);
  }
  assert.equal(results + errors, CASES);
  // Most mutations leave a readable scene: the readers recover rather than give up.
  assert.ok(results > CASES / 4, `only ${results} of ${CASES} inputs gave a result`);
}

describe('Maya readers under mutated input', () => {
  test(`${CASES} mutated Maya ASCII files give a result or an AnalyzeError, in bounded time`, () => {
    const seeds = [readFileSync(fixture)];
    const layers = join(corpus, 'adlmaya__layers.ma');
    if (existsSync(layers)) seeds.push(readFileSync(layers));
    run(seeds, false, 'fuzz.ma');
  });

  test(`${CASES} mutated Maya binary files give a result or an AnalyzeError, in bounded time`, () => {
    const seeds = [mayaBinary(true), mayaBinary(false)];
    const mb = join(corpus, 'adlmaya__scene_file_to_reference.mb');
    if (existsSync(mb)) seeds.push(readFileSync(mb));
    run(seeds, true, 'fuzz.mb');
  });
});
