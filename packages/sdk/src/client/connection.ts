/**
 * One signed POST with the reference's envelope handling (§2.2–2.5), plus the
 * retry policy of retry.ts. Every attempt is signed anew — fresh timestamp and
 * nonce — so a retry is never refused as a replay.
 */
import { ApiError, ERRORS, signHeaders } from '@openfarm/protocol';
import type { Agent } from 'node:http';
import type { ResolvedOptions } from './options.js';
import { type FetchLike, ProxyRoute } from './proxy-agent.js';
import { backoffDelay, isRetryableCode } from './retry.js';

/** What one attempt produced: an envelope, or a failure with no usable envelope. */
type Attempt =
  | { kind: 'envelope'; code: number; message: string; data: unknown; serverTime: number | undefined }
  | { kind: 'failure'; error: ApiError; retryable: boolean };

export class Connection {
  /** Server clock minus local clock in ms, learnt from a 610 answer. */
  private clockOffsetMs = 0;

  /** Direct, or through the proxy of the options or the environment (client/proxy-config.ts). */
  private readonly route: ProxyRoute;

  constructor(private readonly options: ResolvedOptions) {
    this.route = new ProxyRoute(options.proxy, options.proxyEnv);
  }

  /** fetch for this client's farm: through its proxy when one applies. */
  get fetch(): FetchLike {
    return this.route.fetch;
  }

  /** The node:http agent through this client's proxy for `url`, or undefined (direct). */
  agentFor(url: string): Agent | undefined {
    return this.route.agentFor(url);
  }

  /** What this client's log files never show: its access key (log-file.ts masks it). */
  get logSecrets(): readonly string[] {
    return [this.options.accessKey];
  }

  get domain(): string {
    return this.options.domain;
  }

  get platform(): string {
    return this.options.platform;
  }

  /** `<protocol>://<domain>` — the origin every path is appended to. */
  get origin(): string {
    return `${this.options.protocol}://${this.options.domain}`;
  }

  /** POST `body` to `path`; resolves with the envelope's `data`, rejects with ApiError. */
  async post(path: string, body: object = {}): Promise<unknown> {
    const { retry, logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(path, body);
      let error: ApiError;
      let retryable: boolean;
      if (result.kind === 'envelope') {
        if (result.code === ERRORS.SUCCESS.code) return result.data;
        error = new ApiError(result.code, {
          message: result.message,
          path: this.origin + path,
          detail: result.data,
        });
        retryable = isRetryableCode(result.code);
        if (result.code === ERRORS.SIGNATURE_EXPIRED.code && result.serverTime !== undefined) {
          // Our clock is off: sign the next attempts with the server's time.
          this.clockOffsetMs = result.serverTime - this.options.clock();
        }
      } else {
        ({ error, retryable } = result);
      }
      if (!retryable || attempt >= retry.attempts) throw error;
      logger.warn(`${path}: attempt ${attempt}/${retry.attempts} failed, retrying: ${error.errorMessage}`);
      await sleep(backoffDelay(retry, attempt));
    }
  }

  private async attempt(path: string, body: object): Promise<Attempt> {
    const url = this.origin + path;
    const headers = signHeaders({
      accessId: this.options.accessId,
      accessKey: this.options.accessKey,
      domain: this.options.domain,
      path,
      body,
      platform: this.options.platform,
      timestamp: Math.floor((this.options.clock() + this.clockOffsetMs) / 1000),
    });
    let status: number;
    let text: string;
    try {
      const response = await this.route.fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      const reason = cause instanceof Error && cause.name === 'TimeoutError' ? 'timed out' : describe(cause);
      const error = new ApiError(ERRORS.SDK_ERROR.code, { message: `request failed: ${reason}`, path: url });
      error.cause = cause;
      return { kind: 'failure', error, retryable: true };
    }
    // The reference ignores the HTTP status and reads the envelope: do the same,
    // and fall back to the status only when there is no envelope to read.
    const envelope = parseEnvelope(text);
    if (envelope !== undefined) return { kind: 'envelope', ...envelope };
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    const error = new ApiError(status >= 500 ? ERRORS.INTERNAL_ERROR.code : ERRORS.API_ERROR.code, {
      message: `HTTP ${status} without a JSON envelope: ${snippet}`,
      path: url,
    });
    return { kind: 'failure', error, retryable: status >= 500 };
  }
}

function parseEnvelope(
  text: string,
): { code: number; message: string; data: unknown; serverTime: number | undefined } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || typeof (value as { code?: unknown }).code !== 'number') {
    return undefined;
  }
  const e = value as { code: number; message?: unknown; data?: unknown; serverTime?: unknown };
  return {
    code: e.code,
    message: typeof e.message === 'string' ? e.message : '',
    data: e.data ?? null,
    serverTime: typeof e.serverTime === 'number' ? e.serverTime : undefined,
  };
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // undici wraps the socket error ("fetch failed") — its cause says what happened.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
