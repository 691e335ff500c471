/** The render environment operator: named software version + plugin sets per user, one default per software. */
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import { pluginById, softwareName } from '../catalog/software.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import type { HandlerContext, HandlerTable } from './handler.js';

interface EnvBody {
  cgId: number;
  cgName: string;
  cgVersion: string;
  editName: string;
  renderSystem: 0 | 1;
  pluginIds: number[];
  renderLayerType?: number | undefined;
  projectPath?: string | undefined;
}

function invalid(ctx: HandlerContext, field: string, reason: string): ApiError {
  return ApiError.of('PARAMETER_INVALID', { path: ctx.request.url, detail: { field, reason } });
}

function checkEnv(ctx: HandlerContext, body: EnvBody): void {
  if (softwareName(body.cgId) === undefined)
    throw invalid(ctx, 'cgId', `software ${body.cgId} is not rendered here`);
  const unknown = body.pluginIds.find((id) => pluginById(id) === undefined);
  if (unknown !== undefined) throw invalid(ctx, 'pluginIds', `no plugin version ${unknown}`);
}

function envColumns(body: EnvBody) {
  return {
    cg_id: body.cgId,
    cg_name: body.cgName,
    cg_version: body.cgVersion,
    render_system: body.renderSystem,
    render_layer_type: body.renderLayerType ?? null,
    project_path: body.projectPath ?? '',
    plugin_ids: JSON.stringify([...new Set(body.pluginIds)]),
  };
}

async function findEnv(db: Kysely<Database>, ctx: HandlerContext, editName: string) {
  const env = await db
    .selectFrom('render_envs')
    .selectAll()
    .where('user_id', '=', ctx.user.id)
    .where('edit_name', '=', editName)
    .executeTakeFirst();
  if (env === undefined) {
    throw ApiError.of('RESOURCE_NOT_FOUND', {
      path: ctx.request.url,
      detail: `render environment ${editName} not found`,
    });
  }
  return env;
}

export const ENV_HANDLERS: HandlerTable = {
  'env.addRenderEnv': async (ctx, body) => {
    checkEnv(ctx, body);
    await ctx.farm.store.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('render_envs')
        .values({
          id: await allocateIds(trx, 'render_envs'),
          user_id: ctx.user.id,
          edit_name: body.editName,
          is_default: 0,
          created_at: Date.now(),
          ...envColumns(body),
        })
        .onConflict((oc) => oc.columns(['user_id', 'edit_name']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
        throw invalid(ctx, 'editName', `a render environment named ${body.editName} exists`);
      }
    });
    return { editName: body.editName };
  },

  'env.updateRenderEnv': async (ctx, body) => {
    checkEnv(ctx, body);
    const db = ctx.farm.store.db;
    const env = await findEnv(db, ctx, body.editName);
    await db.updateTable('render_envs').set(envColumns(body)).where('id', '=', env.id).execute();
    return null;
  },

  'env.deleteRenderEnv': async (ctx, body) => {
    const db = ctx.farm.store.db;
    const env = await findEnv(db, ctx, body.editName);
    await db.deleteFrom('render_envs').where('id', '=', env.id).execute();
    return null;
  },

  'env.setDefaultRenderEnv': async (ctx, body) => {
    await ctx.farm.store.db.transaction().execute(async (trx) => {
      const env = await findEnv(trx, ctx, body.editName);
      await trx
        .updateTable('render_envs')
        .set({ is_default: 0 })
        .where('user_id', '=', ctx.user.id)
        .where('cg_id', '=', env.cg_id)
        .execute();
      await trx.updateTable('render_envs').set({ is_default: 1 }).where('id', '=', env.id).execute();
    });
    return null;
  },

  'env.getRenderEnv': async ({ user, farm }, body) => {
    let q = farm.store.db.selectFrom('render_envs').selectAll().where('user_id', '=', user.id);
    const cgIds = [...(body.cgId !== undefined ? [body.cgId] : []), ...(body.cgIds ?? [])];
    if (cgIds.length > 0) q = q.where('cg_id', 'in', cgIds);
    if (body.osName !== undefined) q = q.where('render_system', '=', body.osName);
    const rows = await q.orderBy('id').execute();
    return rows.map((e) => ({
      cgId: e.cg_id,
      editName: e.edit_name,
      cgName: e.cg_name,
      cgVersion: e.cg_version,
      osName: e.render_system,
      renderLayerType: e.render_layer_type,
      isDefault: e.is_default,
      respUserPluginInfoVos: (JSON.parse(e.plugin_ids) as number[]).flatMap((id) => {
        const p = pluginById(id);
        return p === undefined ? [] : [p];
      }),
    }));
  },
};
