/**
 * Which of some blobs something still points at: a path in any user's input,
 * output or config storage (job files and thumbnails are paths there too), a
 * user's proof of holding it (transfer_user_blobs, which also lets that user
 * name it in a manifest later without sending it), or a resumable upload of it
 * (finished or not).
 */
import type { Kysely } from 'kysely';
import { blobKeyText } from '../blob/blob-key-text.js';
import type { BlobKey } from '../blob/index.js';
import type { Database } from '../store/database.js';
import '../transfer/tables.js';

/** Hashes per statement, below every dialect's limit on bound parameters. */
const SLICE = 400;

/** The subset of `keys` referenced anywhere, as blobKeyText strings. */
export async function referencedBlobs(db: Kysely<Database>, keys: readonly BlobKey[]): Promise<Set<string>> {
  const found = new Set<string>();
  const wanted = new Set(keys.map(blobKeyText));
  for (let i = 0; i < keys.length; i += SLICE) {
    const hashes = [...new Set(keys.slice(i, i + SLICE).map((k) => k.sha256))];
    for (const table of ['transfer_manifest', 'transfer_user_blobs', 'transfer_uploads'] as const) {
      const rows = await db
        .selectFrom(table)
        .select(['sha256', 'size'])
        .distinct()
        .where('sha256', 'in', hashes)
        .execute();
      for (const r of rows) {
        const text = blobKeyText({ sha256: r.sha256, size: Number(r.size) });
        if (wanted.has(text)) found.add(text);
      }
    }
  }
  return found;
}
