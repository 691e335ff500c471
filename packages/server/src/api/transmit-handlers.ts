/**
 * The transmit operator: job files over HTTP (taskJsonFile), the description
 * of openfarm's transfer engine (getConfig), and the output storage listing.
 */
import { ApiError } from '@openfarm/protocol';
import { storeJobFile } from '../tasks/job-files.js';
import { taskTree } from '../tasks/actions.js';
import { requireTasks, type TaskRow, visibleOwnerIds } from '../tasks/visibility.js';
import type { HandlerTable } from './handler.js';

/** Name of openfarm's transfer engine in getConfig: HTTP transfers signed like the API calls. */
export const TRANSFER_ENGINE_NAME = 'openfarm';

export const TRANSMIT_HANDLERS: HandlerTable = {
  'transmit.uploadJsonContent': async (ctx, body) => {
    const db = ctx.farm.store.db;
    await requireTasks(db, ctx.user, [body.taskId]);
    try {
      JSON.parse(body.content);
    } catch (err) {
      throw ApiError.of('PARAMETER_INVALID', {
        path: ctx.request.url,
        detail: { field: 'content', reason: `${body.fileName} is not JSON: ${(err as Error).message}` },
      });
    }
    await storeJobFile(db, body.taskId, body.fileName, body.content);
    return null;
  },

  'transmit.getTransferConfig': async ({ user, farm, request }) => {
    const main =
      user.main_user_id !== null
        ? await farm.store.db
            .selectFrom('users')
            .select('input_bid')
            .where('id', '=', user.main_user_id)
            .executeTakeFirst()
        : undefined;
    const subs =
      user.main_user_id === null
        ? await farm.store.db
            .selectFrom('users')
            .select(['id', 'output_bid'])
            .where('main_user_id', '=', user.id)
            .execute()
        : [];
    // The transfer engine is this very server: clients reach it the way they reached the API.
    const host = request.headers.host ?? '';
    const colon = host.lastIndexOf(':');
    const server = colon > host.lastIndexOf(']') && colon !== -1 ? host.slice(0, colon) : host;
    const port =
      colon > host.lastIndexOf(']') && colon !== -1
        ? Number(host.slice(colon + 1))
        : request.protocol === 'https'
          ? 443
          : 80;
    return {
      inputBid: user.input_bid,
      outputBid: user.output_bid,
      configBid: user.config_bid,
      parentInputBid: user.share_main_capital === 1 && main !== undefined ? main.input_bid : null,
      subUserOutputBids: subs.map((s) => ({ userId: s.id, outputBid: s.output_bid })),
      resqEngines: [
        {
          engineName: TRANSFER_ENGINE_NAME,
          isDefault: 1,
          automaticCheck: 0,
          checkServer: server,
          checkPort: port,
          checkEnable: 0,
          checkExcludType: '',
          resqEngineAccounts: [
            { bid: user.input_bid, name: user.name, password: null },
            { bid: user.output_bid, name: user.name, password: null },
            { bid: user.config_bid, name: user.name, password: null },
          ],
          respTaskEngineLines: [{ name: 'default', server, port, isDefault: 1, lineId: 1, type: 0 }],
        },
      ],
    };
  },

  /**
   * The output storage root holds one folder per task (`<taskId>_<scene>`).
   * This listing answers from the task rows: the folders that exist by
   * construction. Files inside them are listed by the transfer area's
   * manifest once it records output files; until then a folder path answers
   * an empty list rather than guessing.
   */
  'transmit.getOutputFiles': async ({ user, farm }, body) => {
    const db = farm.store.db;
    let tasks: TaskRow[];
    if (body.taskId !== undefined) {
      tasks = await taskTree(db, await requireTasks(db, user, [body.taskId], { includeDeleted: true }));
    } else {
      const path = body.treePath.replace(/^\/+|\/+$/g, '');
      if (path !== '') return [];
      tasks = await db
        .selectFrom('tasks')
        .selectAll()
        .where('user_id', 'in', await visibleOwnerIds(db, user))
        .where('output_file_name', '!=', '')
        .orderBy('id')
        .execute();
    }
    return tasks
      .filter((t) => t.output_file_name !== '')
      .map((t) => ({
        fileName: t.output_file_name,
        fileSize: 0,
        iconPath: '',
        lastModify: t.completed_date ?? t.submit_date ?? t.created_at,
        fileType: 'folder',
        filePath: `/${t.output_file_name}`,
        directory: true,
        isArrears: 0,
      }));
  },
};
