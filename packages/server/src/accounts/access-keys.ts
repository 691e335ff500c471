/**
 * Access id and key generation. Shapes follow the reference's examples
 * (`AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE`): an "AKID" prefix and base62 text,
 * so ids are easy to tell from keys in logs and config files.
 */
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

export function newAccessId(): string {
  return `AKID${base62(28)}`;
}

/** 32 base62 characters ≈ 190 bits, the HMAC key of every request. */
export function newAccessKey(): string {
  return base62(32);
}
