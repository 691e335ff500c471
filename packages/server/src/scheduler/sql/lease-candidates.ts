/**
 * The tasks a node could lease frames from, best first.
 *
 * Order (ARCHITECTURE, Scheduling): priority frames (`pre_frames`, frame type 4)
 * of every task before any main frame; then the task's `taskUserLevel` (higher
 * first); then submit time (older first); then the frame's place in its task.
 *
 * The live tasks (waiting/rendering, not deleted) that have a waiting frame,
 * software the node has (by cg_id), its platform, and that the node is not
 * blocklisted on, minus tasks the caller ruled out (version or hardware
 * mismatch, decided in matching.ts on the cached task). Filtering in SQL means
 * a long queue the node cannot take never hides a task it can. The frame
 * within the task is chosen by the claim (claim-frame.ts).
 *
 * Design record: the first version was one query over all waiting frames
 * joined to their tasks and sorted; it sorted every waiting frame on every
 * lease and fell to 74 frames/s with 5000 queued (bench/dispatch.ts). Ordering
 * tasks (few) and letting the claim take a task's next frame off the
 * `frames_lease_order` index keeps a lease's cost independent of queue length.
 * That held until SQLite learned to flatten `exists` into a join (see
 * `waiting` below): then a lease cost O(waiting frames) again, 287 frames/s
 * with 1,000 queued and 21 with 100,000. The `limit 1` subqueries keep the
 * plan at one index probe per task (test/scheduler-lease-plan.test.ts).
 *
 * Affinity (warm sessions): a node names the tasks whose scene it holds open in
 * an idle renderer (`warmTaskIds`). Among tasks of the same rank (priority
 * frames waiting or not, then `taskUserLevel`) those come first, ahead of
 * submit order, so a node keeps rendering the task it has loaded instead of
 * starting Blender again for an older task of the same level. The rank above
 * is never crossed: a task of a higher level, or with priority frames
 * waiting, still wins. It cannot starve a task either: an older task of the
 * same rank that no node is rendering (no frame running) still comes before
 * the warm one, so the next node to free a slot takes it, and another node's
 * affinity does not keep it waiting behind younger tasks that already have
 * nodes. (A task younger than the warm one waits, as it would without
 * affinity behind an older one.) test/scheduler-affinity.test.ts.
 */
import { FrameStatus, FrameType, TaskStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface TaskFilter {
  readonly workerId: number;
  readonly cgIds: readonly number[];
  readonly platform: number | null;
  readonly blocklistAfter: number;
  readonly excludeTaskIds: readonly number[];
  readonly limit: number;
  /** Tasks the node has warm (an idle renderer with the scene open); may be empty. */
  readonly warmTaskIds?: readonly number[];
}

export async function leaseTasks(db: Kysely<Database>, f: TaskFilter): Promise<number[]> {
  if (f.cgIds.length === 0) return [];
  const warm = f.warmTaskIds ?? [];
  if (warm.length === 0) {
    const rows = await leaseTasksQuery(db, f).execute();
    return rows.map((r) => r.id);
  }
  return withAffinity(await warmLeaseTasksQuery(db, f, warm).execute(), new Set(warm));
}

interface RankedTask {
  readonly id: number;
  readonly prio: unknown;
  readonly level: number;
  readonly submitted: number | string | null;
  readonly busy: unknown;
}

/**
 * The rows come ordered by rank, warm first within a rank, then submit order.
 * Within each rank, an unattended (no frame running) task submitted before the
 * rank's oldest warm task is moved ahead of the warm ones: affinity never keeps
 * an older task that nobody renders waiting.
 */
export function withAffinity(rows: readonly RankedTask[], warm: ReadonlySet<number>): number[] {
  // `exists` is 0/1 on SQLite and a boolean on PostgreSQL; bigints may come back as text.
  const rankOf = (r: RankedTask) => `${Number(r.prio)}:${Number(r.level)}`;
  const age = (r: RankedTask): [number, number] => [Number(r.submitted ?? 0), Number(r.id)];
  const older = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const out: number[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rankOf(rows[j]!) === rankOf(rows[i]!)) j++;
    const group = rows.slice(i, j);
    const warmRows = group.filter((r) => warm.has(r.id));
    if (warmRows.length === 0) out.push(...group.map((r) => r.id));
    else {
      const oldestWarm = warmRows.map(age).reduce((a, b) => (older(a, b) ? a : b));
      const rest = group.filter((r) => !warm.has(r.id));
      const first = rest.filter((r) => !Number(r.busy) && older(age(r), oldestWarm));
      const firstIds = new Set(first.map((r) => r.id));
      out.push(
        ...first.map((r) => r.id),
        ...warmRows.map((r) => r.id),
        ...rest.filter((r) => !firstIds.has(r.id)).map((r) => r.id),
      );
    }
    i = j;
  }
  return out;
}

