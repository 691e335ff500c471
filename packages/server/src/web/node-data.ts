/** Render nodes and users as the admin's pages show them. */
import { FrameStatus } from '@openfarm/protocol';
import type { NodeView, UserView } from '@openfarm/web';
import type { Kysely } from 'kysely';
import '../scheduler/tables.js';
import { listWorkers } from '../scheduler/sql/workers.js';
import type { Database } from '../store/database.js';

/** A node that has not polled for this long is shown offline (nodes poll at least every maxPollMs, 30 s by default). */
export const OFFLINE_AFTER_MS = 90_000;

function renderersOf(json: string): Array<{ cgName: string; version: string }> {
  try {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((r): r is { cgName: string; version: string } => typeof r?.cgName === 'string')
      .map((r) => ({ cgName: r.cgName, version: String(r.version ?? '') }));
  } catch {
    return [];
  }
}

export async function nodeViews(db: Kysely<Database>, now = Date.now()): Promise<NodeView[]> {
  const workers = await listWorkers(db);
  const running = await db
    .selectFrom('frames')
    .select(['id', 'task_id', 'frame_index', 'node_name'])
    .where('state', '=', FrameStatus.RUNNING)
    .where('node_name', 'is not', null)
    .orderBy('id')
    .limit(5000)
    .execute();
  return workers.map((w) => ({
    name: w.name,
    disabled: w.disabled !== 0,
    online: w.last_seen_at !== null && now - w.last_seen_at < OFFLINE_AFTER_MS,
    lastSeenAt: w.last_seen_at,
    os: w.os,
    cores: w.cores,
    ramMb: w.ram_mb,
    gpus: w.gpus,
    slots: w.slots,
    renderers: renderersOf(w.renderers),
    agentVersion: w.agent_version,
    rendering: running
      .filter((f) => f.node_name === w.name)
      .map((f) => ({ taskId: f.task_id, frameId: f.id, frameIndex: f.frame_index })),
  }));
}

export async function userViews(db: Kysely<Database>): Promise<UserView[]> {
  const users = await db
    .selectFrom('users')
    .select(['id', 'name', 'is_admin', 'disabled', 'main_user_id'])
    .orderBy('id')
    .execute();
  const names = new Map(users.map((u) => [u.id, u.name]));
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    isAdmin: u.is_admin !== 0,
    disabled: u.disabled !== 0,
    mainUserName: u.main_user_id === null ? null : (names.get(u.main_user_id) ?? null),
  }));
}
