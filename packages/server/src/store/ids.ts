/**
 * Id allocation from the `id_sequences` table. The store allocates ids itself
 * instead of relying on SQLite's rowid or PostgreSQL's identity columns, so the
 * schema stays portable and a batch of frames gets its ids in one statement.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** First id handed out per sequence: task ids look like the reference's (five digits and up). */
const FIRST_ID: Readonly<Record<string, number>> = { tasks: 10000, bids: 10200 };

/**
 * Reserve `count` consecutive ids of sequence `name` and return the first one.
 * Call it inside the transaction that inserts the rows.
 */
export async function allocateIds(db: Kysely<Database>, name: string, count = 1): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`cannot allocate ${count} ids`);
  const start = FIRST_ID[name] ?? 1;
  await db
    .insertInto('id_sequences')
    .values({ name, next_value: start })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .updateTable('id_sequences')
    .set({ next_value: sql<number>`next_value + ${count}` })
    .where('name', '=', name)
    .returning('next_value')
    .executeTakeFirstOrThrow();
  return Number(row.next_value) - count;
}
