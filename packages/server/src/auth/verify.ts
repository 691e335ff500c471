/**
 * Signature verification of one request (reference §2.3–2.5).
 *
 * The server rebuilds the canonical string from the request's Host header (the
 * client signs the domain it was configured with, e.g. `127.0.0.1:7200`), the
 * path, the reference's base headers and the parsed body, then checks:
 * unknown access id, missing nonce or wrong signature → 611, timestamp outside
 * the window → 610, nonce already used → 7001 (openfarm's replay code),
 * disabled user → 804.
 *
 * Routes whose body is a byte stream (blob PUT/GET) are verified with
 * `body: undefined`: the client signs method-independent path + headers only.
 */
import { ApiError, canonicalString, signature, signaturesEqual } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { NonceRegistry } from './nonces.js';
import { StorageHealth } from '../ops/storage-health.js';

/** The headers the reference client signs, in their wire spelling. */
const SIGNED_HEADERS = ['accessId', 'channel', 'platform', 'UTCTimestamp', 'nonce', 'version'] as const;

export interface SignedRequest {
  /** The Host header as received (host[:port]). */
  host: string;
  /**
   * The server's public host (`--public-url`), which clients behind a reverse proxy that rewrites
   * Host signed instead; a signature over either host is accepted.
   */
  publicHost?: string | undefined;
  /** The URL path without query string. */
  path: string;
  /** Node's lower-cased header map. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body parsed with parseJsonText, or undefined for bodiless/streamed requests. */
  body: unknown;
}

export interface VerifierOptions {
  /** Accepted clock skew either way, in seconds. */
  timestampWindowSec: number;
  /** Clock in milliseconds; tests move it. */
  now?: () => number;
  /** Where nonces are recorded; default: the store's table, with no storage-health reporting. */
  nonces?: NonceRegistry;
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export class SignatureVerifier {
  private readonly now: () => number;
  private readonly nonces: NonceRegistry;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: VerifierOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.nonces = options.nonces ?? new NonceRegistry(db, new StorageHealth(db, undefined), this.now);
  }

  /** The user holding an access id, if any (one indexed lookup). */
  findUser(accessId: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('access_id', '=', accessId).executeTakeFirst();
  }

  /**
   * The authenticated user of a request, or an ApiError with the reference's code.
   * `known` is the user the body gate already looked up by the same access id.
   */
  async verify(req: SignedRequest, known?: UserRow): Promise<UserRow> {
    const path = req.path;
    const accessId = header(req.headers, 'accessId');
    const given = header(req.headers, 'signature');
    if (accessId === undefined || accessId === '' || given === undefined || given === '') {
      throw ApiError.of('SIGNATURE_INVALID', { path, detail: 'accessId and signature headers are required' });
    }
    const user = known?.access_id === accessId ? known : await this.findUser(accessId);
    if (user === undefined) throw ApiError.of('SIGNATURE_INVALID', { path });
    // A request without a nonce is malformed, not a replay: say what is missing (the reference signs one always).
    const nonceText = header(req.headers, 'nonce');
    if (nonceText === undefined || nonceText === '') {
      throw ApiError.of('SIGNATURE_INVALID', { path, detail: 'the nonce header is required' });
    }

    const signed: Record<string, string> = {};
    for (const name of SIGNED_HEADERS) {
      const v = header(req.headers, name);
      if (v !== undefined) signed[name] = v;
    }
    const signedOver = (domain: string) =>
      signaturesEqual(
        signature(user.access_key, canonicalString({ domain, path, headers: signed, body: req.body })),
        given,
      );
    const publicHost =
      req.publicHost !== undefined && req.publicHost !== req.host ? req.publicHost : undefined;
    if (!signedOver(req.host) && (publicHost === undefined || !signedOver(publicHost))) {
      throw ApiError.of('SIGNATURE_INVALID', { path });
    }

    const tsText = signed.UTCTimestamp ?? '';
    const nowMs = this.now();
    const windowMs = this.options.timestampWindowSec * 1000;
    if (!/^\d{1,12}$/.test(tsText) || Math.abs(nowMs - Number(tsText) * 1000) > windowMs) {
      throw ApiError.of('SIGNATURE_EXPIRED', { path });
    }
    if (!(await this.nonces.claim(accessId, tsText, nonceText, given, Number(tsText) * 1000 + windowMs))) {
      throw ApiError.of('NONCE_REPLAYED', { path });
    }
    if (user.disabled !== 0) throw ApiError.of('ACCOUNT_DISABLED', { path });
    return user;
  }
}
