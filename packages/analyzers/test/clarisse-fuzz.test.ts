import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeError, readClarisseProject } from '../src/index.js';

/**
 * Mutated projects must give a project or an AnalyzeError, quickly: brace
 * imbalance, cut strings, truncation, random insertions and bit flips over
 * the repository's own fixture.
 */
const CASES = 1200;
const MAX_MS_PER_INPUT = 500;
const base = readFileSync(
  fileURLToPath(new URL('./fixtures/clarisse/shot.project', import.meta.url)),
  'utf8',
);
const PIECES = [
  '{',
  '}',
  '"',
  '\\',
  '\n',
  '#',
  '<empty>',
  'embedded_objects {',
  'Context "x" {',
  'layers ".a" "..',
  'Image {',
  '\u0000',
  '$PDIR',
];

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

function mutate(rng: () => number): string | Uint8Array {
  const int = (n: number) => Math.floor(rng() * n);
  if (rng() < 0.25) {
    const bytes = new TextEncoder().encode(base);
    const flips = 1 + int(32);
    for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8);
    return bytes;
  }
  let s = base;
  const edits = 1 + int(5);
  for (let e = 0; e < edits; e++) {
    const at = int(s.length + 1);
    const piece = PIECES[int(PIECES.length)]!;
    switch (int(4)) {
      case 0:
        s = s.slice(0, at) + piece + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + int(40));
        break;
      case 2:
        s = s.slice(0, Math.max(40, at));
        break;
      default:
        s = s.slice(0, at) + piece.repeat(1 + int(400)) + s.slice(at);
    }
  }
  return s;
}

describe('Clarisse fuzz', () => {
  test(`${CASES} mutated projects: a project or an AnalyzeError, each fast`, () => {
    const rng = mulberry32(0xc1a7155e);
    let projects = 0;
    let errors = 0;
    for (let i = 0; i < CASES; i++) {
      const input = mutate(rng);
      const started = process.cpuUsage();
      try {
        const project = readClarisseProject(input, 'fuzz.project');
        assert.ok(Array.isArray(project.images));
        projects++;
      } catch (error) {
        if (!(error instanceof AnalyzeError)) {
          assert.fail(`case ${i}: ${error instanceof Error ? error.stack : String(error)}`);
        }
        assert.ok(error.message.length > 10);
        errors++;
      }
      const used = process.cpuUsage(started);
      // CPU time, not wall time: a loaded CI machine must not turn a slow schedule into a failure.
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < MAX_MS_PER_INPUT, `case ${i} used ${ms.toFixed(0)} ms of CPU`);
    }
    assert.ok(projects > 100 && errors > 100, `projects ${projects}, errors ${errors}`);
  });
});
