/**
 * Writes a request body into a staging file at a given offset, gathering the
 * socket's pieces (about 64 KB each) into 1 MB writes from two buffers used in
 * turn. A write stream would hand every piece to the thread pool on its own:
 * on a 200 MB chunk that is thousands of hand-offs, each a few futex and
 * eventfd calls, and the farm's event loop is the busy side of a cold upload.
 * One write is in flight at a time, in order, so the file always holds a
 * prefix of the body (its size is the committed offset after a crash).
 */
import { open } from 'node:fs/promises';

const WRITE_BYTES = 1024 * 1024;

/** Write `body` into `path` from byte `start` on; `onPiece` sees every piece first (and may throw). */
export async function writeBodyAt(
  path: string,
  start: number,
  body: AsyncIterable<Buffer>,
  onPiece: (piece: Buffer) => void,
): Promise<void> {
  const fh = await open(path, 'r+');
  const buffers = [Buffer.allocUnsafe(WRITE_BYTES), Buffer.allocUnsafe(WRITE_BYTES)];
  let turn = 0;
  let filled = 0;
  let position = start;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    const buffer = buffers[turn] as Buffer;
    writing = fh.write(buffer, 0, filled, position);
    // Awaited at the next flush or at the end; until then a failure (a full disk) must not count
    // as an unhandled rejection, which would end the process.
    writing.catch(() => {});
    position += filled;
    filled = 0;
    turn = 1 - turn;
  };
  try {
    try {
      for await (const piece of body) {
        onPiece(piece);
        let from = 0;
        while (from < piece.length) {
          const n = piece.copy(buffers[turn] as Buffer, filled, from);
          filled += n;
          from += n;
          if (filled === WRITE_BYTES) await flush();
        }
      }
    } finally {
      // Also when the body failed midway (a cut connection): what arrived is kept, and the
      // sender resumes from the file's size.
      if (filled > 0) await flush();
      await writing;
    }
  } finally {
    await writing.catch(() => {});
    await fh.close();
  }
}
