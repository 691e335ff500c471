/** The audit trail behind `taskRecord` and `loginRecord`. */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { isStorageFull } from '../ops/storage-full.js';
import { allocateIds } from '../store/ids.js';

export interface AuditEntry {
  kind: 'task' | 'login';
  /** The operation, named like the endpoint method (e.g. "stopTask"). */
  buttonName: string;
  taskIds?: readonly number[];
  details?: string;
}

/** Longest request body kept in a record; the rest is cut (task.json contents do not belong in an audit log). */
const MAX_PARAM_CHARS = 2000;

export async function recordAudit(
  db: Kysely<Database>,
  user: UserRow,
  request: FastifyRequest,
  entry: AuditEntry,
): Promise<void> {
  try {
    await insertAudit(db, user, request, entry);
  } catch (err) {
    // A login is a read: on a full disk its record is lost (and said so in the log), the read is not refused.
    if (entry.kind !== 'login' || !isStorageFull(err)) throw err;
    request.log.warn({ err, userId: user.id }, 'storage full: login record not written');
  }
}

async function insertAudit(
  db: Kysely<Database>,
  user: UserRow,
  request: FastifyRequest,
  entry: AuditEntry,
): Promise<void> {
  const channel = request.headers.channel;
  const param = JSON.stringify(request.body ?? {});
  await db
    .insertInto('audit_records')
    .values({
      id: await allocateIds(db, 'audit_records'),
      user_id: user.id,
      kind: entry.kind,
      button_name: entry.buttonName,
      task_ids: JSON.stringify(entry.taskIds ?? []),
      channel: (Array.isArray(channel) ? channel[0] : channel) ?? '',
      details: entry.details ?? '',
      request_ip: request.ip,
      request_uri: request.url.split('?')[0] ?? '',
      request_param: param.length > MAX_PARAM_CHARS ? `${param.slice(0, MAX_PARAM_CHARS)}…` : param,
      created_at: Date.now(),
    })
    .execute();
}
