/**
 * Constructor options of RayvisionAPI and their resolution (reference §2.1),
 * with the environment fallback for the credentials.
 */
import { type LogFileOptions, type Logger, silentLogger, withLogFile } from '@openfarm/protocol';
import { checkRetryPolicy, DEFAULT_RETRY, type RetryPolicy } from './retry.js';

export const ACCESS_ID_ENV = 'RAYVISION_API_ACCESS_ID';
export const ACCESS_KEY_ENV = 'RAYVISION_API_KEY';

/** `logFolder`, `logName`, `logLevel`: a log file as the reference's (log-file.ts), the access key never in it. */
export interface RayvisionAPIOptions extends LogFileOptions {
  /** Falls back to the environment variable `RAYVISION_API_ACCESS_ID`. */
  accessId?: string;
  /** Falls back to the environment variable `RAYVISION_API_KEY`. */
  accessKey?: string;
  /** Host, with a port when not the default: `task.foxrenderfarm.com`, `127.0.0.1:7200`. Default `task.renderbus.com`. */
  domain?: string;
  /** Render region number as a string. Default `"4"`, as the reference. */
  platform?: string;
  /** Default `https`. */
  protocol?: 'http' | 'https';
  /** Per-attempt timeout in seconds. Default 60, as the reference. */
  timeout?: number;
  logger?: Logger;
  /** Retry policy; see client/retry.ts. */
  retry?: Partial<RetryPolicy>;
  /**
   * The clock used for the `UTCTimestamp` header, in milliseconds since the
   * epoch. Default `Date.now`; tests inject a skewed one.
   */
  clock?: () => number;
  /**
   * `http://host:port` (CONNECT) or `socks5://[user:pass@]host:port` for every
   * request of this client, API calls and transfers alike. Without it,
   * HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment apply.
   */
  proxy?: string;
  /** The environment proxies are read from (tests); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedOptions {
  accessId: string;
  accessKey: string;
  domain: string;
  platform: string;
  protocol: 'http' | 'https';
  timeoutMs: number;
  logger: Logger;
  retry: RetryPolicy;
  clock: () => number;
  proxy: string | undefined;
  proxyEnv: NodeJS.ProcessEnv;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Fill defaults and check the options. Both credentials are checked here —
 * the reference re-tests the id where it means the key, so a missing key only
 * showed up as a failed signature on the first call.
 */
export function resolveOptions(
  options: RayvisionAPIOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  const accessId = nonEmpty(options.accessId) ?? nonEmpty(env[ACCESS_ID_ENV]);
  if (accessId === undefined) {
    throw new TypeError(`RayvisionAPI: no access id; pass { accessId } or set ${ACCESS_ID_ENV}`);
  }
  const accessKey = nonEmpty(options.accessKey) ?? nonEmpty(env[ACCESS_KEY_ENV]);
  if (accessKey === undefined) {
    throw new TypeError(`RayvisionAPI: no access key; pass { accessKey } or set ${ACCESS_KEY_ENV}`);
  }
  const domain = options.domain ?? 'task.renderbus.com';
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(domain)) {
    throw new TypeError(`RayvisionAPI: domain must be a host name with an optional port, got "${domain}"`);
  }
  const protocol = options.protocol ?? 'https';
  if (protocol !== 'http' && protocol !== 'https') {
    throw new TypeError(`RayvisionAPI: protocol must be "http" or "https", got "${String(protocol)}"`);
  }
  const timeout = options.timeout ?? 60;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new TypeError(`RayvisionAPI: timeout must be a positive number of seconds, got ${String(timeout)}`);
  }
  const platform = String(options.platform ?? '4');
  return {
    accessId,
    accessKey,
    domain,
    platform,
    protocol,
    timeoutMs: timeout * 1000,
    logger: withLogFile(options.logger ?? silentLogger, 'rayvision_api', {
      logFolder: options.logFolder,
      logName: options.logName,
      logLevel: options.logLevel,
      secrets: [accessKey],
    }),
    retry: checkRetryPolicy({ ...DEFAULT_RETRY, ...options.retry }),
    clock: options.clock ?? Date.now,
    proxy: nonEmpty(options.proxy),
    proxyEnv: options.env ?? env,
  };
}
