/**
 * `openfarm frames TASK [--status WORDS] [--page N] [--size N]`: the frames
 * of a task, in words, with the node that rendered each and why it failed;
 * `openfarm frames requeue|stop TASK FRAMES`: render frames again, or stop them.
 */
import { FRAME_STATUS_WORDS, FRAME_TYPE_WORDS, wordFor } from '@openfarm/protocol';
import type { FrameInfo } from '@openfarm/protocol';
import type { RayvisionAPI } from '@openfarm/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, print } from '../output.js';
import { statusWordsOption, table, time } from '../table.js';
import { type ConnectionFlags, clientCommand, connectClient, taskIdArg } from './tasks.js';

function positive(value: string): number {
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

interface FramesFlags extends ConnectionFlags {
  status?: number[];
  page: number;
  size: number;
}

function withWords(f: FrameInfo): FrameInfo & { frameStatusWord: string; frameTypeWord: string } {
  return {
    ...f,
    frameStatusWord: wordFor(FRAME_STATUS_WORDS, f.frameStatus),
    frameTypeWord: wordFor(FRAME_TYPE_WORDS, f.frameType),
  };
}

/** The error column: the first line of the frame's last error, kept short. */
function errorCell(f: FrameInfo): string | undefined {
  const first = f.lastError?.split('\n')[0];
  if (first === undefined || first === '') return undefined;
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

/**
 * Frame ids for `FRAMES`: `all`, or frame numbers and ranges as the frame
 * list shows them (`1,3-5`); a frame the task does not have is named with
 * the list command that shows the ones it has.
 */
async function frameIds(api: RayvisionAPI, taskId: number, text: string): Promise<number[] | 'all'> {
  if (text.trim() === 'all') return 'all';
  const frames = await api.query.getAllFrames(taskId);
  const ids: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const exact = frames.get(part);
    if (exact !== undefined) {
      ids.push(exact.id);
      continue;
    }
    const range = /^(\d+)-(\d+)$/.exec(part);
    const numbers = range ? [] : [part];
    if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) numbers.push(String(n));
    for (const n of numbers) {
      const frame = frames.get(n);
      if (frame === undefined)
        throw new CliError(
          'RESOURCE_NOT_FOUND',
          `task ${taskId} has no frame ${n}; list its frames with \`openfarm frames ${taskId}\``,
        );
      ids.push(frame.id);
    }
  }
  if (ids.length === 0) throw new InvalidArgumentError('give frame numbers (e.g. 1,3-5) or all');
  return [...new Set(ids)];
}

export function registerFrameCommands(program: Command): void {
  const frames = clientCommand(program, 'frames', 'list the frames of a task; requeue or stop frames')
    .argument('[taskId]', 'the task')
    .option(
      '--status <words>',
      'only frames in these states, e.g. failed,rendering',
      statusWordsOption(FRAME_STATUS_WORDS),
    )
    .option('--page <n>', 'page number', positive, 1)
    .option('--size <n>', 'frames per page', positive, 50)
    .action(async function (this: Command, taskIdText: string | undefined, flags: FramesFlags) {
      if (taskIdText === undefined) throw new InvalidArgumentError('give a task id: openfarm frames TASK');
      const taskId = taskIdArg(taskIdText);
      const api = await connectClient(flags);
      let items: FrameInfo[];
      let total: number;
      let pageCount: number;
      if (flags.status === undefined) {
        const page = await api.query.taskFrames(taskId, { pageNum: flags.page, pageSize: flags.size });
        ({ items, total, pageCount } = page);
      } else {
        // The farm pages without a status filter: filter all, then page here.
        const wanted = new Set(flags.status);
        const all = [...(await api.query.getAllFrames(taskId)).values()].filter((f) =>
          wanted.has(f.frameStatus),
        );
        total = all.length;
        pageCount = Math.max(1, Math.ceil(total / flags.size));
        items = all.slice((flags.page - 1) * flags.size, flags.page * flags.size);
      }
      if (flags.json)
        return print(this, jsonSafe({ pageNum: flags.page, pageCount, total, items: items.map(withWords) }));
      const rows = items.map((f) => [
        f.frameIndex,
        wordFor(FRAME_STATUS_WORDS, f.frameStatus),
        wordFor(FRAME_TYPE_WORDS, f.frameType),
        f.nodeName,
        time(f.startTime),
        f.frameExecuteTime,
        errorCell(f),
      ]);
      let text = `${table(['FRAME', 'STATUS', 'TYPE', 'NODE', 'STARTED', 'SECONDS', 'ERROR'], rows)}\npage ${flags.page} of ${pageCount}, ${total} frames`;
      if (flags.page < pageCount) text += `; next: openfarm frames ${taskId} --page ${flags.page + 1}`;
      if (items.some((f) => errorCell(f) !== undefined))
        text += `\nfull log of a frame: openfarm logs ${taskId} FRAME`;
      print(this, text);
    });

  // `frames requeue 7 2 --server URL`: the options after the subcommand are its own, not the list's.
  frames.enablePositionalOptions();
  for (const [name, description] of [
    ['requeue', 'render frames again (FRAMES: 1,3-5 or all)'],
    ['stop', 'stop frames (FRAMES: 1,3-5 or all)'],
  ] as const) {
    clientCommand(frames, `${name} <taskId> <frames>`, description).action(async function (
      this: Command,
      taskIdText: string,
      framesText: string,
      flags: ConnectionFlags,
    ) {
      const taskId = taskIdArg(taskIdText);
      const api = await connectClient(flags);
      const ids = await frameIds(api, taskId, framesText);
      const selection = ids === 'all' ? {} : { selectAll: 0 as const, ids };
      if (name === 'requeue') await api.query.restartFrame(taskId, selection);
      else await api.query.stopFrame(taskId, selection);
      const count = ids === 'all' ? 'all' : String(ids.length);
      if (flags.json) print(this, jsonSafe({ action: name, taskId, frameIds: ids }, 0));
      else
        print(
          this,
          `task ${taskId}: ${count} frame(s) ${name === 'requeue' ? 'queued to render again' : 'stopped'}; see them with \`openfarm frames ${taskId}\``,
        );
    });
  }
}
