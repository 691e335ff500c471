/**
 * The proxy handshakes against proxies that misbehave: answers split into
 * single bytes, a proxy that never answers, one that never ends its answer,
 * and fields SOCKS5 cannot carry. (Real tinyproxy and danted carry whole
 * transfers in the server package's sdk-proxy test.)
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { openTunnel } from '../src/client/proxy-tunnel.js';

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A fake proxy on loopback; `onSocket` plays its part. Resolves its URL and the sockets' close. */
async function fakeProxy(
  scheme: 'http' | 'socks5',
  onSocket: (socket: net.Socket) => void,
): Promise<{ url: URL; closed: Promise<void> }> {
  let closedResolve: () => void = () => {};
  const closed = new Promise<void>((r) => {
    closedResolve = r;
  });
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('close', () => closedResolve());
    onSocket(socket);
    // Read whatever is not answered, so the client's close reaches 'close' here.
    socket.resume();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: new URL(`${scheme}://127.0.0.1:${port}`), closed };
}

test('a CONNECT answer read a byte at a time, with the target’s first bytes behind it', async () => {
  const { url } = await fakeProxy('http', (socket) => {
    socket.once('data', async () => {
      const answer = Buffer.from('HTTP/1.1 200 Connection established\r\nVia: fake\r\n\r\nhello');
      for (const byte of answer) {
        socket.write(Buffer.from([byte]));
        await new Promise((r) => setTimeout(r, 1));
      }
    });
  });
  const tunnel = await openTunnel(url, 'farm.example', 7200);
  const first = await new Promise<string>((resolve) => {
    let got = '';
    tunnel.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= 5) resolve(got);
    });
  });
  assert.equal(first, 'hello');
  tunnel.destroy();
});

test('a proxy that accepts and never answers fails the tunnel after the handshake timeout', async () => {
  const { url, closed } = await fakeProxy('http', () => {});
  await assert.rejects(openTunnel(url, 'farm.example', 7200, 300), {
    message: /did not answer within/,
    code: 'ETIMEDOUT',
  });
  await closed;
});

test('a CONNECT answer that never ends is refused instead of buffered', async () => {
  const { url, closed } = await fakeProxy('http', (socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nX-Filler: ');
      const filler = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        if (!socket.destroyed && socket.write(filler)) setImmediate(pump);
      };
      socket.on('drain', pump);
      pump();
    });
  });
  await assert.rejects(openTunnel(url, 'farm.example', 7200, 10_000), /has no end after/);
  await closed;
});

test('SOCKS5 fields longer than 255 bytes are refused, not sent cut', async () => {
  const { url, closed } = await fakeProxy('socks5', (socket) => {
    socket.once('data', () => socket.write(Buffer.from([5, 0])));
  });
  await assert.rejects(openTunnel(url, `${'a'.repeat(300)}.example`, 7200, 5000), /at most 255/);
  await closed;
  const withUser = new URL(url);
  withUser.username = 'u'.repeat(256);
  withUser.password = 'p';
  const { url: authUrl } = await fakeProxy('socks5', (socket) => {
    socket.once('data', () => socket.write(Buffer.from([5, 2])));
  });
  authUrl.username = 'u'.repeat(256);
  authUrl.password = 'p';
  await assert.rejects(openTunnel(authUrl, 'farm.example', 7200, 5000), /user name is 256 bytes/);
});
