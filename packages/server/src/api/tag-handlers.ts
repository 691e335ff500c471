/** The tag operator: projects (the reference's "labels") in three scopes, and task tags. */
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import { requireTasks, visibleOwnerIds } from '../tasks/visibility.js';
import type { HandlerTable } from './handler.js';

/** Owners whose projects a `flag` scope covers: 0 own; 1 own + main account; 2 everyone under the same main account. */
async function projectOwners(db: Kysely<Database>, user: UserRow, flag: number): Promise<number[]> {
  if (flag === 0) return [user.id];
  const mainId = user.main_user_id ?? user.id;
  if (flag === 1) return [...new Set([user.id, mainId])];
  const subs = await db.selectFrom('users').select('id').where('main_user_id', '=', mainId).execute();
  return [mainId, ...subs.map((s) => s.id)];
}

async function projectList(db: Kysely<Database>, owners: readonly number[]) {
  const rows = await db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('user_id', 'in', [...owners])
    .orderBy('id')
    .execute();
  return { projectNameList: rows.map((r) => ({ projectId: r.id, projectName: r.name })) };
}

export const TAG_HANDLERS: HandlerTable = {
  // Adding a project that exists is a no-op: the reference client adds, then re-reads the list.
  'tag.addLabel': async ({ user, farm }, body) => {
    await farm.store.db.transaction().execute(async (trx) => {
      // ON CONFLICT rather than read-then-insert: two concurrent adds of one name both succeed.
      await trx
        .insertInto('projects')
        .values({
          id: await allocateIds(trx, 'projects'),
          user_id: user.id,
          name: body.newName,
          status: body.status === undefined ? 1 : Number(body.status),
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['user_id', 'name']).doNothing())
        .execute();
    });
    return null;
  },

  'tag.deleteLabel': async (ctx, body) => {
    const result = await ctx.farm.store.db
      .deleteFrom('projects')
      .where('user_id', '=', ctx.user.id)
      .where('name', '=', body.delName)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw ApiError.of('RESOURCE_NOT_FOUND', {
        path: ctx.request.url,
        detail: `project ${body.delName} not found`,
      });
    }
    return null;
  },

  'tag.getLabelList': async ({ user, farm }) => projectList(farm.store.db, [user.id]),

  'tag.getList': async ({ user, farm }, body) =>
    projectList(farm.store.db, await projectOwners(farm.store.db, user, body.flag ?? 0)),

  'tag.addTaskTag': async ({ user, farm }, body) => {
    await farm.store.db.transaction().execute(async (trx) => {
      const tasks = await requireTasks(trx, user, body.taskIds);
      const first = await allocateIds(trx, 'task_labels', tasks.length);
      await trx
        .insertInto('task_labels')
        .values(
          tasks.map((t, i) => ({ id: first + i, task_id: t.id, user_id: t.user_id, label: body.label })),
        )
        .onConflict((oc) => oc.columns(['task_id', 'label']).doNothing())
        .execute();
    });
    return null;
  },

  'tag.deleteTaskTag': async (ctx, body) => {
    const db = ctx.farm.store.db;
    // The two documented body variants: tag ids, or task ids with tag names.
    // The reference client sends `labelIds: []` beside task ids and names when
    // it has no tag ids, so an empty list means the second variant.
    const labelIds = (body as { labelIds?: number[] }).labelIds;
    if (labelIds !== undefined && labelIds.length > 0) {
      const owners = await visibleOwnerIds(db, ctx.user);
      const found = await db
        .selectFrom('task_labels')
        .select('id')
        .where('id', 'in', labelIds)
        .where('user_id', 'in', owners)
        .execute();
      if (found.length !== new Set(labelIds).size) {
        const have = new Set(found.map((f) => f.id));
        const missing = labelIds.find((id) => !have.has(id));
        throw ApiError.of('RESOURCE_NOT_FOUND', {
          path: ctx.request.url,
          detail: `task tag ${missing} not found`,
        });
      }
      await db.deleteFrom('task_labels').where('id', 'in', labelIds).execute();
    } else {
      const { taskIds, labelNames } = body as { taskIds: number[]; labelNames: string[] };
      const tasks = await requireTasks(db, ctx.user, taskIds);
      await db
        .deleteFrom('task_labels')
        .where(
          'task_id',
          'in',
          tasks.map((t) => t.id),
        )
        .where('label', 'in', labelNames)
        .execute();
    }
    return null;
  },
};
