/**
 * The task pages and their actions. Pages answer whole documents; `…/region`
 * answers the live part only (what htmx re-reads on an event); actions answer
 * the refreshed region to htmx, or a redirect back to a plain form post.
 */
import { ApiError } from '@openfarm/protocol';
import {
  STATUS_FILTERS,
  type TaskListFilters,
  type TaskListView,
  type Viewer,
  filterQuery,
  queryString,
  taskDetailPage,
  taskListPage,
  taskLive,
  taskTable,
} from '@openfarm/web';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';
import '../scheduler/tables.js';
import {
  abandonTasks,
  type ActionResult,
  deleteTasks,
  fullSpeed,
  startTasks,
  stopTasks,
  taskTree,
} from '../tasks/actions.js';
import { recordAudit } from '../tasks/audit.js';
import { recommitFrames, recommitTasks } from '../tasks/frame-actions.js';
import { publishChanges } from '../tasks/publish.js';
import { requireTasks } from '../tasks/visibility.js';
import { type DashboardSession, ownOrigin } from './session.js';
import { TASK_PAGE_SIZE, taskDetailData, taskListData } from './task-data.js';

type Query = Record<string, string | string[] | undefined>;
type Notice = { kind: 'info' | 'error'; text: string };

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
const pageNumber = (text: string): number => (/^[1-9]\d{0,5}$/.test(text) ? Number(text) : 1);

function filtersOf(q: Query): TaskListFilters {
  const status = one(q.status);
  return {
    q: one(q.q).slice(0, 200),
    status: STATUS_FILTERS.some((s) => s.value === status) ? status : '',
    project: one(q.project).slice(0, 256),
    page: pageNumber(one(q.page)),
  };
}

export const isHtmx = (request: FastifyRequest): boolean => request.headers['hx-request'] === 'true';

export function viewerOf(session: DashboardSession): Viewer {
  return { name: session.user.name, isAdmin: session.user.is_admin !== 0, csrfToken: session.csrfToken };
}

function idOf(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: 'no such task' });
  return Number(text);
}

function idsOf(values: readonly string[]): number[] {
  return values.filter((v) => /^[1-9]\d{0,15}$/.test(v)).map(Number);
}

const ACTIONS: Record<
  string,
  {
    audit: string;
    done: string;
    run: (db: FastifyInstance['farm']['store']['db'], user: UserRow, ids: number[]) => Promise<ActionResult>;
  }
> = {
  stop: { audit: 'stopTask', done: 'Stopped', run: stopTasks },
  start: { audit: 'startTask', done: 'Started', run: startTasks },
  abandon: { audit: 'abortTask', done: 'Abandoned', run: abandonTasks },
  delete: { audit: 'deleteTask', done: 'Deleted', run: deleteTasks },
  'full-speed': { audit: 'fullSpeed', done: 'Released at full speed', run: fullSpeed },
  retry: {
    audit: 'recommitTasks',
    done: 'Sent the failed frames back to the queue of',
    run: (db, user, ids) => recommitTasks(db, user, ids, undefined),
  },
};

const tasksWord = (n: number) => (n === 1 ? '1 task' : `${n} tasks`);

async function runAction(
  app: FastifyInstance,
  request: FastifyRequest,
  session: DashboardSession,
  action: string,
  ids: number[],
  body: Record<string, unknown>,
): Promise<Notice> {
  const db = app.farm.store.db;
  const user = session.user;
  if (ids.length === 0) return { kind: 'error', text: 'Select at least one task first.' };
  let result: ActionResult;
  let audit: string;
  let text: string;
  const known = ACTIONS[action];
  if (known !== undefined) {
    result = await known.run(db, user, ids);
    audit = known.audit;
    text = `${known.done} ${tasksWord(ids.length)}.`;
  } else if (action === 'rerender') {
    const frames = idsOf(many(body.frame));
    if (frames.length === 0) return { kind: 'error', text: 'Tick the frames to render again first.' };
    result = await recommitFrames(db, user, { taskId: ids[0]!, selectAll: 0, ids: frames });
    audit = 'recommitTaskFrames';
    text =
      frames.length === 1
        ? 'Sent 1 frame back to the queue.'
        : `Sent ${frames.length} frames back to the queue.`;
  } else if (action === 'priority') {
    const level = one(body.priority as string | string[] | undefined) === '60' ? 60 : 50;
    const tree = await taskTree(db, await requireTasks(db, user, ids));
    await db
      .updateTable('tasks')
      .set({ task_user_level: level })
      .where(
        'id',
        'in',
        tree.map((t) => t.id),
      )
      .execute();
    result = { tasks: [], frames: [] };
    audit = 'updatePriority';
    text = `Priority set to ${level === 60 ? 'high' : 'normal'}.`;
  } else {
    return { kind: 'error', text: 'Unknown action.' };
  }
  await recordAudit(db, user, request, {
    kind: 'task',
    buttonName: audit,
    taskIds: ids,
    details: 'dashboard',
  });
  publishChanges(app.farm.events, result);
  return { kind: 'info', text };
}

