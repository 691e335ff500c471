/**
 * Append a request body to a staging file as its chunks arrive.
 *
 * Each chunk the socket delivers (at most 64 KiB) is written with one
 * synchronous call from the 'data' handler, instead of through a write
 * stream and the thread pool. On a large upload the stream route cost more
 * than the bytes: a thread-pool hand-off, a wake-up and several promises per
 * chunk, and, with many uploads at once, pool threads contending for the same
 * file system locks. A write into the page cache takes tens of microseconds,
 * so the event loop is never held for long. Measurements: bench/README.md.
 *
 * Bytes written before a failure (a cut connection, too many bytes) stay in
 * the file: they are a valid prefix, and the upload resumes after them.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

export interface AppendOptions {
  /** Write at this offset of the file. */
  offset: number;
  /** Refuse the body once more than this many bytes arrived (nothing past the limit is written). */
  limit: number;
  /** The error to throw when the body exceeds `limit`. */
  tooLong: () => Error;
  /** Sees every chunk written, in order (the running hash). */
  onChunk?: (chunk: Buffer) => void;
}

/** Resolves with the number of bytes appended once the body ended; rejects when it did not end whole. */
export function appendBody(path: string, body: Readable, o: AppendOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (e) {
      body.resume();
      reject(e);
      return;
    }
    let written = 0;
    let settled = false;
    const settle = (error: unknown): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      try {
        closeSync(fd);
      } catch (e) {
        error ??= e;
      }
      if (error !== undefined) {
        // Drain what is left so the answer can still be sent on this connection.
        body.resume();
        reject(error);
      } else resolve(written);
    };
    const onData = (chunk: Buffer): void => {
      if (written + chunk.length > o.limit) {
        settle(o.tooLong());
        return;
      }
      try {
        for (let done = 0; done < chunk.length; ) {
          done += writeSync(fd, chunk, done, chunk.length - done, o.offset + written + done);
        }
      } catch (e) {
        settle(e);
        return;
      }
      written += chunk.length;
      o.onChunk?.(chunk);
    };
    const onEnd = (): void => settle(undefined);
    const onClose = (): void => {
      if (!body.readableEnded) settle(new Error('the connection closed before the body ended'));
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', settle);
    body.once('close', onClose);
  });
}
