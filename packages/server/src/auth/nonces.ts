/**
 * Replay protection. A nonce is remembered per access id until its timestamp
 * leaves the acceptance window; a second request with the same one is refused.
 *
 * The key is `<UTCTimestamp>:<nonce>`, not the nonce alone: the reference
 * client draws nonces from only 900 000 values, so a busy client would reuse
 * one inside a 10-minute window by chance. A replayed request carries the same
 * (signed) timestamp as the original, so keying on both still catches every
 * replay while honest clients only collide within the same second.
 *
 * Nonces live in the store, not in memory, so replicas behind a load balancer
 * share them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

/** Record a nonce; false when it was already seen (a replay). */
export async function claimNonce(
  db: Kysely<Database>,
  accessId: string,
  timestamp: string,
  nonce: string,
  expiresAt: number,
): Promise<boolean> {
  const result = await db
    .insertInto('auth_nonces')
    .values({ access_id: accessId, nonce: `${timestamp}:${nonce}`, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['access_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Forget nonces whose timestamps can no longer pass the window check. */
export async function pruneNonces(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('auth_nonces').where('expires_at', '<', now).execute();
}
