import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readHoudiniScene } from '../src/index.js';
import { buildHip, buildHipMarkers, type SectionList } from './fixtures/houdini/hip-builder.js';
import { SHOT_SCENE } from './fixtures/houdini/shot-scene.js';
import {
  flipBits,
  insertRandomBytes,
  mulberry32,
  mutateText,
  type Rng,
  randomInt as int,
  resultOrAnalyzeError,
  truncateRandomly,
} from './support/fuzz.js';

/**
 * Mutated Houdini files must give a scene or an AnalyzeError, quickly. Half
 * the cases damage the container bytes (bit flips, truncation, inflated
 * cpio sizes, broken markers); half damage the section texts and rebuild a
 * valid container, so the .parm/.chn/.def parsers and the evaluator see the
 * garbage too.
 */
const CASES_PER_FORMAT = 1000;
/** Per-input CPU ceiling; a fixture parses in well under a millisecond, so this only catches runaway work. */
const MAX_MS_PER_INPUT = 500;

const TEXT_PIECES = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  '\\',
  '`',
  '$',
  '${',
  '$F4',
  '\n',
  '\t',
  '=',
  'channel',
  'segment {',
  'expr =',
  ' ch("f1") ',
  '\u0000',
  'é',
];

function mutateSectionText(rng: Rng, text: string): string {
  return mutateText(rng, text, { pieces: TEXT_PIECES, maxEdits: 4, maxDeleted: 20, maxRepeats: 200 });
}

function mutateSections(rng: Rng, sections: SectionList): SectionList {
  const out = sections.map(([n, t]) => [n, t] as [string, string]);
  const count = 1 + int(rng, 6);
  for (let i = 0; i < count; i++) {
    const k = int(rng, out.length);
    const entry = out[k]!;
    if (rng() < 0.15) entry[0] = mutateSectionText(rng, entry[0]);
    else entry[1] = mutateSectionText(rng, entry[1]);
  }
  if (rng() < 0.2) out.splice(int(rng, out.length), 1);
  return out;
}

function mutateBytes(rng: Rng, input: Uint8Array, format: 'cpio' | 'markers'): Uint8Array {
  let bytes: Uint8Array = input.slice();
  switch (int(rng, 4)) {
    case 0:
      flipBits(rng, bytes, 16);
      break;
    case 1:
      bytes = truncateRandomly(rng, bytes);
      break;
    case 2: {
      if (format === 'cpio') {
        // Overwrite a size field of some header with large octal digits.
        const headers: number[] = [];
        for (let i = bytes.indexOf(0x30); i >= 0 && i < bytes.length - 76; i = bytes.indexOf(0x30, i + 1)) {
          if (String.fromCharCode(...bytes.subarray(i, i + 6)) === '070707') headers.push(i);
          if (headers.length > 64) break;
        }
        const h = headers[int(rng, headers.length)] ?? 0;
        const field = rng() < 0.5 ? [59, 6] : [65, 11];
        const digits = Array.from({ length: field[1]! }, () => 0x30 + (rng() < 0.5 ? 7 : int(rng, 8)));
        bytes.set(digits, h + field[0]!);
      } else {
        // Damage a marker: its prefix, its hex digits or its NUL.
        const at = bytes.indexOf(0x48, int(rng, bytes.length));
        if (at >= 0) bytes[at + int(rng, 40)] = int(rng, 256);
      }
      break;
    }
    default:
      bytes = insertRandomBytes(rng, bytes, int(rng, bytes.length), 64);
  }
  return bytes;
}

function runCases(format: 'cpio' | 'markers', seed: number): { scenes: number; errors: number } {
  const rng = mulberry32(seed);
  const build = (s: SectionList) =>
    format === 'cpio' ? buildHip(s) : buildHipMarkers(s, rng() < 0.5 ? 'NC' : 'LC');
  const base = build(SHOT_SCENE);
  let scenes = 0;
  let errors = 0;
  for (let i = 0; i < CASES_PER_FORMAT; i++) {
    const input = rng() < 0.5 ? mutateBytes(rng, base, format) : build(mutateSections(rng, SHOT_SCENE));
    const outcome = resultOrAnalyzeError(`case ${i} (seed ${seed})`, MAX_MS_PER_INPUT, () => {
      const scene = readHoudiniScene(input, { hipFile: '/fuzz/shot/scene.hip', env: {} });
      assert.ok(scene.nodes instanceof Map);
    });
    if (outcome === 'result') scenes++;
    else errors++;
  }
  return { scenes, errors };
}

describe('Houdini fuzz', () => {
  test(`${CASES_PER_FORMAT} mutated .hip files: a scene or an AnalyzeError, each fast`, () => {
    const { scenes, errors } = runCases('cpio', 0x5eed01);
    // Both outcomes must occur, or the mutations are not exercising anything.
    assert.ok(scenes > 100 && errors > 100, `scenes ${scenes}, errors ${errors}`);
  });

  test(`${CASES_PER_FORMAT} mutated .hipnc/.hiplc files: a scene or an AnalyzeError, each fast`, () => {
    const { scenes, errors } = runCases('markers', 0x5eed02);
    assert.ok(scenes > 100 && errors > 10, `scenes ${scenes}, errors ${errors}`);
  });
});
