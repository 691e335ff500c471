/**
 * The login bootstrap's result (reference §2.1 `_login`): profile, settings
 * and storage ids merged into one dictionary with snake_case keys, which the
 * transfer code and scripts read (`user_id`, `input_bid`, `config_bid` …).
 */
import { platform as osPlatform } from 'node:os';

export interface UserInfo {
  /** `platform.system().lower()` in the reference: `windows`, `linux`, `darwin`. */
  local_os: string;
  domain: string;
  /** The constructor's platform; the profile's own `platform` never replaces it. */
  platform: string;
  user_id?: number;
  user_name?: string;
  input_bid?: string | number;
  output_bid?: string | number;
  config_bid?: string | number;
  parent_input_bid?: string | number | null;
  share_main_capital?: number | null;
  main_user_id?: number | null;
  [key: string]: unknown;
}

/** `userName` → `user_name`, `input_bid` unchanged — the reference's regex, then lower case. */
export function camelToSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function localOs(): string {
  const p = osPlatform();
  return p === 'win32' ? 'windows' : p;
}

/** Merge the login answers in the reference's order; later keys win, except `platform`. */
export function buildUserInfo(
  seed: { domain: string; platform: string },
  ...parts: ReadonlyArray<Record<string, unknown>>
): UserInfo {
  const info: UserInfo = { local_os: localOs(), domain: seed.domain, platform: seed.platform };
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const snake = camelToSnake(key);
      if (snake === 'platform') continue;
      info[snake] = value;
    }
  }
  return info;
}
