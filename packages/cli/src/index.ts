import { terminalSafe } from './output.js';
import { buildProgram } from './program.js';

export { buildProgram } from './program.js';

/** Parse and run one `openfarm` command line; errors the command throws reject. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

/**
 * What the `openfarm` binary runs: an error a command throws is printed as one
 * `openfarm: message` line (no stack trace; control characters a farm's answer
 * may carry shown escaped) and the process exits with status 1.
 */
export async function run(argv: string[]): Promise<void> {
  try {
    await main(argv);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`openfarm: ${terminalSafe(message, { keepLayout: true })}\n`);
    process.exit(1);
  }
}