// `limit 1` keeps each test a correlated probe of one index entry. Without
// it SQLite (3.47+) turns the WHERE's `exists` into a join, and together
// with the ORDER BY's sort that join walked every waiting frame of every
// candidate task: 8 ms a lease with 20,000 queued, 54 ms with 50,000.
const framesIn = (state: number, type?: number) =>
  sql<boolean>`exists (select 1 from frames w where w.task_id = t.id and w.state = ${state}${
    type === undefined ? sql`` : sql` and w.frame_type = ${type}`
  } limit 1)`;
const waiting = (type?: number) => framesIn(FrameStatus.WAITING, type);

/** The statement itself, apart so a test can read its plan. `f.cgIds` must not be empty. */
export function leaseTasksQuery(db: Kysely<Database>, f: TaskFilter) {
  return eligible(db, f)
    .orderBy(sql`case when ${waiting(FrameType.PRIORITY)} then 0 else 1 end`)
    .orderBy('t.task_user_level', 'desc')
    .orderBy('t.submit_date')
    .orderBy('t.id')
    .limit(f.limit);
}

/**
 * The same tasks, warm ones first within their rank, with what withAffinity
 * needs. Up to `limit` more rows than warm tasks, so the warm tasks never push
 * the older ones it may move forward off the list.
 */
export function warmLeaseTasksQuery(db: Kysely<Database>, f: TaskFilter, warm: readonly number[]) {
  return eligible(db, f)
    .select([
      sql<number>`case when ${waiting(FrameType.PRIORITY)} then 0 else 1 end`.as('prio'),
      't.task_user_level as level',
      't.submit_date as submitted',
      framesIn(FrameStatus.RUNNING).as('busy'),
    ])
    .orderBy('prio')
    .orderBy('t.task_user_level', 'desc')
    .orderBy(sql`case when t.id in (${sql.join([...warm])}) then 0 else 1 end`)
    .orderBy('t.submit_date')
    .orderBy('t.id')
    .limit(f.limit + warm.length);
}

/** Live tasks with a waiting frame that this node may render (see the top of the file). */
function eligible(db: Kysely<Database>, f: TaskFilter) {
  let q = db
    .selectFrom('tasks as t')
    .select('t.id')
    .where('t.status', 'in', [TaskStatus.WAITING, TaskStatus.RENDERING])
    .where('t.is_delete', '=', 0)
    // A task whose frames are still being written is leased once the last one exists.
    .where('t.creating_frames', '=', 0)
    .where('t.cg_id', 'in', [...f.cgIds])
    .where(waiting())
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('worker_task_failures as b')
            .select('b.task_id')
            .whereRef('b.task_id', '=', 't.id')
            .where('b.worker_id', '=', f.workerId)
            .where('b.failures', '>=', f.blocklistAfter),
        ),
      ),
    );
  if (f.platform !== null) q = q.where('t.platform', '=', f.platform);
  if (f.excludeTaskIds.length > 0) q = q.where('t.id', 'not in', [...f.excludeTaskIds]);
  return q;
}
