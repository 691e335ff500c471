import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerAnalyzeCommands } from './commands/analyze.js';
import { registerBlobCommands } from './commands/blobs.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerFarmCommands } from './commands/farm.js';
import { registerFrameCommands } from './commands/frames.js';
import { registerHardwareCommands } from './commands/hardware.js';
import { registerJobCommands } from './commands/job.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerServerCommands } from './commands/server.js';
import { registerTaskDetailCommands } from './commands/task-detail.js';
import { registerTaskCommands } from './commands/tasks.js';
import { registerTransferCommands } from './commands/transfer.js';
import { registerUserCommands } from './commands/users.js';
import { registerWorkerCommands } from './commands/worker.js';
import { configureRootHelp } from './help.js';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

/**
 * Build the `openfarm` command. Each command group lives in its own file under
 * commands/ and registers itself here:
 * server.ts (`server`; its `--check` in server-check.ts), migrate.ts (`migrate`), users.ts (`users …`), hardware.ts (`hardware …`),
 * tasks.ts (`login`, `tasks`, `task`, `frames`, actions), analyze.ts (`analyze`),
 * transfer.ts (`upload`, `download`), worker.ts (`worker`, `workers …`),
 * farm.ts (`up`, `render`), job.ts (`check`, `submit`, `wait`; the steps in
 * job-flow.ts, following in follow.ts), frames.ts (`frames`, `frames
 * requeue|stop`), task-detail.ts (`logs`, `outputs`, `priority`), account.ts
 * (`whoami`, `logout`, `config show`, `projects …`), catalog.ts (`software`,
 * `tips`).
 */

export function buildProgram(): Command {
  const program = new Command('openfarm')
    .description('openfarm: a self-hostable render farm with a rayvision-compatible SDK')
    .version(pkg.version, '-V, --version', 'print the openfarm version')
    .showHelpAfterError()
    // Options after a subcommand are the subcommand's (`frames requeue 7 2 --server URL`).
    .enablePositionalOptions();
  registerServerCommands(program);
  registerMigrateCommand(program);
  registerBlobCommands(program);
  registerUserCommands(program);
  registerHardwareCommands(program);
  registerTaskCommands(program);
  registerAnalyzeCommands(program);
  registerTransferCommands(program);
  registerWorkerCommands(program);
  registerFarmCommands(program);
  registerJobCommands(program);
  registerFrameCommands(program);
  registerTaskDetailCommands(program);
  registerAccountCommands(program);
  registerCatalogCommands(program);
  configureRootHelp(program);
  return program;
}
