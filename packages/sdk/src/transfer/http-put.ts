/**
 * PUT a byte stream with node:http(s) instead of fetch.
 *
 * fetch (undici) turns an async-iterable body into a web stream and copies
 * every chunk on the way; on a 1 GB cold upload that copy and the garbage it
 * leaves cost about a third of the client's CPU. Here chunks go to a plain
 * request as they are, and file ranges (the bulk of an upload) are read into
 * reused buffers. Connections are kept alive and shared, like fetch's pool.
 */

import { open } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { giveReadBuffer, READ_BUFFER_BYTES, takeReadBuffer } from './buffer-pool.js';

export interface PutAnswer {
  status: number;
  text: string;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

/**
 * Open a PUT, let `write` send the body, and return the answer. When the farm
 * answers before it has read the whole body (a refused token, a quota error),
 * its answer wins over the broken pipe that follows; without an answer the
 * send error is thrown.
 */
function put(
  url: string,
  headers: Record<string, string>,
  write: (request: http.ClientRequest) => Promise<void>,
  proxyAgent?: http.Agent,
): Promise<PutAnswer> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  // Through the client's proxy when one applies (client/proxy-agent.ts), else the shared direct agents.
  const agent = proxyAgent ?? (target.protocol === 'https:' ? agents['https:'] : agents['http:']);
  return new Promise<PutAnswer>((resolve, reject) => {
    let answered = false;
    let sendError: unknown;
    const request = mod.request(target, { method: 'PUT', headers, agent });
    request.on('response', (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on('data', (d: Buffer) => parts.push(d));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }),
      );
      response.on('error', reject);
    });
    // 'close' comes after 'response' when there is one, so an early answer is not lost to the error.
    request.on('close', () => {
      if (!answered) reject(sendError ?? new Error('the connection closed before the farm answered'));
    });
    request.on('error', (e) => {
      sendError ??= e;
    });
    write(request).catch((e: unknown) => {
      sendError ??= e;
      request.destroy();
    });
  });
}

/** Send `body` (any chunks) and return the answer. */
export function putStream(
  url: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array>,
  agent?: http.Agent,
): Promise<PutAnswer> {
  return put(url, headers, (request) => pipeline(Readable.from(body, { objectMode: false }), request), agent);
}

/** Bytes `start` to `end` (exclusive) of a local file. */
export interface FileRange {
  path: string;
  start: number;
  end: number;
  /** Called with each piece's length just before it is sent (progress). */
  onSend?: (bytes: number) => void;
}

/**
 * Send a range of a file as the body, with its length announced. The file is
 * read into two buffers in turn, each reused once the socket has taken what
 * it held, so a large upload allocates nothing per piece: with a stream, the
 * garbage of one new buffer per read cost a good part of the client's CPU.
 */
export function putFileRange(
  url: string,
  headers: Record<string, string>,
  range: FileRange,
  agent?: http.Agent,
): Promise<PutAnswer> {
  const length = range.end - range.start;
  return put(
    url,
    { ...headers, 'content-length': String(length) },
    async (request) => {
      const fh = await open(range.path, 'r');
      // A failed write or a closed request stops the sending, but does not end the request: the farm may
      // have answered before it read the body (a refused token, a quota error), and that answer, still on
      // its way in, is what the caller must see. The request closes on its own.
      const closed = new Promise<boolean>((resolve) => request.once('close', () => resolve(false)));
      try {
        // Pieces are read up to a read buffer's size, into one of two reused buffers in turn.
        const size = Math.min(READ_BUFFER_BYTES, Math.max(1, length));
        const buffers = [takeReadBuffer(), takeReadBuffer()];
        /** Whether the write that last used each buffer went through. */
        const writing: Array<Promise<boolean>> = [Promise.resolve(true), Promise.resolve(true)];
        let position = range.start;
        for (let turn = 0; position < range.end; turn = 1 - turn) {
          if (!(await Promise.race([writing[turn], closed]))) return;
          const buffer = buffers[turn] as Buffer;
          const { bytesRead } = await fh.read(buffer, 0, Math.min(size, range.end - position), position);
          if (bytesRead === 0) throw new Error(`${range.path}: the file is shorter than when it was hashed`);
          position += bytesRead;
          range.onSend?.(bytesRead);
          const piece = buffer.subarray(0, bytesRead);
          writing[turn] = new Promise<boolean>((resolve) => request.write(piece, (e) => resolve(!e)));
        }
        if (!(await Promise.race([Promise.all(writing).then((ok) => ok.every(Boolean)), closed]))) return;
        await new Promise<void>((resolve) => request.end(resolve));
        // Given back only once the socket has taken both (on the paths that return early it may not have).
        for (const b of buffers) giveReadBuffer(b);
      } finally {
        await fh.close();
      }
    },
    agent,
  );
}
