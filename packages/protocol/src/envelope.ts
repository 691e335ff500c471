/** The response envelope every call answers with (reference §2.5), and builders for it. */
import { API_VERSION } from './signing.js';
import { ERRORS, errorMessage, type Lang } from './errors.js';

export interface Envelope<T = unknown> {
  version: string;
  result: boolean;
  code: number;
  message: string;
  data: T;
  /** Milliseconds since the epoch. */
  serverTime: number;
  requestId: string;
}

/** A success envelope: code 200, message "success", as the reference server answers. */
export function okEnvelope<T>(data: T, requestId: string): Envelope<T> {
  return {
    version: API_VERSION,
    result: true,
    code: ERRORS.SUCCESS.code,
    message: ERRORS.SUCCESS.en,
    data,
    serverTime: Date.now(),
    requestId,
  };
}

/**
 * An error envelope for a catalogue code, its message in the caller's language.
 * `detail` travels in `data` (null when absent), where the reference puts it too.
 */
export function errorEnvelope(
  code: number,
  lang: Lang,
  requestId: string,
  detail?: unknown,
): Envelope<unknown> {
  return {
    version: API_VERSION,
    result: false,
    code,
    message: errorMessage(code, lang),
    data: detail ?? null,
    serverTime: Date.now(),
    requestId,
  };
}