export function registerTaskRoutes(
  scope: FastifyInstance,
  app: FastifyInstance,
  sessionFor: (request: FastifyRequest) => Promise<DashboardSession>,
): void {
  const db = app.farm.store.db;

  async function listView(
    request: FastifyRequest,
    session: DashboardSession,
    notice?: Notice,
  ): Promise<TaskListView> {
    const filters = filtersOf(request.query as Query);
    const data = await taskListData(db, session.user, filters);
    const nodes = await db.selectFrom('workers').select('id').limit(1).execute();
    return {
      ...data,
      page: filters.page,
      pageSize: TASK_PAGE_SIZE,
      filters,
      notice,
      hasNodes: nodes.length > 0,
      serverUrl: ownOrigin(request),
    };
  }

  scope.get('/tasks', async (request, reply) => {
    const session = await sessionFor(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(taskListPage(await listView(request, session), viewerOf(session)).text);
  });

  scope.get('/tasks/region', async (request, reply) => {
    const session = await sessionFor(request);
    return reply.type('text/html; charset=utf-8').send(taskTable(await listView(request, session)).text);
  });

  scope.post('/tasks/bulk', async (request, reply) => {
    const session = await sessionFor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const action = one(body.action as string | string[] | undefined);
    if (!(action in ACTIONS))
      throw ApiError.of('PARAMETER_INVALID', {
        detail: { field: 'action', reason: 'stop, start, retry, abandon, delete or full-speed' },
      });
    const notice = await runAction(app, request, session, action, idsOf(many(body.id)), body);
    if (!isHtmx(request))
      return reply.redirect(`/tasks${filterQuery(filtersOf(request.query as Query))}`, 303);
    return reply
      .type('text/html; charset=utf-8')
      .send(taskTable(await listView(request, session, notice)).text);
  });

  const detailQuery = (q: Query) => {
    const frame = one(q.frame);
    return {
      framePage: pageNumber(one(q.fpage)),
      chosenFrame: /^[1-9]\d{0,15}$/.test(frame) ? Number(frame) : undefined,
    };
  };

  scope.get<{ Params: { id: string } }>('/tasks/:id', async (request, reply) => {
    const session = await sessionFor(request);
    const q = detailQuery(request.query as Query);
    const view = await taskDetailData(db, session.user, idOf(request.params.id), q);
    const query = queryString({ fpage: q.framePage > 1 ? q.framePage : undefined, frame: q.chosenFrame });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        taskDetailPage(view, viewerOf(session), { query, chosenFrame: q.chosenFrame !== undefined }).text,
      );
  });

  async function sendRegion(
    request: FastifyRequest,
    reply: FastifyReply,
    session: DashboardSession,
    id: number,
    notice?: Notice,
  ) {
    const q = detailQuery(request.query as Query);
    const view = await taskDetailData(db, session.user, id, q);
    const query = queryString({ fpage: q.framePage > 1 ? q.framePage : undefined, frame: q.chosenFrame });
    return reply
      .type('text/html; charset=utf-8')
      .send(taskLive({ ...view, notice }, viewerOf(session), query).text);
  }

  scope.get<{ Params: { id: string } }>('/tasks/:id/region', async (request, reply) => {
    const session = await sessionFor(request);
    return sendRegion(request, reply, session, idOf(request.params.id));
  });

  scope.post<{ Params: { id: string } }>('/tasks/:id/actions', async (request, reply) => {
    const session = await sessionFor(request);
    const id = idOf(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const action = one(body.action as string | string[] | undefined);
    const notice = await runAction(app, request, session, action, [id], body);
    if (action === 'delete' && notice.kind === 'info') {
      // The task is in the recycle bin now: its page answers "not found", so go back to the list.
      if (isHtmx(request)) return reply.header('hx-redirect', '/tasks').code(204).send();
      return reply.redirect('/tasks', 303);
    }
    if (!isHtmx(request)) return reply.redirect(`/tasks/${id}`, 303);
    return sendRegion(request, reply, session, id, notice);
  });
}
