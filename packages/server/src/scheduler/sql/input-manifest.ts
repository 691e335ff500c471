/** The input-storage entries (hash, size) of the given server paths of one user. */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../../transfer/tables.js';

export interface InputEntry {
  readonly serverPath: string;
  readonly sha256: string;
  readonly size: number;
}

/** Bound parameters per statement, below every dialect's limit. */
const SLICE = 400;

export async function inputManifest(
  db: Kysely<Database>,
  ownerId: number,
  paths: readonly string[],
): Promise<InputEntry[]> {
  const out: InputEntry[] = [];
  for (let i = 0; i < paths.length; i += SLICE) {
    const rows = await db
      .selectFrom('transfer_manifest')
      .select(['path', 'sha256', 'size'])
      .where('user_id', '=', ownerId)
      .where('storage', '=', 'input')
      .where('path', 'in', paths.slice(i, i + SLICE))
      .execute();
    for (const r of rows) out.push({ serverPath: r.path, sha256: r.sha256, size: Number(r.size) });
  }
  return out;
}
