/**
 * A test file run by require-program.test.ts in a child `node --test`: one
 * test gated on the program named by $PROGRAM
 * (probed with $PROBE_ARGS, default --version).
 */
import { test } from 'node:test';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const probeArgs = process.env.PROBE_ARGS?.split(' ');
test(
  'needs the program',
  { skip: requireProgram(process.env.PROGRAM ?? '', { probeArgs }) },
  () => undefined,
);
