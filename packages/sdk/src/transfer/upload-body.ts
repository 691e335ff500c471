/**
 * The bytes of a blob as a request body, each chunk counted as it goes on the
 * wire (progress, the report, and how far hashing may run ahead depend on it).
 */
import { createReadStream } from 'node:fs';
import { type TokenBucket, throttle } from './token-bucket.js';
import type { Body } from './transfer-client.js';
import type { FileState } from './upload-scan.js';

export class UploadBodies {
  constructor(
    private readonly bucket: TokenBucket | undefined,
    /** Called for every chunk put on the wire, retries included. */
    private readonly onSent: (file: FileState, bytes: number) => void,
  ) {}

  /** The body of bytes `start`–`end` of a file: read straight into reused buffers unless throttled or in hand. */
  of(file: FileState, start: number, end: number): Body {
    return this.bucket === undefined && file.bytes === undefined && end > start
      ? { path: file.localPath, start, end, onSend: (n) => this.onSent(file, n) }
      : () => this.stream(file, start, end);
  }

  /** Bytes `start`–`end` of a file, from its bytes in hand when it is all of them, else from disk; throttled. */
  async *stream(file: FileState, start: number, end: number): AsyncGenerator<Uint8Array> {
    if (end <= start) return;
    const path = file.localPath;
    // A stream's buffer is allocated whole: size it to the file for small ones.
    const highWaterMark = Math.min(1024 * 1024, Math.max(16 * 1024, end - start));
    const source: AsyncIterable<Uint8Array> | Uint8Array[] =
      file.bytes !== undefined && start === 0 && end === file.bytes.length
        ? [file.bytes]
        : createReadStream(path, { start, end: end - 1, highWaterMark });
    for await (const chunk of throttle(source, this.bucket)) {
      this.onSent(file, chunk.length);
      yield chunk;
    }
  }
}
