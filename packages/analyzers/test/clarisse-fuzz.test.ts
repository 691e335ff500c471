import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readClarisseProject } from '../src/index.js';
import { flipBits, mulberry32, type Rng, mutateText, resultOrAnalyzeError } from './support/fuzz.js';

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

function mutate(rng: Rng): string | Uint8Array {
  if (rng() < 0.25) {
    const bytes = new TextEncoder().encode(base);
    flipBits(rng, bytes, 32);
    return bytes;
  }
  return mutateText(rng, base, {
    pieces: PIECES,
    maxEdits: 5,
    maxDeleted: 40,
    maxRepeats: 400,
    keepAtLeast: 40,
    pieceOnEveryEdit: true,
  });
}

describe('Clarisse fuzz', () => {
  test(`${CASES} mutated projects: a project or an AnalyzeError, each fast`, () => {
    const rng = mulberry32(0xc1a7155e);
    let projects = 0;
    let errors = 0;
    for (let i = 0; i < CASES; i++) {
      const input = mutate(rng);
      const outcome = resultOrAnalyzeError(`case ${i}`, MAX_MS_PER_INPUT, () => {
        const project = readClarisseProject(input, 'fuzz.project');
        assert.ok(Array.isArray(project.images));
      });
      if (outcome === 'result') projects++;
      else errors++;
    }
    assert.ok(projects > 100 && errors > 100, `projects ${projects}, errors ${errors}`);
  });
});
