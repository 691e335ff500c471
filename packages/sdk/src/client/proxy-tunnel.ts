/**
 * A TCP stream to `host:port` through a proxy: HTTP CONNECT for `http://`
 * proxies, SOCKS5 (RFC 1928, with RFC 1929 user/password when the URL has
 * them) for `socks5://` and `socks5h://`. Everything, plain http included,
 * goes through a tunnel: one code path, and the proxy sees no request bodies.
 * An agent built on it (see proxy-agent.ts) serves fetch-style calls and the
 * node:http PUTs of transfers alike.
 */
import net from 'node:net';

/** Read from `socket` until `enough` says how many bytes make the answer; the rest is pushed back. */
function readAnswer(socket: net.Socket, enough: (data: Buffer) => number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      let n: number | undefined;
      try {
        n = enough(data);
      } catch (e) {
        cleanup();
        reject(e);
        return;
      }
      if (n === undefined) return;
      cleanup();
      socket.pause();
      if (n < data.length) socket.unshift(data.subarray(n));
      resolve(data.subarray(0, n));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the proxy closed the connection'));
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    // Paused by the previous answer: listening alone does not restart the flow.
    socket.resume();
  });
}

/** A socket to the proxy that destroys itself when the handshake stalls (cleared by openTunnel). */
function connectTo(proxy: URL, handshakeTimeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port) });
    socket.setTimeout(handshakeTimeoutMs, () =>
      // ETIMEDOUT: a network failure to the callers, which retry it (transfer-report.ts).
      socket.destroy(
        Object.assign(
          new Error(`the proxy ${proxy.host} did not answer within ${handshakeTimeoutMs / 1000} s`),
          {
            code: 'ETIMEDOUT',
          },
        ),
      ),
    );
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Longest CONNECT answer head taken: a proxy sending more without ending it is not speaking HTTP. */
const MAX_CONNECT_HEAD = 16 * 1024;

async function httpConnect(socket: net.Socket, proxy: URL, host: string, port: number): Promise<void> {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (proxy.username !== '') {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    head += `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`;
  }
  socket.write(`${head}\r\n`);
  const answer = await readAnswer(socket, (d) => {
    const end = d.indexOf('\r\n\r\n');
    if (end < 0 && d.length > MAX_CONNECT_HEAD)
      throw new Error(
        `the proxy's answer to CONNECT ${authority} has no end after ${MAX_CONNECT_HEAD} bytes`,
      );
    return end < 0 ? undefined : end + 4;
  });
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer.toString('latin1'));
  if (status?.[1] !== '200')
    throw new Error(`the proxy refused CONNECT ${authority}: ${answer.toString('latin1').split('\r\n')[0]}`);
}

const SOCKS_REPLIES: Record<number, string> = {
  1: 'general failure',
  2: 'not allowed by the ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

/** A SOCKS5 field, whose length is one byte: longer would be sent cut and misread by the proxy. */
function socksField(text: string, what: string): Buffer {
  const bytes = Buffer.from(text);
  if (bytes.length > 255) throw new Error(`${what} is ${bytes.length} bytes; SOCKS5 takes at most 255`);
  return bytes;
}

async function socks5Connect(socket: net.Socket, proxy: URL, host: string, port: number): Promise<void> {
  const withPassword = proxy.username !== '';
  socket.write(Buffer.from(withPassword ? [5, 2, 0, 2] : [5, 1, 0]));
  const method = await readAnswer(socket, (d) => (d.length >= 2 ? 2 : undefined));
  if (method[0] !== 5 || method[1] === 0xff) throw new Error('the SOCKS5 proxy accepts none of our methods');
  if (method[1] === 2) {
    const user = socksField(decodeURIComponent(proxy.username), 'the proxy user name');
    const pass = socksField(decodeURIComponent(proxy.password), 'the proxy password');
    socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
    const auth = await readAnswer(socket, (d) => (d.length >= 2 ? 2 : undefined));
    if (auth[1] !== 0) throw new Error('the SOCKS5 proxy refused the user name and password');
  }
  const kind = net.isIP(host);
  const address =
    kind === 4
      ? Buffer.from([1, ...host.split('.').map(Number)])
      : kind === 6
        ? Buffer.concat([Buffer.from([4]), ipv6Bytes(host)])
        : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), socksField(host, 'the host name')]);
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), address, portBytes]));
  await readAnswer(socket, (d) => {
    if (d.length < 5) return undefined;
    if (d[1] !== 0)
      throw new Error(`the SOCKS5 proxy could not connect: ${SOCKS_REPLIES[d[1]!] ?? `reply ${d[1]}`}`);
    const length = d[3] === 1 ? 4 : d[3] === 4 ? 16 : 1 + d[4]!;
    const total = 4 + length + 2;
    return d.length >= total ? total : undefined;
  });
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/**
 * How long a proxy may take to accept the connection and finish the handshake.
 * Transfers' PUTs carry no deadline of their own, and an API call's timeout
 * does not reach a socket still in its handshake: without this, a proxy that
 * accepts and never answers would hold an upload, and a socket, forever.
 */
export const HANDSHAKE_TIMEOUT_MS = 30_000;

/** A connected socket to `host:port` through `proxy`, ready for the target's protocol. */
export async function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS,
): Promise<net.Socket> {
  const socket = await connectTo(proxy, handshakeTimeoutMs);
  try {
    if (proxy.protocol === 'http:') await httpConnect(socket, proxy, host, port);
    else await socks5Connect(socket, proxy, host, port);
  } catch (e) {
    socket.destroy();
    throw e;
  }
  socket.setTimeout(0);
  // Paused by the handshake; node:http does not resume a socket it is given. Nothing is lost in
  // between: the target speaks only after our first write, and by then the caller listens.
  socket.resume();
  return socket;
}
