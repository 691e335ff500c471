/** Admin management of hardware configurations (`openfarm hardware …`), directly on the store. */
import type { Kysely, Selectable } from 'kysely';
import type { HardwareConfigsTable } from '../store/core-tables.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';

export type HardwareConfigRow = Selectable<HardwareConfigsTable>;

export interface NewHardwareConfig {
  /** 1 CPU, 2 GPU. */
  type: 1 | 2;
  model: string;
  /** e.g. "64GB". */
  ram: string;
  /** e.g. "2*GPU"; null for CPU configurations. */
  gpuNum: string | null;
  platform: number;
  notSupportCgId?: number[];
  notSupportCode?: string[];
  notSupportPluginList?: string[];
}

export class HardwareConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardwareConfigError';
  }
}

export async function listHardwareConfigs(db: Kysely<Database>): Promise<HardwareConfigRow[]> {
  return db.selectFrom('hardware_configs').selectAll().orderBy('id').execute();
}

export async function addHardwareConfig(
  db: Kysely<Database>,
  config: NewHardwareConfig,
): Promise<HardwareConfigRow> {
  if (!/^\d+GB$/.test(config.ram))
    throw new HardwareConfigError(`ram must look like "64GB", not ${JSON.stringify(config.ram)}`);
  if (config.model.trim() === '') throw new HardwareConfigError('model must not be empty');
  if (config.gpuNum !== null && !/^\d+\*GPU$/.test(config.gpuNum)) {
    throw new HardwareConfigError(`gpuNum must look like "2*GPU", not ${JSON.stringify(config.gpuNum)}`);
  }
  for (const pattern of config.notSupportPluginList ?? []) {
    try {
      new RegExp(pattern);
    } catch {
      throw new HardwareConfigError(`not a regular expression: ${pattern}`);
    }
  }
  return db.transaction().execute(async (trx) => {
    const platform = await trx
      .selectFrom('platforms')
      .select('platform')
      .where('platform', '=', config.platform)
      .executeTakeFirst();
    if (platform === undefined) throw new HardwareConfigError(`no platform ${config.platform} on this farm`);
    const row: HardwareConfigRow = {
      id: await allocateIds(trx, 'hardware_configs'),
      type: config.type,
      model: config.model,
      ram: config.ram,
      gpu_num: config.gpuNum,
      platform: config.platform,
      not_support_cg_id: JSON.stringify(config.notSupportCgId ?? []),
      not_support_code: JSON.stringify(config.notSupportCode ?? []),
      not_support_plugin_list: JSON.stringify(config.notSupportPluginList ?? []),
      status: 1,
    };
    await trx.insertInto('hardware_configs').values(row).execute();
    return row;
  });
}

/** Enable or disable a configuration; disabled ones stay listed (status 0) but cannot be chosen. */
export async function setHardwareConfigEnabled(
  db: Kysely<Database>,
  id: number,
  enabled: boolean,
): Promise<void> {
  const result = await db
    .updateTable('hardware_configs')
    .set({ status: enabled ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new HardwareConfigError(`no hardware configuration ${id}`);
}
