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
 * same second sign different paths or bodies and both go through.
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
  signature: string,
  expiresAt: number,
): Promise<boolean> {
  const result = await db
    .insertInto('auth_nonces')
    .values({ access_id: accessId, nonce: `${timestamp}:${nonce}:${signature}`, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['access_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Forget nonces whose timestamps can no longer pass the window check. */
export async function pruneNonces(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('auth_nonces').where('expires_at', '<', now).execute();
}
