/**
 * node:http agents whose sockets are tunnels through a proxy (proxy-tunnel.ts),
 * and a fetch-shaped function over them. Node 20's global fetch (undici) takes
 * no agent and undici is not a dependency, so proxied calls go through
 * node:http instead and answer a standard Response: callers (API calls, the
 * event stream, downloads) use it exactly as they use fetch.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { proxyFor } from './proxy-config.js';
import { openTunnel } from './proxy-tunnel.js';

type ConnectionOptions = http.ClientRequestArgs & tls.ConnectionOptions;
type Callback = (error: Error | null, socket?: Duplex) => void;

function tunnelling<T extends http.Agent>(agent: T, proxy: URL, secure: boolean): T {
  // Agent.createConnection may answer through its callback (documented for http.Agent).
  (agent as unknown as { createConnection: unknown }).createConnection = (
    options: ConnectionOptions,
    callback: Callback,
  ) => {
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port ?? (secure ? 443 : 80));
    openTunnel(proxy, host, port).then(
      (socket) => {
        if (!secure) return callback(null, socket);
        const wrapped = tls.connect({ ...options, socket, servername: options.servername ?? host });
        wrapped.once('secureConnect', () => callback(null, wrapped));
        wrapped.once('error', (e) => callback(e));
      },
      (e: Error) => callback(e),
    );
    return undefined;
  };
  return agent;
}

/** An agent for `protocol` targets through `proxy`, kept alive like the direct ones. */
export function proxyAgent(proxy: URL, protocol: 'http:' | 'https:'): http.Agent {
  return protocol === 'https:'
    ? tunnelling(new https.Agent({ keepAlive: true, maxSockets: 32 }), proxy, true)
    : tunnelling(new http.Agent({ keepAlive: true, maxSockets: 32 }), proxy, false);
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Where requests of a client go: directly, or through the proxy its options or environment name. */
export class ProxyRoute {
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly option: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    // A bad proxy option is a mistake to report at construction, not at the first call.
    if (option !== undefined) proxyFor(new URL('http://check'), option, env);
  }

  /** The proxy agent for `url`, or undefined for a direct connection. */
  agentFor(url: string | URL): http.Agent | undefined {
    const target = typeof url === 'string' ? new URL(url) : url;
    const proxy = proxyFor(target, this.option, this.env);
    if (proxy === undefined) return undefined;
    const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
    const key = `${protocol}${proxy.href}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = proxyAgent(proxy, protocol);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** fetch, through the proxy when one applies. */
  readonly fetch: FetchLike = (url, init = {}) => {
    const agent = this.agentFor(url);
    return agent === undefined ? fetch(url, init) : fetchVia(agent, url, init);
  };

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** The subset of fetch the SDK uses (method, headers, string body, signal), over node:http. */
function fetchVia(agent: http.Agent, url: string, init: RequestInit): Promise<Response> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('proxied fetch takes a string body only'));
  }
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const request = mod.request(target, { method: init.method ?? 'GET', headers, agent });
    const onAbort = () =>
      request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('response', (answer) => {
      const status = answer.statusCode ?? 0;
      const answerHeaders = new Headers();
      for (const [k, v] of Object.entries(answer.headers)) {
        if (v !== undefined) answerHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      answer.once('close', () => signal?.removeEventListener('abort', onAbort));
      const nullBody = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
      if (nullBody) answer.resume();
      const stream = nullBody ? null : (Readable.toWeb(answer) as unknown as ReadableStream<Uint8Array>);
      resolve(
        new Response(stream, { status, statusText: answer.statusMessage ?? '', headers: answerHeaders }),
      );
    });
    request.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      // Shaped like undici's failure, whose cause the callers read.
      reject(new TypeError('fetch failed', { cause: e }));
    });
    request.end(body ?? undefined);
  });
}
