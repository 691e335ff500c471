import { buildProgram } from './program.js';

export { buildProgram } from './program.js';

/** Entry point of the `openfarm` binary. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
