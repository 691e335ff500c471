/**
 * Replay protection. A nonce is remembered per access id until its timestamp
 * leaves the acceptance window; a second request with the same one is refused.
 *
 * The key is `<UTCTimestamp>:<nonce>:<signature>`, not the nonce alone: the
 * reference client draws nonces from only 900 000 values, so a busy client
 * reuses one by chance, even within one second (a few hundred requests in a
 * second make a collision likely). A replay repeats the original request
 * exactly, so it carries the same timestamp, nonce and signature and is still
 * caught; two different requests that happen to draw the same nonce in the
 * same second sign different paths or bodies and both go through. Keying on
 * timestamp + nonce alone would refuse those honest requests as replays and
 * protect against nothing more, since a replay cannot change a signed byte.
 *
 * Nonces live in the store, not in memory, so replicas behind a load balancer
 * share them.
 *
 * When the disk is full the row cannot be written, and refusing the call would
 * turn every read into an error. The registry then falls back to remembering
 * the key in this process for the same window (after checking the store for
 * it, so a replay of a request recorded before the disk filled is still
 * caught), and reports the full disk to StorageHealth. What that gives up,
 * while the disk is full only: a replay sent to a different replica is not
 * caught; a replay sent to this one still is. A replay repeats a call its
 * owner already made, within five minutes, and a write it repeats most likely
 * fails on the same full disk. If the in-memory window would grow past
 * MEMORY_LIMIT keys, calls are refused with STORAGE_FULL instead (fail closed).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { isStorageFull } from '../ops/storage-full.js';
import type { StorageHealth } from '../ops/storage-health.js';

/** Keys remembered in memory while the store cannot take them: ~100 MB at most. */
const MEMORY_LIMIT = 500_000;

/**
 * The in-memory key: a digest, so each entry has the same small size however
 * long the nonce the caller chose (Node lets a header run to 16 KiB).
 */
function memoryKeyOf(accessId: string, key: string): string {
  return createHash('sha256').update(accessId).update('\0').update(key).digest('base64');
}

export class NonceRegistry {
  /** digest of `<accessId>` and key → expiry (epoch ms), only while the store refuses writes. */
  private readonly memory = new Map<string, number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly storage: StorageHealth,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a nonce; false when it was already seen (a replay). */
  async claim(
    accessId: string,
    timestamp: string,
    nonce: string,
    signature: string,
    expiresAt: number,
  ): Promise<boolean> {
    const key = `${timestamp}:${nonce}:${signature}`;
    // Only hashed while the fallback holds keys: a healthy farm's calls skip it.
    if (this.memory.size > 0 && this.memory.has(memoryKeyOf(accessId, key))) return false;
    try {
      const result = await this.db
        .insertInto('auth_nonces')
        .values({ access_id: accessId, nonce: key, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['access_id', 'nonce']).doNothing())
        .executeTakeFirst();
      this.storage.reportWritable();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    } catch (err) {
      if (!isStorageFull(err)) throw err;
      this.storage.reportFull(err);
      const stored = await this.db
        .selectFrom('auth_nonces')
        .select('expires_at')
        .where('access_id', '=', accessId)
        .where('nonce', '=', key)
        .executeTakeFirst();
      if (stored !== undefined) return false;
      // Asked again after the awaits: the same request sent twice at once has both copies here.
      const memoryKey = memoryKeyOf(accessId, key);
      if (this.memory.has(memoryKey)) return false;
      // A sweep walks every key: only when the limit is reached (prune() sweeps every minute anyway).
      if (this.memory.size >= MEMORY_LIMIT) this.forgetExpired();
      if (this.memory.size >= MEMORY_LIMIT) throw err;
      this.memory.set(memoryKey, expiresAt);
      return true;
    }
  }

  /** Keys kept in memory right now (a full disk's fallback); for tests and health. */
  get inMemory(): number {
    return this.memory.size;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [k, expires] of this.memory) if (expires < now) this.memory.delete(k);
  }

  /** Forget nonces whose timestamps can no longer pass the window check. */
  async prune(): Promise<void> {
    this.forgetExpired();
    await pruneNonces(this.db, this.now());
  }
}

/** Forget nonces whose timestamps can no longer pass the window check. */
export async function pruneNonces(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('auth_nonces').where('expires_at', '<', now).execute();
}
