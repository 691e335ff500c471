import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeMayaScene, parseMayaBytes } from '../src/index.js';
import { mayaBinary } from './fixtures/maya/maya-binary-writer.js';
import {
  flipBits,
  insertRandomBytes,
  mulberry32,
  pickOne,
  type Rng,
  randomInt,
  resultOrAnalyzeError,
  spliceBytes,
} from './support/fuzz.js';

/** Mutated inputs per format; the seed makes every run test the same inputs. */
const CASES = 1200;
const SEED = 0x6d617961;
/** CPU time; generous for CI machines: a well-formed 100 KB scene reads in a few milliseconds. */
const MAX_MS_PER_INPUT = 1500;

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

/** Huge or odd 64-bit lengths a hostile file declares. */
const LENGTHS = [2n ** 63n - 1n, 2n ** 32n - 1n, 0n, 7n];

function mutate(seed: Uint8Array, rand: Rng, binary: boolean): Uint8Array {
  const int = (n: number) => randomInt(rand, n);
  // A copy: the seeds are reused for every case.
  let out: Uint8Array = new Uint8Array(seed);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(out.length + 1);
    switch (int(binary ? 5 : 4)) {
      case 0:
        flipBits(rand, out, 8);
        break;
      case 1:
        out = out.subarray(0, at);
        break;
      case 2:
        out = insertRandomBytes(rand, out, at, 64);
        break;
      case 3: // duplicate or delete a slice
        out =
          rand() < 0.5
            ? spliceBytes(out, at, 0, out.subarray(at, at + int(4096)))
            : spliceBytes(out, at, int(4096));
        if (!binary && rand() < 0.5) {
          out = spliceBytes(out, at, 0, new TextEncoder().encode(pickOne(rand, MA_SPECIALS)));
        }
        break;
      default: {
        // a huge or odd declared length at a 4-byte boundary
        const p = (at >> 2) << 2;
        if (p + 8 <= out.length)
          new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(
            p,
            pickOne(rand, LENGTHS),
            false,
          );
      }
    }
  }
  return out;
}

const corpus = fileURLToPath(new URL('../../../../shared/corpus/maya', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/maya/project/scenes/shot010.ma', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'openfarm-maya-fuzz-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(seeds: Uint8Array[], binary: boolean, name: string): void {
  const rand = mulberry32(SEED + (binary ? 1 : 0));
  const file = join(work, name);
  let results = 0;
  let errors = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutate(seeds[i % seeds.length]!, rand, binary);
    const outcome = resultOrAnalyzeError(`case ${i}`, MAX_MS_PER_INPUT, () => {
      // The file is never written: parsing bytes and describing them is the whole reader minus one read.
      const { scene } = describeMayaScene(parseMayaBytes(input, file), file);
      assert.ok(Array.isArray(scene.layers) && scene.layers.length > 0);
    });
    if (outcome === 'result') results++;
    else errors++;
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
