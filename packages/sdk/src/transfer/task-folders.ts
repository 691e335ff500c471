/**
 * Tasks → output folders, as the reference's RayvisionManageTask: a parent
 * task with children (`isOpen == 1`) stands for its child tasks; each leaf's
 * results live in the output storage folder named by its `outputFileName`.
 */
import { posix } from 'node:path';
import { isTaskEnded, serverPathToLocal, type TaskInfo } from '@openfarm/protocol';
import { hostPaths, type LocalPaths } from './local-paths.js';
import { windowsNameProblem } from './windows-names.js';

export interface TaskQuery {
  taskInfo(taskIds: number[]): Promise<{ items: TaskInfo[] }>;
}

export interface TaskFolder {
  taskId: number;
  /** `<taskId>_<scene>`: the folder at the root of the output storage. */
  outputFileName: string;
  status: number;
  /** The task's owner: a main account reads a sub-account's results from that user's output storage. */
  userId?: number;
}

export interface ResolvedTask {
  taskId: number;
  leaves: TaskFolder[];
  /** Every leaf is in an end state (§6.6); false while anything still runs. */
  ended: boolean;
}

function leavesOf(info: TaskInfo, out: TaskFolder[]): void {
  const children = info.respRenderingTaskList ?? [];
  if (info.isOpen === 1 && children.length > 0) {
    for (const c of children) leavesOf(c, out);
    return;
  }
  out.push({
    taskId: info.id,
    outputFileName: info.outputFileName ?? '',
    status: info.taskStatus,
    ...(typeof info.userId === 'number' ? { userId: info.userId } : {}),
  });
}

/** Resolve each task id; a task the farm does not know is an error naming it. */
export async function resolveTasks(
  query: TaskQuery,
  taskIds: readonly number[],
  isTestStop = false,
): Promise<ResolvedTask[]> {
  const { items } = await query.taskInfo([...taskIds]);
  return taskIds.map((taskId) => {
    const info = items.find((i) => i.id === taskId);
    if (info === undefined) throw new Error(`task ${taskId} not found`);
    const leaves: TaskFolder[] = [];
    leavesOf(info, leaves);
    return { taskId, leaves, ended: leaves.every((l) => isTaskEnded(l.status, isTestStop)) };
  });
}

/**
 * The local folder a storage folder's files land in: `<localPath>/<its name>`
 * (`<taskId>_<scene>` for a task) when the reference's `downloadFilenameFormat`
 * keeps folders, else `localPath` itself; joined with the local path's rules.
 */
export function localFolderOf(
  serverFolder: string,
  localPath: string,
  keep: boolean,
  paths: LocalPaths = hostPaths,
): string {
  return keep && serverFolder !== '/' ? paths.join(localPath, posix.basename(serverFolder)) : localPath;
}

/**
 * Where the file `serverPath` found under `serverFolder` goes: its path below
 * the folder, under {@link localFolderOf}; never outside it (serverPathToLocal).
 * Under Windows rules a name Windows cannot hold is refused (windows-names.ts).
 */
export function localFileOf(
  serverPath: string,
  serverFolder: string,
  root: string,
  paths: LocalPaths = hostPaths,
): string {
  const rest = serverFolder === '/' ? serverPath : serverPath.slice(serverFolder.length);
  if (paths.sep === '\\') {
    for (const name of rest.split('/')) {
      const problem = name === '' ? undefined : windowsNameProblem(name);
      if (problem !== undefined) throw new Error(`cannot be saved on Windows: ${problem} (${name})`);
    }
  }
  return serverPathToLocal(rest, root, paths);
}
