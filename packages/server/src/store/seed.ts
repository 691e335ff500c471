/**
 * First-start content: platforms and hardware configurations. Each table is
 * filled only while it is empty, so admin edits survive restarts.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_HARDWARE } from '../catalog/hardware.js';
import { DEFAULT_PLATFORMS } from '../catalog/platforms.js';
import type { Database } from './database.js';
import { allocateIds } from './ids.js';

export async function seedStore(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const platforms = await trx.selectFrom('platforms').select('platform').limit(1).execute();
    if (platforms.length === 0) {
      await trx
        .insertInto('platforms')
        .values(
          DEFAULT_PLATFORMS.map((p) => ({
            platform: p.platform,
            name: p.name,
            type: p.type,
            status: 1,
            task_prefix: p.taskPrefix,
            is_show: 1,
          })),
        )
        .execute();
    }
    const hardware = await trx.selectFrom('hardware_configs').select('id').limit(1).execute();
    if (hardware.length === 0) {
      const first = await allocateIds(trx, 'hardware_configs', DEFAULT_HARDWARE.length);
      await trx
        .insertInto('hardware_configs')
        .values(
          DEFAULT_HARDWARE.map((h, i) => ({
            id: first + i,
            type: h.type,
            model: h.model,
            ram: h.ram,
            gpu_num: h.gpuNum,
            platform: h.platform,
            not_support_cg_id: JSON.stringify(h.notSupportCgId),
            not_support_code: JSON.stringify(h.notSupportCode),
            not_support_plugin_list: JSON.stringify(h.notSupportPluginList),
            status: 1,
          })),
        )
        .execute();
    }
  });
}
