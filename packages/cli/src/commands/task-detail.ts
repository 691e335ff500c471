/**
 * Looking into one task and steering it: `openfarm logs TASK FRAME
 * [--follow]` (a frame's render log), `openfarm outputs TASK` (its output
 * tree) and `openfarm priority TASK N`.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { RayvisionAPI } from '@openfarm/sdk';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, outputOf, print, terminalSafe } from '../output.js';
import { pause } from '../task-progress.js';
import { untilInterrupted } from './interrupt.js';
import { priorityArg } from './job-flow.js';
import { type ConnectionFlags, clientCommand, connectClient, taskIdArg } from './tasks.js';

/** Log lines per request. */
const LOG_PAGE = 500;

async function frameOf(api: RayvisionAPI, taskId: number, frame: string) {
  const frames = await api.query.getAllFrames(taskId);
  const found = frames.get(frame);
  if (found === undefined)
    throw new CliError(
      'RESOURCE_NOT_FOUND',
      `task ${taskId} has no frame ${frame}; list its frames with \`openfarm frames ${taskId}\``,
    );
  return found;
}

function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

interface TreeEntry {
  path: string;
  size: number | null;
  directory: boolean;
}

/** The task's output folder, walked folder by folder. */
async function outputTree(api: RayvisionAPI, taskId: number): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (
    list: Awaited<ReturnType<RayvisionAPI['transmit']['getOutputFiles']>>,
    depth: number,
  ) => {
    for (const f of [...list].sort((a, b) => a.fileName.localeCompare(b.fileName))) {
      entries.push({ path: f.filePath, size: f.fileSize ?? null, directory: f.directory });
      // A loop in a listing must not walk forever.
      if (f.directory && depth < 32)
        await walk(await api.transmit.getOutputFiles({ treePath: f.filePath }), depth + 1);
    }
  };
  await walk(await api.transmit.getOutputFiles({ taskId }), 0);
  return entries;
}

export function registerTaskDetailCommands(program: Command): void {
  clientCommand(program, 'logs <taskId> <frame>', 'print the render log of a frame')
    .option('--follow', 'keep printing new lines until the frame ends')
    .action(async function (
      this: Command,
      taskIdText: string,
      frame: string,
      flags: ConnectionFlags & { follow?: boolean },
    ) {
      const taskId = taskIdArg(taskIdText);
      const api = await connectClient(flags);
      const { id } = await frameOf(api, taskId, frame);
      const write = outputOf(this);
      let printed = 0;
      const lines: string[] = [];
      /** Print the lines the farm has beyond those already printed; true when there were any. */
      const drain = async (): Promise<boolean> => {
        let any = false;
        for (;;) {
          const page = await api.query.getRenderLog(id, {
            pageNum: Math.floor(printed / LOG_PAGE) + 1,
            pageSize: LOG_PAGE,
          });
          const fresh = page.items.slice(printed % LOG_PAGE);
          for (const line of fresh) {
            if (flags.json) lines.push(line);
            else write(`${terminalSafe(line)}\n`);
          }
          printed += fresh.length;
          any ||= fresh.length > 0;
          if (page.items.length < LOG_PAGE) return any;
        }
      };
      await drain();
      if (flags.follow === true) {
        await untilInterrupted(async (signal) => {
          while (!signal.aborted) {
            const state = (await frameOf(api, taskId, frame)).frameStatus;
            const running = state === FrameStatus.RUNNING || state === FrameStatus.WAITING;
            await drain();
            if (!running) return;
            await pause(1000, signal);
          }
        });
      }
      if (flags.json) print(this, jsonSafe({ taskId, frame, frameId: id, lines }));
      else if (printed === 0 && flags.follow !== true)
        print(
          this,
          `(no log yet for frame ${terminalSafe(frame)}; follow it with \`openfarm logs ${taskId} ${terminalSafe(frame)} --follow\`)`,
        );
    });

  clientCommand(program, 'outputs <taskId>', 'list the files a task has rendered').action(async function (
    this: Command,
    taskIdText: string,
    flags: ConnectionFlags,
  ) {
    const taskId = taskIdArg(taskIdText);
    const api = await connectClient(flags);
    const entries = await outputTree(api, taskId);
    if (flags.json) return print(this, jsonSafe(entries));
    if (entries.length === 0)
      return print(this, `task ${taskId} has no output yet; follow it with \`openfarm wait ${taskId}\``);
    const files = entries.filter((e) => !e.directory);
    const bytes = files.reduce((a, e) => a + (e.size ?? 0), 0);
    const text = entries
      .map((e) => {
        const depth = e.path.replace(/^\/+|\/+$/g, '').split('/').length - 1;
        const name = e.path.replace(/\/+$/, '').split('/').pop() ?? e.path;
        return `${'  '.repeat(depth)}${terminalSafe(name)}${e.directory ? '/' : `  ${humanBytes(e.size ?? 0)}`}`;
      })
      .join('\n');
    print(
      this,
      `${text}\n${files.length} file(s), ${humanBytes(bytes)}; download them with \`openfarm download ${taskId}\``,
    );
  });

  clientCommand(program, 'priority <taskId> <n>', 'set the priority of a task (higher renders first)').action(
    async function (this: Command, taskIdText: string, level: string, flags: ConnectionFlags) {
      const taskId = taskIdArg(taskIdText);
      const priority = priorityArg(level);
      const api = await connectClient(flags);
      await api.task.updatePriority(taskId, priority);
      if (flags.json) print(this, jsonSafe({ taskId, priority }, 0));
      else print(this, `task ${taskId}: priority ${level}`);
    },
  );
}
