/**
 * The data behind the task pages, read with the caller's rights: the list
 * (filtered, one page, counters and time-left estimates) and one task's
 * detail (frames page, outputs, the frame whose log is shown).
 */
import { FrameStatus, type TaskInfo, TaskStatus } from '@openfarm/protocol';
import {
  type FrameView,
  type OutputFileView,
  STATUS_FILTERS,
  type TaskDetailView,
  type TaskListFilters,
  type TaskSummary,
} from '@openfarm/web';
import { type Kysely, sql } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import '../scheduler/tables.js';
import type { Database } from '../store/database.js';
import { taskInfos } from '../tasks/task-info.js';
import { listTasks } from '../tasks/task-list.js';
import { leafTaskIds, requireTasks, visibleOwnerIds } from '../tasks/visibility.js';
import { listManifest } from '../transfer/manifest.js';

export const TASK_PAGE_SIZE = 50;
export const FRAME_PAGE_SIZE = 200;
export const OUTPUT_LIST_LIMIT = 200;

const ACTIVE = new Set<number>([TaskStatus.WAITING, TaskStatus.RENDERING, TaskStatus.PREPROCESSING]);

/** Mean render time of done frames and how many frames render now, per leaf task. */
async function renderStats(
  db: Kysely<Database>,
  leafIds: readonly number[],
): Promise<Map<number, { doneSec: number; done: number }>> {
  if (leafIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('frames')
    .select([
      'task_id',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>(sql<number>`ended_at - started_at`).as('ms'),
    ])
    .where('task_id', 'in', [...leafIds])
    .where('state', '=', FrameStatus.DONE)
    .where('started_at', 'is not', null)
    .where('ended_at', 'is not', null)
    .groupBy('task_id')
    .execute();
  return new Map(rows.map((r) => [r.task_id, { doneSec: Number(r.ms) / 1000, done: Number(r.n) }]));
}

/**
 * Seconds left: the frames still to render times the mean render time of the
 * finished ones, divided by the frames rendering at once. Null until a frame
 * finished, or when the task is not going to render anything more.
 */
function estimate(info: TaskInfo, stats: { doneSec: number; done: number } | undefined): number | null {
  if (!ACTIVE.has(info.taskStatus) || stats === undefined || stats.done === 0) return null;
  const running = info.executingFrames ?? 0;
  const left = (info.waitingCount ?? 0) + running;
  return (left * (stats.doneSec / stats.done)) / Math.max(1, running);
}

function summaryOf(info: TaskInfo, etaSec: number | null): TaskSummary {
  return {
    id: info.id,
    sceneName: info.sceneName ?? '',
    projectName: info.projectName ?? '',
    alias: info.taskAlias ?? '',
    layerName: info.layerName ?? '',
    userName: info.userName ?? '',
    status: info.taskStatus,
    totalFrames: info.totalFrames ?? 0,
    doneFrames: info.doneFrames ?? 0,
    failedFrames: info.failedFrames ?? 0,
    runningFrames: info.executingFrames ?? 0,
    waitingFrames: info.waitingCount ?? 0,
    stoppedFrames: info.abortFrames ?? 0,
    submitDate: info.submitDate ?? null,
    startTime: info.startTime ?? null,
    completedDate: info.completedDate ?? null,
    priority: info.taskUserLevel ?? 50,
    etaSec,
  };
}

/** Summaries of top-level tasks (children summed into their parents), with estimates. */
async function summaries(db: Kysely<Database>, infos: readonly TaskInfo[]): Promise<TaskSummary[]> {
  const leafOf = new Map<number, number[]>();
  for (const i of infos) leafOf.set(i.id, i.respRenderingTaskList?.map((c) => c.id) ?? [i.id]);
  const stats = await renderStats(db, [...leafOf.values()].flat());
  return infos.map((i) => {
    const own = leafOf.get(i.id)!.map((id) => stats.get(id));
    const sum = own.reduce(
      (acc: { doneSec: number; done: number }, s) =>
        s === undefined ? acc : { doneSec: acc.doneSec + s.doneSec, done: acc.done + s.done },
      { doneSec: 0, done: 0 },
    );
    return summaryOf(i, estimate(i, sum));
  });
}

/** The task list as getTaskList reads it (same filters and search), plus the project filter's choices. */
export async function taskListData(
  db: Kysely<Database>,
  user: UserRow,
  filters: TaskListFilters,
  pageSize = TASK_PAGE_SIZE,
): Promise<{ tasks: TaskSummary[]; total: number; projects: string[] }> {
  const page = await listTasks(db, user, {
    pageNum: filters.page,
    pageSize,
    statusList: STATUS_FILTERS.find((s) => s.value === filters.status)?.statuses,
    searchKeyword: filters.q,
    projectName: filters.project,
  });
  const projects = await db
    .selectFrom('tasks')
    .select('project_name')
    .distinct()
    .where('user_id', 'in', await visibleOwnerIds(db, user))
    .where('parent_id', 'is', null)
    .where('is_delete', '=', 0)
    .where('project_name', '!=', '')
    .orderBy('project_name')
    .limit(500)
    .execute();
  return {
    tasks: await summaries(db, page.items),
    total: page.total,
    projects: projects.map((p) => p.project_name),
  };
}

type FrameRow = {
  id: number;
  task_id: number;
  frame_index: string;
  state: number;
  attempt: number;
  node_name: string | null;
  started_at: number | null;
  ended_at: number | null;
  thumbnail_path: string | null;
  progress: number;
  last_error: string | null;
};

const FRAME_COLUMNS = [
  'id',
  'task_id',
  'frame_index',
  'state',
  'attempt',
  'node_name',
  'started_at',
  'ended_at',
  'thumbnail_path',
  'progress',
  'last_error',
] as const;

function frameView(f: FrameRow, now = Date.now()): FrameView {
  return {
    id: f.id,
    taskId: f.task_id,
    frameIndex: f.frame_index,
    state: f.state,
    attempts: f.attempt,
    node: f.node_name,
    renderSec: f.started_at === null ? null : ((f.ended_at ?? now) - f.started_at) / 1000,
    hasThumbnail: f.thumbnail_path !== null && f.state === FrameStatus.DONE,
    progress: f.progress,
    error: f.last_error,
  };
}

export async function taskDetailData(
  db: Kysely<Database>,
  user: UserRow,
  taskId: number,
  options: { framePage: number; chosenFrame?: number | undefined },
): Promise<Omit<TaskDetailView, 'notice'>> {
  // Another user's task answers exactly like a missing one (RESOURCE_NOT_FOUND).
  const [row] = await requireTasks(db, user, [taskId]);
  const [task] = await summaries(db, await taskInfos(db, [row!]));
  const leaves = await leafTaskIds(db, [row!]);
  const childRows =
    leaves.length === 1 && leaves[0] === row!.id
      ? []
      : await db.selectFrom('tasks').selectAll().where('parent_id', '=', row!.id).orderBy('id').execute();
  const children = childRows.length > 0 ? await summaries(db, await taskInfos(db, childRows)) : [];

  const frames = db.selectFrom('frames').where('task_id', 'in', leaves);
  const { total } = await frames
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const pages = Math.max(1, Math.ceil(Number(total) / FRAME_PAGE_SIZE));
  const framePage = Math.min(Math.max(1, options.framePage), pages);
  const frameRows = await frames
    .select([...FRAME_COLUMNS])
    .orderBy('task_id')
    .orderBy('chunk_index')
    .limit(FRAME_PAGE_SIZE)
    .offset((framePage - 1) * FRAME_PAGE_SIZE)
    .execute();

  let logRow: FrameRow | undefined;
  if (options.chosenFrame !== undefined)
    logRow = await frames
      .select([...FRAME_COLUMNS])
      .where('id', '=', options.chosenFrame)
      .executeTakeFirst();
  logRow ??= await frames
    .select([...FRAME_COLUMNS])
    .where('state', '=', FrameStatus.RUNNING)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  logRow ??= await frames
    .select([...FRAME_COLUMNS])
    .where('started_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();

  const folders = await db
    .selectFrom('tasks')
    .select('output_file_name')
    .distinct()
    .where('id', 'in', [row!.id, ...leaves])
    .where('output_file_name', '!=', '')
    .execute();
  const outputs: OutputFileView[] = [];
  let outputsTruncated = false;
  for (const { output_file_name: folder } of folders) {
    const left = OUTPUT_LIST_LIMIT - outputs.length;
    if (left <= 0) {
      outputsTruncated = true;
      break;
    }
    const listed = await listManifest(db, row!.user_id, 'output', `/${folder}`, { limit: left });
    outputs.push(...listed.entries.map((e) => ({ path: e.path, size: e.size, mtime: e.mtime })));
    if (listed.next !== null) outputsTruncated = true;
  }

  return {
    task: task!,
    children,
    frames: frameRows.map((f) => frameView(f)),
    frameTotal: Number(total),
    framePage,
    framePageSize: FRAME_PAGE_SIZE,
    outputs,
    outputsTruncated,
    logFrame: logRow === undefined ? null : frameView(logRow),
  };
}

/** Output folders of a task tree: where its download links may point. */
export async function outputFolders(
  db: Kysely<Database>,
  user: UserRow,
  taskId: number,
): Promise<{ owner: number; folders: string[] }> {
  const [row] = await requireTasks(db, user, [taskId]);
  const leaves = await leafTaskIds(db, [row!]);
  const rows = await db
    .selectFrom('tasks')
    .select('output_file_name')
    .distinct()
    .where('id', 'in', [row!.id, ...leaves])
    .where('output_file_name', '!=', '')
    .execute();
  return { owner: row!.user_id, folders: rows.map((r) => r.output_file_name) };
}
