/**
 * PUT a byte stream with node:http(s) instead of fetch.
 *
 * fetch (undici) turns an async-iterable body into a web stream and copies
 * every chunk on the way; on a 1 GB cold upload that copy and the garbage it
 * leaves cost about a third of the client's CPU. Piping the file's chunks into
 * a plain request writes them to the socket as they are. Connections are kept
 * alive and shared, like fetch's pool.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface PutAnswer {
  status: number;
  text: string;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

/**
 * Send `body` and return the answer. When the farm answers before it has read
 * the whole body (a refused token, a quota error), its answer wins over the
 * broken pipe that follows; without an answer the send error is thrown.
 */
export function putStream(
  url: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array>,
): Promise<PutAnswer> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
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
    pipeline(Readable.from(body, { objectMode: false }), request).catch((e: unknown) => {
      sendError ??= e;
      request.destroy();
    });
  });
}
