/**
 * Render node tokens. A node authenticates with its own bearer token, never a
 * user's access key: a compromised node can lease and report frames, nothing
 * more. Only the token's SHA-256 is stored, so the database does not hold a
 * usable credential.
 */
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ofw_';

export function newWorkerToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function workerTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
