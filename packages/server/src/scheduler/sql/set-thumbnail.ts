/** Remember where a frame's thumbnail is (served by `getFrameThumbnail`). */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

export async function setThumbnail(db: Kysely<Database>, frameId: number, path: string): Promise<void> {
  await db.updateTable('frames').set({ thumbnail_path: path }).where('id', '=', frameId).execute();
}
