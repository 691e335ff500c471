/**
 * Request signing exactly as the rayvision reference (§2.3–2.4).
 *
 * canonical = "[POST]" + domain + ":" + path + "&" + sorted "k=v" pairs joined by "&",
 * where the pairs are the headers (minus signature, Content-Type, languageFlag)
 * overlaid with the body, flattened: nested keys joined with ".", list index
 * appended with no separator, empty containers contributing nothing, scalars
 * stringified the way Python's str() does.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { JsonNumber, type JsonTextValue } from './json-text.js';
import { pythonNumberText, pythonScalarText } from './python-format.js';

/** Headers that never take part in the signed string. */
export const UNSIGNED_HEADERS: ReadonlySet<string> = new Set(['signature', 'Content-Type', 'languageFlag']);

export const API_VERSION = '2.0.0';
export const SDK_CHANNEL = '4';

export interface CanonicalInput {
  /** Host (and port) without scheme, e.g. `task.renderbus.com` or `127.0.0.1:7200`. */
  domain: string;
  path: string;
  headers: Readonly<Record<string, string>>;
  /** The parsed body: plain JS values, or values from parseJsonText (numbers keep their text). */
  body?: unknown;
}

function flatten(prefix: string, value: unknown, out: Array<[string, string]>): void {
  if (value instanceof JsonNumber) {
    out.push([prefix, pythonNumberText(value.text)]);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      flatten(`${prefix}${i}`, v, out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // JSON.stringify drops it, so it is never sent
      flatten(prefix === '' ? k : `${prefix}.${k}`, v, out);
    }
    return;
  }
  out.push([prefix, pythonScalarText(value)]);
}

/** Flatten a body into signed pairs (key → text). Exposed for tests and diagnostics. */
export function flattenBody(body: unknown): Array<[string, string]> {
  if (body === undefined || body === null) return [];
  const pairs: Array<[string, string]> = [];
  flatten('', body, pairs);
  return pairs;
}

/** Compare by Unicode code point, as Python sorts str. */
function codePointCompare(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

export function canonicalString({ domain, path, headers, body }: CanonicalInput): string {
  // Python: dict(headers) then .update(body): a body key replaces a header of the same name.
  const pairs = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) {
    if (!UNSIGNED_HEADERS.has(k)) pairs.set(k, String(v));
  }
  const bodyPairs: Array<[string, string]> = [];
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !(body instanceof JsonNumber)) {
    for (const [k, v] of Object.entries(body as Record<string, JsonTextValue | unknown>)) {
      pairs.delete(k); // the body value replaces the header, even if it flattens to nothing
      if (v === undefined) continue;
      flatten(k, v, bodyPairs);
    }
  }
  const all: Array<[string, string]> = [...pairs.entries(), ...bodyPairs];
  all.sort((a, b) => codePointCompare(a[0], b[0]));
  const joined = all.map(([k, v]) => `${k}=${v}`).join('&');
  return `[POST]${domain}:${path}&${joined}`;
}

/** Base64 HMAC-SHA256 of the canonical string with the access key. */
export function signature(accessKey: string, canonical: string): string {
  return createHmac('sha256', Buffer.from(accessKey, 'utf8')).update(canonical, 'utf8').digest('base64');
}

/** Constant-time comparison of two Base64 signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SignHeadersInput {
  accessId: string;
  accessKey: string;
  domain: string;
  path: string;
  body?: unknown;
  platform: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Defaults to a random integer in [100000, 999999), as the reference. */
  nonce?: string;
  version?: string;
  channel?: string;
  /** Extra headers; they are signed, as in the reference's Connect(headers=...). */
  extraHeaders?: Record<string, string>;
}

/** Build the full header set of one signed request (fresh timestamp and nonce each call). */
export function signHeaders(input: SignHeadersInput): Record<string, string> {
  const headers: Record<string, string> = {
    accessId: input.accessId,
    channel: input.channel ?? SDK_CHANNEL,
    platform: input.platform,
    UTCTimestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    nonce: input.nonce ?? String(randomInt(100000, 999999)),
    version: input.version ?? API_VERSION,
    ...input.extraHeaders,
  };
  const canonical = canonicalString({ domain: input.domain, path: input.path, headers, body: input.body });
  return {
    ...headers,
    signature: signature(input.accessKey, canonical),
    'Content-Type': 'application/json',
    // Added after signing, as the reference does, so it is not part of the signature.
    languageFlag: input.domain.includes('renderbus') ? '1' : '0',
  };
}
