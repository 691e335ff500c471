/** The query operator's catalogue and task calls: platforms, tip codes, software, task list and info, transfer info. */
import { API_VERSION, ApiError } from '@openfarm/protocol';
import { liveNodeRenderers } from '../catalog/live-renderers.js';
import { softwareDetail, softwareList } from '../catalog/software.js';
import { allTipCodes, tipCode } from '../catalog/tips-codes.js';
import { pageOf } from '../http/paging.js';
import { taskInfos } from '../tasks/task-info.js';
import { listTasks } from '../tasks/task-list.js';
import { requireTasks } from '../tasks/visibility.js';
import type { HandlerTable } from './handler.js';

export const QUERY_HANDLERS: HandlerTable = {
  // A self-hosted farm serves one region, so both zones see every platform.
  'query.platforms': async ({ farm }) => {
    const rows = await farm.store.db
      .selectFrom('platforms')
      .selectAll()
      .where('is_show', '=', 1)
      .orderBy('platform')
      .execute();
    return rows.map((p) => ({
      platform: p.platform,
      name: p.name,
      type: p.type,
      status: p.status,
      taskPrefix: p.task_prefix,
      isShow: p.is_show,
    }));
  },

  'query.errorDetail': async (_ctx, body) => {
    const english = String(body.language ?? '0') === '1';
    const codes = [...new Set([...(body.code !== undefined ? [body.code] : []), ...(body.codes ?? [])])];
    const ids = new Map(allTipCodes().map((t, i) => [t.code, i + 1]));
    return codes.map((code) => {
      // An unknown code is reported, as a warning, rather than silently dropped from the check.
      const t = tipCode(code) ?? {
        code,
        type: 0 as const,
        en: `Unknown analysis tip code ${code}`,
        zh: `未知的分析提示码 ${code}`,
        solutionEn: '',
        solutionZh: '',
      };
      return {
        id: ids.get(code) ?? null,
        code,
        type: t.type,
        languageFlag: english ? 1 : 0,
        desDescriptionCn: english ? t.en : t.zh,
        desSolutionCn: english ? t.solutionEn : t.solutionZh,
        solutionPath: '',
        isRepair: 0,
        isDelete: 0,
        isOpen: 1,
        lastModifyAdmin: '',
        updateTime: null,
      };
    });
  },

  'query.getTaskList': async ({ user, farm }, body) => listTasks(farm.store.db, user, body),

  'query.taskInfo': async ({ user, farm }, body) => {
    const tasks = await requireTasks(farm.store.db, user, body.taskIds, { includeDeleted: true });
    const items = await taskInfos(farm.store.db, tasks);
    return pageOf(items, items.length, 1, Math.max(1, items.length));
  },

  'query.supportedSoftware': async ({ farm }) =>
    softwareList(await liveNodeRenderers(farm.store.db, farm.catalogWindowMs)),

  'query.supportedPlugin': async (ctx, body) => {
    const detail = softwareDetail(
      body.cgId,
      body.osName,
      await liveNodeRenderers(ctx.farm.store.db, ctx.farm.catalogWindowMs),
    );
    if (detail === undefined) {
      throw ApiError.of('RESOURCE_NOT_FOUND', {
        path: ctx.request.url,
        detail: `software ${body.cgId} is not rendered here`,
      });
    }
    return detail;
  },

  // openfarm moves bytes over its own HTTP transfer engine (see getConfig), not Raysync: no Raysync server to name.
  'query.getTransferServerMsg': async () => ({
    clientVersion: null,
    protocolVersion: API_VERSION,
    raysyncTransfer: null,
  }),

  'query.getRaysyncUserKey': async ({ user, request }) => {
    const platform = request.headers.platform;
    return {
      // Empty: there is no Raysync account on an openfarm farm; transfers are signed with the access key.
      raySyncUserKey: '',
      userName: user.name,
      platform: (Array.isArray(platform) ? platform[0] : platform) ?? null,
      id: user.id,
      zone: 2,
      channel: 4,
    };
  },

  // Reserved ("pack") render nodes are not sold on a self-hosted farm: every node serves the queue.
  'query.getPackNodeInfo': async () => [],
};
