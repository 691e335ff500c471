import { createRequire } from 'node:module';
import { Command } from 'commander';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

/** Build the `openfarm` command. Each command group registers itself here. */
export function buildProgram(): Command {
  const program = new Command('openfarm')
    .description('openfarm: a self-hostable render farm with a rayvision-compatible SDK')
    .version(pkg.version, '-V, --version', 'print the openfarm version')
    .showHelpAfterError();
  return program;
}
