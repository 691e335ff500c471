/**
 * How far hashing may run ahead of sending. Two counts bound it: the small
 * files' bytes in hand (read for hashing, kept until they are sent) and the
 * bytes of blobs scheduled to be sent that are not yet on the wire. The wave
 * loop waits on them before hashing the next wave; the sends lower them.
 */
import { ByteSlabs } from './byte-slabs.js';
import type { FileState } from './upload-scan.js';

export class UploadBacklog {
  /** Where small files' bytes are kept between hashing and sending. */
  readonly slabs = new ByteSlabs();
  /** Small files' bytes in hand: read for hashing, not yet sent. */
  keptBytes = 0;
  /** Bytes of the blobs scheduled to be sent that are not yet on the wire. */
  unsentBytes = 0;
  /** Checks the condition the wave loop waits for, after each change of the two counts above. */
  private recheck: (() => void) | undefined;

  /** Resolves once `ready` holds; only the wave loop waits, one wait at a time. */
  until(ready: () => boolean): Promise<void> {
    return ready()
      ? Promise.resolve()
      : new Promise((resolve) => {
          this.recheck = () => {
            if (!ready()) return;
            this.recheck = undefined;
            resolve();
          };
        });
  }

  /** A small file's bytes, read while hashing, kept until its blob is sent. */
  keep(f: FileState, bytes: Buffer | undefined): void {
    f.bytes = bytes;
    this.keptBytes += bytes?.length ?? 0;
  }

  /** A file's bytes are no longer needed (sent, on the farm already, or sent under another name). */
  drop(f: FileState): void {
    if (f.bytes === undefined) return;
    this.keptBytes -= f.bytes.length;
    this.slabs.give(f.bytes);
    f.bytes = undefined;
    this.recheck?.();
  }

  /** A file's blob is scheduled: all its bytes are still to go. */
  schedule(f: FileState, size: number): void {
    f.unsent = size;
    this.unsentBytes += size;
  }

  /** `bytes` of a file's blob went on the wire. */
  sent(f: FileState, bytes: number): void {
    // A retry sends bytes again: only the first time they count as no longer unsent.
    const left = f.unsent ?? 0;
    const fresh = Math.min(bytes, left);
    f.unsent = left - fresh;
    this.unsentBytes -= fresh;
    this.recheck?.();
  }

  /** A file's blob is done with, sent or not. */
  settle(f: FileState): void {
    // What a failed or resumed blob did not send is no longer waited for either, and the wave loop's
    // wait must hear of it: when such a blob was the last send in flight, nothing else would wake the
    // loop, and the upload never ended.
    this.unsentBytes -= f.unsent ?? 0;
    f.unsent = 0;
    this.drop(f);
    this.recheck?.();
  }
}
