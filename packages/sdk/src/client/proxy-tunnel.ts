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

function connectTo(proxy: URL): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port) });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function httpConnect(proxy: URL, host: string, port: number): Promise<net.Socket> {
  const socket = await connectTo(proxy);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (proxy.username !== '') {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    head += `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`;
  }
  socket.write(`${head}\r\n`);
  const answer = await readAnswer(socket, (d) => {
    const end = d.indexOf('\r\n\r\n');
    return end < 0 ? undefined : end + 4;
  });
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer.toString('latin1'));
  if (status?.[1] !== '200') {
    socket.destroy();
    throw new Error(`the proxy refused CONNECT ${authority}: ${answer.toString('latin1').split('\r\n')[0]}`);
  }
  return socket;
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

async function socks5Connect(proxy: URL, host: string, port: number): Promise<net.Socket> {
  const socket = await connectTo(proxy);
  try {
    const withPassword = proxy.username !== '';
    socket.write(Buffer.from(withPassword ? [5, 2, 0, 2] : [5, 1, 0]));
    const method = await readAnswer(socket, (d) => (d.length >= 2 ? 2 : undefined));
    if (method[0] !== 5 || method[1] === 0xff)
      throw new Error('the SOCKS5 proxy accepts none of our methods');
    if (method[1] === 2) {
      const user = Buffer.from(decodeURIComponent(proxy.username));
      const pass = Buffer.from(decodeURIComponent(proxy.password));
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
          : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)]);
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
    return socket;
  } catch (e) {
    socket.destroy();
    throw e;
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/** A connected socket to `host:port` through `proxy`, ready for the target's protocol. */
export async function openTunnel(proxy: URL, host: string, port: number): Promise<net.Socket> {
  const socket =
    proxy.protocol === 'http:' ? await httpConnect(proxy, host, port) : await socks5Connect(proxy, host, port);
  // Paused by the handshake; node:http does not resume a socket it is given. Nothing is lost in
  // between: the target speaks only after our first write, and by then the caller listens.
  socket.resume();
  return socket;
}
