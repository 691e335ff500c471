/** The query operator's frame calls: frame pages, account stats, re-render, stop, logs, thumbnails, progress. */
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import { pageOf } from '../http/paging.js';
import type { Database } from '../store/database.js';
import { recordAudit } from '../tasks/audit.js';
import { counterOf } from '../tasks/counters.js';
import { recommitFrames, recommitTasks, stopSelectedFrames } from '../tasks/frame-actions.js';
import { publishChanges } from '../tasks/publish.js';
import { leafTaskIds, requireTasks, visibleOwnerIds } from '../tasks/visibility.js';
import { thumbnailUrl } from '../web/thumbnail-url.js';
import type { HandlerTable } from './handler.js';

/** A frame of a task the caller may see; otherwise 404, as for a frame that does not exist. */
async function requireFrame(db: Kysely<Database>, user: UserRow, frameId: number) {
  const owners = await visibleOwnerIds(db, user);
  const frame = await db
    .selectFrom('frames')
    .selectAll()
    .where('id', '=', frameId)
    .where('user_id', 'in', owners)
    .executeTakeFirst();
  if (frame === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `frame ${frameId} not found` });
  return frame;
}

export const FRAME_HANDLERS: HandlerTable = {
  'query.taskFrames': async ({ user, farm }, body) => {
    const db = farm.store.db;
    const tasks = await requireTasks(db, user, [body.taskId], { includeDeleted: true });
    const leaves = await leafTaskIds(db, tasks);
    const platforms = new Map(
      (await db.selectFrom('tasks').select(['id', 'platform']).where('id', 'in', leaves).execute()).map(
        (t) => [t.id, t.platform],
      ),
    );
    let base = db.selectFrom('frames').where('task_id', 'in', leaves);
    const keyword = body.searchKeyword?.trim();
    if (keyword !== undefined && keyword !== '')
      base = base.where('frame_index', 'like', `%${keyword.replace(/[\\%_]/g, '')}%`);
    const { total } = await base
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('task_id')
      .orderBy('chunk_index')
      .limit(body.pageSize)
      .offset((body.pageNum - 1) * body.pageSize)
      .execute();
    const items = rows.map((f) => ({
      id: f.id,
      userId: f.user_id,
      taskId: f.task_id,
      frameIndex: f.frame_index,
      frameBlock: f.frame_block,
      frameStatus: f.state,
      frameStatusText: `render_frame_status_${f.state}`,
      frameType: f.frame_type,
      platform: platforms.get(f.task_id) ?? null,
      feeType: 0,
      framePrice: 0,
      feeAmount: 0,
      couponFee: 0,
      arrearsFee: 0,
      startTime: f.started_at,
      endTime: f.ended_at,
      frameExecuteTime:
        f.started_at !== null ? Math.round(((f.ended_at ?? Date.now()) - f.started_at) / 1000) : 0,
      munuTaskId: String(f.task_id),
      munuJobId: String(f.id),
      recommitFlag: f.recommit_flag,
      isCopy: 0,
      // openfarm's own fields (the reference has none for them): what the CLI's frame table shows.
      progress: f.progress,
      nodeName: f.node_name,
      lastError: f.last_error,
    }));
    return pageOf(items, Number(total), body.pageNum, body.pageSize);
  },

  'query.allFrameStatus': async ({ user, farm }) => {
    const rows = await farm.store.db
      .selectFrom('frames')
      .innerJoin('tasks', 'tasks.id', 'frames.task_id')
      .select(['frames.state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('frames.user_id', 'in', await visibleOwnerIds(farm.store.db, user))
      .where('tasks.is_delete', '=', 0)
      .groupBy('frames.state')
      .execute();
    const stats = {
      executingFramesTotal: 0,
      doneFramesTotal: 0,
      failedFramesTotal: 0,
      waitingFramesTotal: 0,
      totalFrames: 0,
    };
    for (const r of rows) {
      const n = Number(r.n);
      stats.totalFrames += n;
      const c = counterOf(r.state);
      if (c === 'executingFrames') stats.executingFramesTotal += n;
      else if (c === 'doneFrames') stats.doneFramesTotal += n;
      else if (c === 'failedFrames') stats.failedFramesTotal += n;
      else if (c === 'waitingFrames') stats.waitingFramesTotal += n;
    }
    return stats;
  },

  'query.restartFailedFrames': async (ctx, body) => {
    const result = await recommitTasks(ctx.farm.store.db, ctx.user, body.taskIds, body.status);
    await recordAudit(ctx.farm.store.db, ctx.user, ctx.request, {
      kind: 'task',
      buttonName: 'recommitTasks',
      taskIds: body.taskIds,
    });
    publishChanges(ctx.farm.events, result);
    return null;
  },

  'query.restartFrame': async (ctx, body) => {
    const result = await recommitFrames(ctx.farm.store.db, ctx.user, body);
    await recordAudit(ctx.farm.store.db, ctx.user, ctx.request, {
      kind: 'task',
      buttonName: 'recommitTaskFrames',
      taskIds: [body.taskId],
    });
    publishChanges(ctx.farm.events, result);
    return null;
  },

  'query.stopFrame': async (ctx, body) => {
    const result = await stopSelectedFrames(ctx.farm.store.db, ctx.user, body);
    await recordAudit(ctx.farm.store.db, ctx.user, ctx.request, {
      kind: 'task',
      buttonName: 'stopTaskFrames',
      taskIds: [body.taskId],
    });
    publishChanges(ctx.farm.events, result);
    return null;
  },

  'query.getRenderLog': async ({ user, farm }, body) => {
    const frame = await requireFrame(farm.store.db, user, body.id);
    const pageNum = body.pageNum ?? 1;
    const pageSize = body.pageSize ?? 100;
    const base = farm.store.db
      .selectFrom('frame_log_lines')
      .where('frame_id', '=', frame.id)
      .where('rendering_type', '=', body.renderingType ?? 'render');
    const { total } = await base
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow();
    const lines = await base
      .select('line')
      .orderBy('seq')
      .limit(pageSize)
      .offset((pageNum - 1) * pageSize)
      .execute();
    return pageOf(
      lines.map((l) => l.line),
      Number(total),
      pageNum,
      pageSize,
    );
  },

  // Like the reference, URLs a client can fetch as they are (see web/thumbnail-url.ts).
  'query.getFrameThumbnail': async ({ user, farm, request }, body) => {
    const frame = await requireFrame(farm.store.db, user, body.id);
    return frame.thumbnail_path !== null ? [await thumbnailUrl(farm.store.db, request, frame.id)] : [];
  },

  // Block (tiled) progress images exist for 3ds Max block renders only; other tasks have none to show.
  'query.getTaskProcessingImg': async ({ user, farm }, body) => {
    const [task] = await requireTasks(farm.store.db, user, [body.taskId], { includeDeleted: true });
    return {
      width: null,
      height: null,
      block: 0,
      isRenderPhoton: false,
      currentTaskType: 'Render',
      sceneName: task?.scene_name ?? '',
      startTime: task?.start_time ?? null,
      endTime: task?.completed_date ?? null,
      grabInfo: [],
    };
  },
};
