/**
 * Which proxy a request goes through: the `proxy` option when given (for every
 * target), else the environment as curl reads it — HTTPS_PROXY for https
 * targets, HTTP_PROXY for http ones (lower-case names too), skipped for hosts
 * listed in NO_PROXY. Studios behind an intranet proxy set these once for all
 * their tools; the reference documents a SOCKS proxy for its API and a proxy
 * for its transfers, so both `http://` (CONNECT) and `socks5://` are taken.
 */

export type ProxyProtocol = 'http:' | 'socks5:' | 'socks5h:';

const PROTOCOLS: readonly string[] = ['http:', 'socks5:', 'socks5h:'];

/** Parse and check a proxy URL; throws TypeError naming the problem. */
export function parseProxyUrl(text: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    throw new TypeError(`${source}: not a proxy URL: "${text}"`);
  }
  if (!PROTOCOLS.includes(url.protocol)) {
    throw new TypeError(`${source}: proxy must be http://, socks5:// or socks5h://, got "${url.protocol}//"`);
  }
  if (url.hostname === '' || url.port === '') {
    throw new TypeError(`${source}: proxy needs a host and a port, got "${text}"`);
  }
  return url;
}

function envOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * A NO_PROXY entry's host and port. An IPv6 address takes a port only in
 * brackets (`[::1]:7200`); bare (`::1`) its last group is not a port.
 */
function splitEntry(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return [bracketed[1]!, bracketed[2]];
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return [entry, undefined];
  const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
  return [m[1]!, m[2]];
}

/** NO_PROXY: comma- or space-separated host names (a leading dot or none: the domain and its sub-domains), `host:port`, or `*`. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const [rawName, entryPort] = splitEntry(entry);
    const name = rawName.replace(/^\*?\./, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, option: string | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  if (option !== undefined) return parseProxyUrl(option, 'proxy option');
  if (bypassesProxy(target, envOf(env, 'NO_PROXY'))) return undefined;
  const name = target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const text = envOf(env, name);
  return text === undefined ? undefined : parseProxyUrl(text, name);
}
