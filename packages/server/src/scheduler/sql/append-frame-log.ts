/**
 * Store a chunk of a frame's render log (served by `getRenderLog`/showLog),
 * continuing its line numbering. Guarded by the lease so a node that lost the
 * frame cannot write into the log of the run that replaced it.
 *
 * Reading the last line number and inserting after it must not interleave
 * with another append to the same frame. The SQLite store's one connection
 * runs one transaction at a time; on PostgreSQL the lease check locks the
 * frame row (`FOR UPDATE`) until commit, so a second chunk sent at once (a
 * retried request) waits and then numbers after the first instead of
 * colliding on the key, and the reaper or a stop cannot take the frame
 * between the check and the insert.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { StoreDialect } from '../../store/store.js';
import '../tables.js';

export const RENDER_LOG = 'render';

/** The frame's owner (whose log panels to nudge); undefined when the lease is stale (nothing written). */
export async function appendFrameLog(
  db: Kysely<Database>,
  dialect: StoreDialect,
  lease: { frameId: number; epoch: number; owner: string },
  lines: readonly string[],
): Promise<{ userId: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    let held = trx
      .selectFrom('frames')
      .select('user_id')
      .where('id', '=', lease.frameId)
      .where('lease_epoch', '=', lease.epoch)
      .where('lease_owner', '=', lease.owner)
      .where('state', '=', FrameStatus.RUNNING);
    if (dialect === 'postgres') held = held.forUpdate();
    const frame = await held.executeTakeFirst();
    if (frame === undefined) return undefined;
    const owner = { userId: frame.user_id };
    if (lines.length === 0) return owner;
    const last = await trx
      .selectFrom('frame_log_lines')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('frame_id', '=', lease.frameId)
      .where('rendering_type', '=', RENDER_LOG)
      .executeTakeFirst();
    const first = Number(last?.seq ?? -1) + 1;
    await trx
      .insertInto('frame_log_lines')
      .values(
        lines.map((line, i) => ({
          frame_id: lease.frameId,
          rendering_type: RENDER_LOG,
          seq: first + i,
          line,
        })),
      )
      .execute();
    return owner;
  });
}
