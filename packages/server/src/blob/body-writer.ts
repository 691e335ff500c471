/**
 * Writes a body (a request's, in pieces of about 64 KB) into a file at a given
 * offset, gathering the pieces into 1 MB writes from two buffers used in turn:
 * the staging file of a resumable upload, and the temporary file of a blob
 * sent whole. A write stream would hand every piece to the thread pool on its
 * own: on a 200 MB chunk that is thousands of hand-offs, each a few futex and
 * eventfd calls. One write is in flight at a time, in order, so the file
 * always holds a prefix of the body (a staging file's size is the committed
 * offset after a crash).
 *
 * Whole blocks go past the page cache (O_DIRECT) where the file system allows
 * it, as object stores such as MinIO write their objects. Copying an upload
 * into the page cache was the largest single cost of the farm during a cold
 * upload (half of its CPU samples, 3–4 kernel seconds per 800 MB on a virtual
 * machine whose fresh memory is slow to touch; 0.65–0.85 s with direct
 * writes), the copy would only evict what the farm reads, and the durable
 * mode's fsync at completion then finds little left to flush. The first
 * partial block of a body and its last one are written through the page cache
 * (an append rarely starts or ends on a block), so direct and cached writes
 * never share a page. A file system that refuses direct writes (tmpfs before
 * Linux 6.6, some network file systems) gets ordinary writes.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import {
  ALIGNED_BUFFER_BYTES,
  type AlignedBufferPool,
  alignedBuffers,
  DIRECT_IO_BLOCK,
} from './aligned-buffers.js';

export interface BodyWriteOptions {
  /** Write whole blocks past the page cache where the file system allows it (default true). */
  direct?: boolean;
  /** Where aligned buffers come from (default: the process's pool). */
  pool?: AlignedBufferPool;
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

/** A second handle on `path` for direct writes, or undefined where the file system has none. */
async function openDirect(path: string): Promise<FileHandle | undefined> {
  // O_DIRECT is Linux's (and some BSDs'); where Node does not define it there is nothing to try.
  if (constants.O_DIRECT === undefined) return undefined;
  try {
    return await open(path, constants.O_WRONLY | constants.O_DIRECT);
  } catch (e) {
    if (isErrno(e, 'EINVAL')) return undefined;
    throw e;
  }
}

/** Write `length` bytes of `buffer` from `from` at `position`, also when the kernel takes them in parts. */
export async function writeAll(
  fh: FileHandle,
  buffer: Buffer,
  from: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(buffer, from + done, length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('the disk took no bytes'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Write `body` into `path` from byte `start` on; `onPiece` sees every piece first (and may throw). */
export async function writeBodyAt(
  path: string,
  start: number,
  body: AsyncIterable<Buffer>,
  onPiece: (piece: Buffer) => void,
  options: BodyWriteOptions = {},
): Promise<void> {
  const pool = options.pool ?? alignedBuffers;
  const fh = await open(path, 'r+');
  let direct: FileHandle | undefined;
  const pooled: Buffer[] = [];
  try {
    direct = options.direct === false ? undefined : await openDirect(path);
    if (direct !== undefined) {
      for (const b of [pool.take(), pool.take()]) if (b !== undefined) pooled.push(b);
      if (pooled.length < 2) {
        // Every aligned buffer is busy: this body goes through the page cache.
        for (const b of pooled.splice(0)) pool.give(b);
        await direct.close();
        direct = undefined;
      }
    }
  } catch (e) {
    await direct?.close();
    await fh.close();
    for (const b of pooled) pool.give(b);
    throw e;
  }
  const buffers =
    direct !== undefined
      ? pooled
      : [Buffer.allocUnsafe(ALIGNED_BUFFER_BYTES), Buffer.allocUnsafe(ALIGNED_BUFFER_BYTES)];

  /** Write `buffer[from, to)`, whose byte 0 belongs at file offset `base`. */
  const writeRange = async (buffer: Buffer, from: number, to: number, base: number): Promise<void> => {
    if (direct === undefined) return writeAll(fh, buffer, from, to - from, base + from);
    // base is a block boundary, so buffer offsets and file offsets share their alignment.
    const firstWhole = Math.min(to, Math.ceil(from / DIRECT_IO_BLOCK) * DIRECT_IO_BLOCK);
    const lastWhole = Math.max(firstWhole, Math.floor(to / DIRECT_IO_BLOCK) * DIRECT_IO_BLOCK);
    if (firstWhole > from) await writeAll(fh, buffer, from, firstWhole - from, base + from);
    if (lastWhole > firstWhole) {
      try {
        await writeAll(direct, buffer, firstWhole, lastWhole - firstWhole, base + firstWhole);
      } catch (e) {
        if (!isErrno(e, 'EINVAL')) throw e;
        // Opened, but direct writes refused (a stricter block size, a file system that only
        // pretends): the rest of this body goes through the page cache. A refused write wrote
        // nothing, and a part written before a short write is written again, unchanged.
        const refused = direct;
        direct = undefined;
        await refused.close();
        await writeAll(fh, buffer, firstWhole, lastWhole - firstWhole, base + firstWhole);
      }
    }
    if (to > lastWhole) await writeAll(fh, buffer, lastWhole, to - lastWhole, base + lastWhole);
  };

  let turn = 0;
  // File offset of byte 0 of the buffer being filled; with direct writes a block boundary, and the
  // body's first byte placed at its offset within the block.
  let base = direct !== undefined ? start - (start % DIRECT_IO_BLOCK) : start;
  let from = start - base;
  let filled = from;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    writing = writeRange(buffers[turn] as Buffer, from, filled, base);
    // Awaited at the next flush or at the end; until then a failure (a full disk) must not count
    // as an unhandled rejection, which would end the process.
    writing.catch(() => {});
    base += filled;
    from = 0;
    filled = 0;
    turn = 1 - turn;
  };
  try {
    try {
      for await (const piece of body) {
        onPiece(piece);
        let at = 0;
        while (at < piece.length) {
          const n = piece.copy(buffers[turn] as Buffer, filled, at);
          filled += n;
          at += n;
          if (filled === ALIGNED_BUFFER_BYTES) await flush();
        }
      }
    } finally {
      // Also when the body failed midway (a cut connection): what arrived is kept, and the
      // sender resumes from the file's size.
      if (filled > from) await flush();
      await writing;
    }
  } finally {
    await writing.catch(() => {});
    for (const b of pooled) pool.give(b);
    await direct?.close();
    await fh.close();
  }
}
