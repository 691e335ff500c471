/** Task rows → the reference's TaskInfo objects, with counters and child tasks. */
import type { TaskInfo } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { addCounters, countersByTask, type FrameCounters, ZERO_COUNTERS } from './counters.js';
import type { TaskRow } from './visibility.js';

function toInfo(t: TaskRow, counters: FrameCounters, userName: string, bid: string | undefined): TaskInfo {
  const now = Date.now();
  const renderDuration =
    t.start_time !== null ? Math.round(((t.completed_date ?? now) - t.start_time) / 1000) : 0;
  return {
    id: t.id,
    taskAlias: t.alias,
    sceneName: t.scene_name,
    taskStatus: t.status,
    statusText: `render_task_status_${t.status}`,
    preTaskStatus: t.pre_status,
    preStatusText: t.pre_status === null ? null : `render_task_status_${t.pre_status}`,
    totalFrames: counters.totalFrames,
    doneFrames: counters.doneFrames,
    failedFrames: counters.failedFrames,
    executingFrames: counters.executingFrames,
    waitingCount: counters.waitingFrames,
    abortFrames: counters.abortFrames,
    framesRange: t.frames_range,
    projectName: t.project_name,
    renderConsume: 0,
    taskArrears: 0,
    submitDate: t.submit_date,
    startTime: t.start_time,
    completedDate: t.completed_date,
    renderDuration,
    userName,
    userId: t.user_id,
    producer: t.producer,
    taskLevel: t.task_user_level,
    taskUserLevel: t.task_user_level,
    taskOverTime: t.time_out,
    overTimeStop: t.over_time_stop,
    isOverTime:
      t.start_time !== null && t.completed_date === null && now - t.start_time > t.time_out * 1000 ? 1 : 0,
    outputFileName: t.output_file_name,
    munuTaskId: String(t.id),
    layerParentId: t.parent_id,
    cgId: t.cg_id,
    taskKeyValueVo: {
      tiles: '1',
      allCamera: [],
      renderableCamera: t.render_camera === '' ? [] : t.render_camera.split(','),
    },
    isOpen: 0,
    taskType: 'Render',
    renderCamera: t.render_camera,
    cloneParentId: t.clone_parent_id,
    cloneOriginalId: t.clone_original_id,
    taskRam: t.ram,
    layerName: t.layer_name,
    isDelete: t.is_delete,
    channel: t.channel,
    remark: t.remark,
    // openfarm's own field: why the farm failed the task (null unless it did).
    failReason: t.fail_reason,
    bid: bid ?? null,
    // Never null: the reference client iterates it (get_small_task_id).
    respRenderingTaskList: [],
  };
}

/**
 * TaskInfo for each task, in the given order. Parents get their children in
 * `respRenderingTaskList` (isOpen 1) and counters summed over them.
 */
export async function taskInfos(db: Kysely<Database>, tasks: readonly TaskRow[]): Promise<TaskInfo[]> {
  if (tasks.length === 0) return [];
  const children = await db
    .selectFrom('tasks')
    .selectAll()
    .where(
      'parent_id',
      'in',
      tasks.map((t) => t.id),
    )
    .orderBy('id')
    .execute();
  const all = [...tasks, ...children];
  const counters = await countersByTask(
    db,
    all.map((t) => t.id),
  );
  const users = await db
    .selectFrom('users')
    .select(['id', 'name', 'output_bid'])
    .where('id', 'in', [...new Set(all.map((t) => t.user_id))])
    .execute();
  const userById = new Map(users.map((u) => [u.id, u]));
  const info = (t: TaskRow, c: FrameCounters) => {
    const u = userById.get(t.user_id);
    return toInfo(t, c, u?.name ?? '', u?.output_bid);
  };
  return tasks.map((t) => {
    const kids = children.filter((c) => c.parent_id === t.id);
    if (kids.length === 0) return info(t, counters.get(t.id) ?? ZERO_COUNTERS);
    const kidInfos = kids.map((k) => info(k, counters.get(k.id) ?? ZERO_COUNTERS));
    const sum = kids.reduce((acc, k) => addCounters(acc, counters.get(k.id) ?? ZERO_COUNTERS), {
      ...ZERO_COUNTERS,
    });
    return { ...info(t, sum), isOpen: 1, respRenderingTaskList: kidInfos };
  });
}
