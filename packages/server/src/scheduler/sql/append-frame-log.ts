/**
 * Store a chunk of a frame's render log (served by `getRenderLog`/showLog),
 * continuing its line numbering. Guarded by the lease so a node that lost the
 * frame cannot write into the log of the run that replaced it.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export const RENDER_LOG = 'render';

/** False when the lease is stale (nothing written). */
export async function appendFrameLog(
  db: Kysely<Database>,
  lease: { frameId: number; epoch: number; owner: string },
  lines: readonly string[],
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const frame = await trx
      .selectFrom('frames')
      .select('id')
      .where('id', '=', lease.frameId)
      .where('lease_epoch', '=', lease.epoch)
      .where('lease_owner', '=', lease.owner)
      .where('state', '=', FrameStatus.RUNNING)
      .executeTakeFirst();
    if (frame === undefined) return false;
    if (lines.length === 0) return true;
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
    return true;
  });
}
