/**
 * The transmit operator: job files over HTTP (taskJsonFile), the description
 * of openfarm's transfer engine (getConfig), and the output storage listing.
 */
import { ApiError } from '@openfarm/protocol';
import { advertisedOrigin } from '../http/public-url.js';
import { storeJobFile } from '../tasks/job-files.js';
import { taskTree } from '../tasks/actions.js';
import { listStorageDir, type StorageDirEntry, storageOwnerId } from '../transfer/index.js';
import { requireTasks } from '../tasks/visibility.js';
import type { HandlerTable } from './handler.js';

/** Name of openfarm's transfer engine in getConfig: HTTP transfers signed like the API calls. */
export const TRANSFER_ENGINE_NAME = 'openfarm';

function asOutputFile(e: StorageDirEntry) {
  return { ...e, iconPath: '', isArrears: 0 };
}

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
    // The transfer engine is this very server: clients reach it the way they reached the API
    // (behind a reverse proxy, at the public URL).
    const origin = advertisedOrigin(request, farm);
    const host = origin.host;
    const colon = host.lastIndexOf(':');
    const server = colon > host.lastIndexOf(']') && colon !== -1 ? host.slice(0, colon) : host;
    const port =
      colon > host.lastIndexOf(']') && colon !== -1
        ? Number(host.slice(colon + 1))
        : origin.protocol === 'https'
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
   * A folder of the output storage, from the transfer manifest (what render
   * nodes uploaded). With `taskId` the answer is the task's own folders at the
   * root (`<taskId>_<scene>`, one per child task), as the reference does.
   */
  'transmit.getOutputFiles': async ({ user, farm }, body) => {
    const db = farm.store.db;
    if (body.taskId === undefined) {
      const entries = await listStorageDir(
        db,
        storageOwnerId(user, 'output'),
        'output',
        body.treePath || '/',
      );
      return entries.map(asOutputFile);
    }
    const tree = await taskTree(db, await requireTasks(db, user, [body.taskId], { includeDeleted: true }));
    const out = [];
    // The output belongs to the task's owner (a main account may look at a sub-account's task).
    for (const ownerId of new Set(tree.map((t) => t.user_id))) {
      const folders = new Set(tree.filter((t) => t.user_id === ownerId).map((t) => t.output_file_name));
      const root = await listStorageDir(db, ownerId, 'output', '/');
      out.push(...root.filter((e) => e.directory && folders.has(e.fileName)));
    }
    return out.map(asOutputFile);
  },
};
