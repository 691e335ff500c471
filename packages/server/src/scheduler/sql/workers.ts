/**
 * Render node rows: create (with its token), find by token, record what a node
 * registered, mark it seen, list, disable. Each function is one statement.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.js';
import { allocateIds } from '../../store/ids.js';
import type { WorkersTable } from '../tables.js';
import { newWorkerToken, workerTokenHash } from '../worker-tokens.js';
import '../tables.js';

export type WorkerRow = Selectable<WorkersTable>;

export interface NewWorker {
  readonly id: number;
  readonly name: string;
  /** Shown once; only its hash is stored. */
  readonly token: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function createWorker(db: Kysely<Database>, name: string): Promise<NewWorker> {
  if (!NAME.test(name)) {
    throw new Error(`invalid node name "${name}": use letters, digits, ".", "_" and "-" (at most 64)`);
  }
  const exists = new Error(`a render node named "${name}" already exists`);
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('workers').select('id').where('name', '=', name).executeTakeFirst();
    if (taken !== undefined) throw exists;
    const id = await allocateIds(trx, 'workers');
    const token = newWorkerToken();
    // Two adds of one name at once both pass the check above; the unique name decides, and the loser
    // gets the same clear error instead of the database's constraint message.
    const inserted = await trx
      .insertInto('workers')
      .values({ id, name, token_sha256: workerTokenHash(token), created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) throw exists;
    return { id, name, token };
  });
}

/** Give an existing node a new token (the old one stops working); undefined when no node has that name. */
export async function rotateWorkerToken(db: Kysely<Database>, name: string): Promise<NewWorker | undefined> {
  const token = newWorkerToken();
  const r = await db
    .updateTable('workers')
    .set({ token_sha256: workerTokenHash(token) })
    .where('name', '=', name)
    .returning('id')
    .executeTakeFirst();
  return r === undefined ? undefined : { id: r.id, name, token };
}

export function findWorkerByToken(db: Kysely<Database>, token: string): Promise<WorkerRow | undefined> {
  return db
    .selectFrom('workers')
    .selectAll()
    .where('token_sha256', '=', workerTokenHash(token))
    .executeTakeFirst();
}

export interface WorkerRegistration {
  readonly os: string;
  readonly cores: number;
  readonly ramMb: number;
  readonly gpus: number;
  readonly slots: number;
  readonly platform: number | null;
  readonly renderers: ReadonlyArray<{ cgName: string; version: string }>;
  readonly hardwareConfigIds: readonly number[];
  readonly agentVersion: string;
}

export async function recordRegistration(
  db: Kysely<Database>,
  workerId: number,
  r: WorkerRegistration,
): Promise<void> {
  const now = Date.now();
  await db
    .updateTable('workers')
    .set({
      os: r.os,
      cores: r.cores,
      ram_mb: r.ramMb,
      gpus: r.gpus,
      slots: r.slots,
      platform: r.platform,
      renderers: JSON.stringify(r.renderers),
      hardware_config_ids: JSON.stringify(r.hardwareConfigIds),
      agent_version: r.agentVersion,
      registered_at: now,
      last_seen_at: now,
    })
    .where('id', '=', workerId)
    .execute();
}

export async function markWorkerSeen(db: Kysely<Database>, workerId: number, now: number): Promise<void> {
  await db.updateTable('workers').set({ last_seen_at: now }).where('id', '=', workerId).execute();
}

export function listWorkers(db: Kysely<Database>): Promise<WorkerRow[]> {
  return db.selectFrom('workers').selectAll().orderBy('name').execute();
}

/** Enable or disable a node by name; false when no node has that name. */
export async function setWorkerDisabled(
  db: Kysely<Database>,
  name: string,
  disabled: boolean,
): Promise<boolean> {
  const r = await db
    .updateTable('workers')
    .set({ disabled: disabled ? 1 : 0 })
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
