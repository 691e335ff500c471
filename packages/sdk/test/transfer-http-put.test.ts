/**
 * putFileRange: a file range sent through two reused buffers arrives byte for
 * byte; a file shorter than the range fails the request instead of sending a
 * short body; an answer sent before the body was read wins over the broken pipe.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashFile } from '../src/transfer/hash-file.js';
import { putFileRange } from '../src/transfer/http-put.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('putFileRange', () => {
  let work: string;
  let server: Server;
  let url: string;
  let handler: Handler = () => {};
  const file = randomBytes(5 * 1024 * 1024 + 12345);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'openfarm-http-put-'));
    await writeFile(join(work, 'data.bin'), file);
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/put`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(work, { recursive: true, force: true });
  });

  /** Answers with the SHA-256 and length of the body it received. */
  const digestHandler: Handler = (req, res) => {
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      length += c.length;
    });
    req.on('end', () => res.end(JSON.stringify({ sha256: hash.digest('hex'), length })));
  };

  test('ranges arrive byte for byte, with their length announced, and progress counts every byte', async () => {
    handler = digestHandler;
    for (const [start, end] of [
      [0, file.length],
      [1024 * 1024 - 1, 4 * 1024 * 1024 + 7],
      [17, 18],
    ] as const) {
      let counted = 0;
      const answer = await putFileRange(
        url,
        {},
        { path: join(work, 'data.bin'), start, end, onSend: (n) => (counted += n) },
      );
      assert.equal(answer.status, 200);
      const expected = createHash('sha256').update(file.subarray(start, end)).digest('hex');
      assert.deepEqual(JSON.parse(answer.text), { sha256: expected, length: end - start });
      assert.equal(counted, end - start);
    }
  });

  test('a file shorter than the range fails the request', async () => {
    handler = digestHandler;
    const short = join(work, 'short.bin');
    await writeFile(short, file);
    await truncate(short, 2 * 1024 * 1024);
    await assert.rejects(
      putFileRange(url, {}, { path: short, start: 0, end: file.length }),
      /shorter than when it was hashed|socket hang up|ECONNRESET/,
    );
  });

  test('an answer sent before the body was read reaches the caller', async () => {
    // As the farm does: answer at once, without reading; node's server then discards the rest.
    handler = (_req, res) => {
      res.statusCode = 413;
      res.end('{"code":7003}');
    };
    for (let i = 0; i < 5; i++) {
      const answer = await putFileRange(
        url,
        {},
        { path: join(work, 'data.bin'), start: 0, end: file.length },
      );
      assert.equal(answer.status, 413);
      assert.equal(answer.text, '{"code":7003}');
    }
  });

  test('read buffers are reused from one file to the next, and never shared by two at once', async (t) => {
    handler = digestHandler;
    const path = join(work, 'data.bin');
    const whole = createHash('sha256').update(file).digest('hex');
    // Warm the pool, then count: one after another, sends and hashes need no new buffer.
    await putFileRange(url, {}, { path, start: 0, end: file.length });
    await hashFile(path);
    // Large buffers allocated from here on (a read buffer is 1 MiB).
    let allocated = 0;
    for (const name of ['allocUnsafe', 'allocUnsafeSlow', 'alloc'] as const) {
      const original = Buffer[name];
      t.mock.method(Buffer, name, (size: number, ...rest: never[]) => {
        if (size >= 1024 * 1024) allocated++;
        return (original as (size: number, ...rest: never[]) => Buffer).call(Buffer, size, ...rest);
      });
    }
    for (let i = 0; i < 5; i++) {
      const answer = await putFileRange(url, {}, { path, start: 0, end: file.length });
      assert.equal(JSON.parse(answer.text).sha256, whole);
      assert.equal((await hashFile(path)).sha256, whole);
    }
    assert.equal(allocated, 0);
    t.mock.restoreAll();
    // At once: every send and every hash still sees its own bytes.
    const ranges = [
      [0, file.length],
      [3, 2 * 1024 * 1024 + 5],
      [1024 * 1024, file.length - 1],
    ] as const;
    const answers = await Promise.all([
      ...ranges.map(([start, end]) => putFileRange(url, {}, { path, start, end })),
      ...ranges.map(() => hashFile(path)),
    ]);
    for (const [i, [start, end]] of ranges.entries()) {
      const expected = createHash('sha256').update(file.subarray(start, end)).digest('hex');
      assert.equal(JSON.parse((answers[i] as { text: string }).text).sha256, expected);
      assert.equal((answers[ranges.length + i] as { sha256: string }).sha256, whole);
    }
  });
});
