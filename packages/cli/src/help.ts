/**
 * The top-level help on one screen: client commands apart from the farm's
 * own, one short line each (the command's summary; its full description is
 * in `openfarm COMMAND --help`), and the six task actions on one line.
 */
import type { Command, Help } from 'commander';

/** Commands that run on the farm's machine (they take `--data`, or start a server or node). */
export const ADMIN_COMMANDS: ReadonlySet<string> = new Set([
  'up',
  'server',
  'migrate',
  'blobs',
  'users',
  'hardware',
  'workers',
  'worker',
]);

/** The order a new user meets the client commands in. */
const CLIENT_ORDER = [
  'login',
  'whoami',
  'logout',
  'config',
  'analyze',
  'check',
  'submit',
  'render',
  'upload',
  'download',
  'wait',
  'tasks',
  'task',
  'frames',
  'logs',
  'outputs',
  'priority',
  'stop',
  'projects',
  'software',
  'tips',
  'hardware-configs',
  'platforms',
];

/** The task actions, shown as one line headed by `stop`. */
const ACTIONS = ['stop', 'start', 'abort', 'delete', 'retry', 'full-speed'];

/** One-line summaries for the list (descriptions stay as they are for `COMMAND --help`). */
const SUMMARIES: Record<string, string> = {
  server: 'run the API server',
  migrate: 'apply pending database migrations',
  blobs: 'free blobs nothing references (blobs gc)',
  users: 'accounts and access keys',
  hardware: 'hardware configurations users render on',
  worker: 'run a render node',
  workers: 'render nodes and their tokens',
  up: 'a whole farm on this machine, until Ctrl-C',
  login: 'check credentials and save the client profile',
  whoami: 'the account and farm the client uses',
  logout: 'forget the saved credentials',
  config: 'show the client settings (config show)',
  analyze: 'read a scene and write its job folder',
  check: 'check a job folder, give it a task id',
  submit: 'upload and submit a checked job',
  render: 'analyze, check, submit and download in one',
  upload: 'upload a job folder only',
  download: 'download a task’s frames',
  wait: 'follow tasks until they end',
  tasks: 'list tasks',
  task: 'one task and its child tasks',
  frames: 'frames of a task; frames requeue|stop',
  logs: 'the render log of a frame',
  outputs: 'the files a task has rendered',
  priority: 'set a task’s priority',
  stop: 'stop, start, abort, delete, retry, full-speed',
  projects: 'projects: list, add, remove',
  software: 'software and versions the farm renders',
  tips: 'explain an analysis tips code',
  'hardware-configs': 'hardware the account can render on',
  platforms: 'the farm’s render platforms',
};

export const CLIENT_GROUP = 'Client commands (any machine with a login):';
export const ADMIN_GROUP = 'Farm commands (on the farm’s machine, with --data):';

/** Group, order and shorten the root command's list; subcommands' help stays commander's. */
export function configureRootHelp(program: Command): void {
  for (const command of program.commands) {
    command.helpGroup(ADMIN_COMMANDS.has(command.name()) ? ADMIN_GROUP : CLIENT_GROUP);
    const summary = SUMMARIES[command.name()];
    if (summary !== undefined && command.summary() === '') command.summary(summary);
  }
  program.helpCommand(false);
  const rank = (c: Command): number => {
    const i = CLIENT_ORDER.indexOf(c.name());
    return i === -1 ? CLIENT_ORDER.length : i;
  };
  program.configureHelp({
    visibleCommands(this: Help, cmd: Command): Command[] {
      const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
      if (cmd !== program) return visible;
      return visible.filter((c) => !ACTIONS.slice(1).includes(c.name())).sort((a, b) => rank(a) - rank(b));
    },
    subcommandTerm(cmd: Command): string {
      if (cmd.parent === program && cmd.name() === 'stop') return 'ACTION <taskIds…>';
      const args = cmd.registeredArguments.map((a) => {
        const name = a.name() + (a.variadic ? '…' : '');
        return a.required ? `<${name}>` : `[${name}]`;
      });
      return [cmd.name(), ...args].join(' ');
    },
  });
  program.addHelpText('after', '\nEach command’s options: openfarm COMMAND --help');
}
