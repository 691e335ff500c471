import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalyzeError, readHoudiniScene } from '../src/index.js';
import { buildHip, buildHipMarkers, type SectionList } from './fixtures/houdini/hip-builder.js';
import { SHOT_SCENE } from './fixtures/houdini/shot-scene.js';

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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
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

function mutateText(rng: Rng, text: string): string {
  let s = text;
  const edits = 1 + int(rng, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(rng, s.length + 1);
    switch (int(rng, 4)) {
      case 0:
        s = s.slice(0, at) + TEXT_PIECES[int(rng, TEXT_PIECES.length)]! + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + int(rng, 20));
        break;
      case 2:
        s = s.slice(0, at);
        break;
      default:
        s =
          s.slice(0, at) + TEXT_PIECES[int(rng, TEXT_PIECES.length)]!.repeat(1 + int(rng, 200)) + s.slice(at);
    }
  }
  return s;
}

function mutateSections(rng: Rng, sections: SectionList): SectionList {
  const out = sections.map(([n, t]) => [n, t] as [string, string]);
  const count = 1 + int(rng, 6);
  for (let i = 0; i < count; i++) {
    const k = int(rng, out.length);
    const entry = out[k]!;
    if (rng() < 0.15) entry[0] = mutateText(rng, entry[0]);
    else entry[1] = mutateText(rng, entry[1]);
  }
  if (rng() < 0.2) out.splice(int(rng, out.length), 1);
  return out;
}

function mutateBytes(rng: Rng, input: Uint8Array, format: 'cpio' | 'markers'): Uint8Array {
  let bytes = input.slice();
  switch (int(rng, 4)) {
    case 0: {
      const flips = 1 + int(rng, 16);
      for (let i = 0; i < flips; i++) bytes[int(rng, bytes.length)]! ^= 1 << int(rng, 8);
      break;
    }
    case 1:
      bytes = bytes.subarray(0, int(rng, bytes.length));
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
    default: {
      const at = int(rng, bytes.length);
      const junk = Uint8Array.from({ length: 1 + int(rng, 64) }, () => int(rng, 256));
      const merged = new Uint8Array(bytes.length + junk.length);
      merged.set(bytes.subarray(0, at));
      merged.set(junk, at);
      merged.set(bytes.subarray(at), at + junk.length);
      bytes = merged;
    }
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
    const started = process.cpuUsage();
    try {
      const scene = readHoudiniScene(input, { hipFile: '/fuzz/shot/scene.hip', env: {} });
      assert.ok(scene.nodes instanceof Map);
      scenes++;
    } catch (error) {
      if (!(error instanceof AnalyzeError)) {
        assert.fail(`case ${i} (seed ${seed}): ${error instanceof Error ? error.stack : String(error)}`);
      }
      assert.ok(error.message.length > 10);
      errors++;
    }
    const used = process.cpuUsage(started);
    // CPU time, not wall time: a loaded CI machine must not turn a slow schedule into a failure.
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < MAX_MS_PER_INPUT, `case ${i} (seed ${seed}) used ${ms.toFixed(0)} ms of CPU`);
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
