/**
 * Following submitted tasks to their end, with the live progress line: just
 * watching (`wait`, `submit --wait`) or downloading frames as they finish
 * (`render`, `submit --download DIR`). Ctrl-C stops following, never the
 * farm, and says how to pick up again.
 */
import { TASK_STATUS_WORDS, TaskStatus, wordFor } from '@openfarm/protocol';
import { type RayvisionAPI, RayvisionDownload } from '@openfarm/sdk';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { noticesOf, print, terminalSafe } from '../output.js';
import { exitCodeOf, followTasks, lineMode, ProgressLine, type TaskSnapshot } from '../task-progress.js';
import { followAgainCommand, untilInterrupted } from './interrupt.js';
import { reportOutages } from './transfer.js';

export interface FollowFlags {
  json?: boolean;
  server?: string;
}

/** One summary line per ended task, and the exit code of the worst. */
function finish(command: Command, snaps: readonly TaskSnapshot[], flags: FollowFlags, extra = ''): void {
  const code = Math.max(0, ...snaps.map((s) => exitCodeOf(s.status)));
  if (flags.json) {
    print(
      command,
      JSON.stringify(
        snaps.map((s) => ({
          ...s,
          statusWord: wordFor(TASK_STATUS_WORDS, s.status),
          exitCode: exitCodeOf(s.status),
        })),
      ),
    );
  } else {
    for (const s of snaps) {
      let next = '';
      if (s.status === TaskStatus.FINISHED_WITH_FAILURES || s.status === TaskStatus.FAILED)
        next = `; see why with \`openfarm frames ${s.taskId} --status failed\`, render them again with \`openfarm retry ${s.taskId}\``;
      else if (s.status === TaskStatus.TEST_DONE)
        next = `; render the rest with \`openfarm full-speed ${s.taskId}\``;
      print(
        command,
        `task ${s.taskId}: ${wordFor(TASK_STATUS_WORDS, s.status)}, ${s.done}/${s.total} frames done, ${s.failed} failed${extra}${next}`,
      );
    }
  }
  if (code !== 0) process.exitCode = code;
}

/** Follow tasks to their end with the progress line; the exit code says how they ended. */
export async function waitForTasks(
  command: Command,
  api: RayvisionAPI,
  taskIds: readonly number[],
  flags: FollowFlags & { isTestStop?: boolean },
): Promise<void> {
  const line = new ProgressLine(lineMode(flags.json));
  const { value, interruptedBy } = await untilInterrupted((signal) =>
    followTasks(api, taskIds, line, {
      signal,
      ...(flags.isTestStop !== undefined ? { isTestStop: flags.isTestStop } : {}),
    }),
  );
  if (interruptedBy !== undefined) {
    print(
      command,
      `${interruptedBy}: stopped waiting; the farm keeps rendering. Wait again with: openfarm wait ${taskIds.join(' ')}`,
    );
    return;
  }
  finish(command, value, flags);
}

/**
 * Follow one task to its end, downloading each frame as it finishes into
 * `to` (flat), with the progress line; the exit code says how it ended.
 */
export async function downloadWhileRendering(
  command: Command,
  api: RayvisionAPI,
  taskId: number,
  to: string,
  flags: FollowFlags & { isTestStop?: boolean },
): Promise<void> {
  const line = new ProgressLine(lineMode(flags.json));
  const download = new RayvisionDownload(api);
  download.on('file', (f) => {
    if (!flags.json) line.above(() => print(command, `  ${terminalSafe(f.localPath)}`));
  });
  reportOutages(download, (text) => line.above(() => noticesOf(command)(text)));
  let downloading = true;
  const { value, interruptedBy } = await untilInterrupted(async (signal) => {
    const watching = followTasks(api, [taskId], line, {
      signal,
      tolerant: true,
      until: () => !downloading,
      ...(flags.isTestStop !== undefined ? { isTestStop: flags.isTestStop } : {}),
    });
    try {
      return await download.autoDownload([taskId], {
        localPath: to,
        downloadFilenameFormat: false,
        sleepTime: 2,
        signal,
        ...(flags.isTestStop !== undefined ? { isTestStop: flags.isTestStop } : {}),
      });
    } finally {
      downloading = false;
      await watching;
    }
  });
  if (interruptedBy !== undefined) {
    print(
      command,
      `${interruptedBy}: stopped following task ${taskId}; the farm keeps rendering it. ` +
        `${value.downloadedFiles} file(s) in ${to}; get the rest with:\n` +
        `  ${followAgainCommand({ taskIds: [taskId], flat: true, to, server: flags.server })}`,
    );
  } else {
    const snaps = await followTasks(api, [taskId], new ProgressLine('off'));
    finish(command, snaps, flags, `; ${value.downloadedFiles} file(s) in ${to}`);
  }
  if (value.failures.length > 0)
    throw new CliError(
      'SDK_ERROR',
      `${value.failures.length} file(s) failed to download; get them with \`openfarm download ${taskId} --flat --to ${to}\``,
    );
}
