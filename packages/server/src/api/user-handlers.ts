/** The user operator: profile, settings, storage ids, hardware configurations, audit records. */
import type { Kysely } from 'kysely';
import { pageOf } from '../http/paging.js';
import type { Database } from '../store/database.js';
import { recordAudit } from '../tasks/audit.js';
import { parseDateTime } from '../tasks/task-list.js';
import { requireTasks } from '../tasks/visibility.js';
import type { HandlerContext, HandlerTable } from './handler.js';

function platformHeader(ctx: HandlerContext): number | null {
  const p = ctx.request.headers.platform;
  const text = Array.isArray(p) ? p[0] : p;
  return text !== undefined && /^\d{1,6}$/.test(text) ? Number(text) : null;
}

async function auditPage(
  db: Kysely<Database>,
  userId: number,
  kind: 'task' | 'login',
  q: { pageNum: number; pageSize: number; startDate?: string | undefined; endDate?: string | undefined },
) {
  let base = db.selectFrom('audit_records').where('user_id', '=', userId).where('kind', '=', kind);
  if (q.startDate !== undefined) base = base.where('created_at', '>=', parseDateTime(q.startDate, false));
  if (q.endDate !== undefined) base = base.where('created_at', '<=', parseDateTime(q.endDate, true));
  const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('id', 'desc')
    .limit(q.pageSize)
    .offset((q.pageNum - 1) * q.pageSize)
    .execute();
  return { rows, total: Number(total) };
}

export const USER_HANDLERS: HandlerTable = {
  'user.queryUserProfile': async (ctx) => {
    const { user } = ctx;
    // The reference client logs in by reading the profile; that is the login the audit log records.
    await recordAudit(ctx.farm.store.db, user, ctx.request, { kind: 'login', buttonName: 'login' });
    return {
      userId: user.id,
      userName: user.name,
      platform: platformHeader(ctx),
      email: null,
      phone: null,
      company: null,
      name: user.name,
      status: 1,
      infoStatus: 0,
      // 1 main account, 2 sub-account
      accountType: user.main_user_id === null ? 1 : 2,
      userType: user.is_admin === 1 ? 0 : 1,
      mainUserId: user.main_user_id ?? 0,
      level: 1,
      zone: 2,
      rmbbalance: 0,
      usdbalance: 0,
      credit: 0,
      coupon: 0,
      shareMainCapital: user.share_main_capital,
      subDeleteTask: 0,
      useMainBalance: 0,
      downloadDisable: 0,
      houdiniFlag: 1,
      c4dFlag: 1,
      blenderFlag: 1,
      keyshotFlag: 0,
    };
  },

  'user.queryUserSetting': async ({ user }) => ({
    infoStatus: 0,
    accountType: user.main_user_id === null ? 1 : 2,
    shareMainCapital: user.share_main_capital,
    subDeleteTask: 0,
    useMainBalance: 0,
    taskOverTime: user.task_over_time_sec / 3600,
    taskOverTimeSec: user.task_over_time_sec,
    singleNodeRenderFrames: '1',
    maxIgnoreMapFlag: 0,
    autoCommit: user.auto_commit,
    separateAccountFlag: 0,
    mifileSwitchFlag: 0,
    assfileSwitchFlag: 0,
    manuallyStartAnalysisFlag: 0,
    downloadDisable: 0,
    ignoreMapFlag: 0,
    isVrayLicense: 0,
    justUploadConfigFlag: 0,
    justUploadCgFlag: 0,
    mandatoryAnalyseAllAgent: 0,
    downloadLimit: 0,
  }),

  'user.updateUserSettings': async ({ user, farm }, body) => {
    // Current clients send seconds; the legacy URL set sent hours.
    const { taskOverTimeSec, taskOverTime } = body as { taskOverTimeSec?: number; taskOverTime?: number };
    const seconds = taskOverTimeSec ?? Math.round((taskOverTime ?? 0) * 3600);
    await farm.store.db
      .updateTable('users')
      .set({ task_over_time_sec: seconds })
      .where('id', '=', user.id)
      .execute();
    return null;
  },

  'user.getTransferBid': async ({ user, farm }) => {
    const db = farm.store.db;
    const main =
      user.main_user_id !== null
        ? await db
            .selectFrom('users')
            .select(['input_bid'])
            .where('id', '=', user.main_user_id)
            .executeTakeFirst()
        : undefined;
    const subs =
      user.main_user_id === null
        ? await db
            .selectFrom('users')
            .select(['id', 'output_bid'])
            .where('main_user_id', '=', user.id)
            .orderBy('id')
            .execute()
        : [];
    return {
      config_bid: user.config_bid,
      output_bid: user.output_bid,
      input_bid: user.input_bid,
      parent_input_bid: user.share_main_capital === 1 && main !== undefined ? main.input_bid : null,
      sub_user_output_bids: subs.map((s) => ({ userId: s.id, outputBid: s.output_bid })),
    };
  },

  'user.getHardwareConfig': async ({ user, farm }, body) => {
    const db = farm.store.db;
    const tasks = body.taskIds !== undefined ? await requireTasks(db, user, body.taskIds) : [];
    const inUse = new Set(tasks.map((t) => t.hardware_config_id));
    const rows = await db.selectFrom('hardware_configs').selectAll().orderBy('id').execute();
    return rows.map((h) => ({
      id: h.id,
      type: h.type,
      model: h.model,
      ram: h.ram,
      gpuNum: h.gpu_num,
      platform: h.platform,
      current: body.taskIds !== undefined ? inUse.has(h.id) : false,
      notSupportCgId: JSON.parse(h.not_support_cg_id) as number[],
      notSupportCode: JSON.parse(h.not_support_code) as string[],
      notSupportPluginList: JSON.parse(h.not_support_plugin_list) as string[],
      status: h.status,
    }));
  },

  'user.taskRecord': async ({ user, farm }, body) => {
    const { rows, total } = await auditPage(farm.store.db, user.id, 'task', body);
    const items = rows.map((r) => ({
      userName: user.name,
      taskType: 'task',
      buttonName: r.button_name,
      taskIds: JSON.parse(r.task_ids) as number[],
      channel: /^\d+$/.test(r.channel) ? Number(r.channel) : null,
      createTime: r.created_at,
      details: r.details,
      operateSource: 'api',
      userId: r.user_id,
      requestIp: r.request_ip,
      requestURI: r.request_uri,
      requestParam: r.request_param,
    }));
    return pageOf(items, total, body.pageNum, body.pageSize);
  },

  'user.loginRecord': async ({ user, farm }, body) => {
    const { rows, total } = await auditPage(farm.store.db, user.id, 'login', body);
    const items = rows.map((r) => ({
      userId: r.user_id,
      userName: user.name,
      channel: /^\d+$/.test(r.channel) ? Number(r.channel) : null,
      createTime: r.created_at,
      requestIp: r.request_ip,
    }));
    return pageOf(items, total, body.pageNum, body.pageSize);
  },
};
