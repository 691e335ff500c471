/**
 * The one gate for tests that need a real program (blender, python3,
 * oiiotool …). On a laptop without it the test is skipped with a message that
 * says what is missing; under CI=true a missing program throws, so the run
 * fails instead of going green without the real parts (as a missing Redis or
 * PostgreSQL already does).
 *
 *   test('renders', { skip: requireProgram('blender') }, …)          // at load
 *   const skip = requireProgram('blender', { found: installed !== undefined });
 *   if (skip) return t.skip(skip);                                   // inside a test
 *
 * Thrown at a file's top level it fails that file; thrown inside a test it
 * fails that test.
 */
import { spawnSync } from 'node:child_process';

export interface RequireProgramOptions {
  /** The caller already looked for it (e.g. an adapter's `detect()`, which also reads $OPENFARM_BLENDER). */
  readonly found?: boolean;
  /** Arguments of the probe run when `found` is not given; it must exit 0. Default `--version`. */
  readonly probeArgs?: readonly string[];
}

export class MissingProgramError extends Error {
  constructor(readonly program: string) {
    super(
      `${program} is not installed and CI=true: a test that needs it must not pass without it ` +
        '(scripts/setup.sh installs it)',
    );
    this.name = 'MissingProgramError';
  }
}

/** `false` when `program` is there; otherwise a skip message, or under CI=true a {@link MissingProgramError}. */
export function requireProgram(program: string, opts: RequireProgramOptions = {}): false | string {
  const found =
    opts.found ??
    spawnSync(program, [...(opts.probeArgs ?? ['--version'])], { stdio: 'ignore', timeout: 60_000 })
      .status === 0;
  if (found) return false;
  if (process.env.CI === 'true') throw new MissingProgramError(program);
  return `${program} is not installed (scripts/setup.sh installs it)`;
}
