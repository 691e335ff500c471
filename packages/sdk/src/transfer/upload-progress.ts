/**
 * The progress events of one upload, phase by phase: the counts each phase
 * reports are kept here so the steps that do the work only say what happened.
 * Send progress counts blobs, not files: a blob named by several files is
 * sent once.
 */
import type { ProgressListener } from './transfer-report.js';

export class UploadProgress {
  private hashedFiles = 0;
  private hashedBytes = 0;
  private hashFilesTotal = 0;
  private hashBytesTotal = 0;
  bytesDone = 0;
  bytesTotal = 0;
  private blobsDone = 0;
  private blobsTotal = 0;

  constructor(private readonly emit: ProgressListener) {}

  scanned(files: number): void {
    this.emit({ phase: 'scan', filesDone: files, filesTotal: files, bytesDone: 0, bytesTotal: 0 });
  }

  /** What is to be hashed over the whole upload: `files` to look at, `bytes` of them without a known hash. */
  toHash(files: number, bytes: number): void {
    this.hashFilesTotal = files;
    this.hashBytesTotal = bytes;
  }

  /** A file was hashed, or failed to be: either way it is done with. */
  hashed(file: string, size: number): void {
    this.hashedFiles++;
    this.hashedBytes += size;
    this.emit({
      phase: 'hash',
      filesDone: this.hashedFiles,
      filesTotal: this.hashFilesTotal,
      bytesDone: this.hashedBytes,
      bytesTotal: this.hashBytesTotal,
      file,
    });
  }

  /** A blob of `size` bytes is scheduled to be sent. */
  toSend(size: number): void {
    this.bytesTotal += size;
    this.blobsTotal++;
  }

  /** `bytes` went on the wire for `file` (retries count again). */
  sent(file: string, bytes: number): void {
    this.bytesDone += bytes;
    this.send(file);
  }

  /** A blob is done with, sent or failed. */
  blobDone(file: string): void {
    this.blobsDone++;
    this.send(file);
  }

  manifest(entries: number): void {
    this.emit({
      phase: 'manifest',
      filesDone: 0,
      filesTotal: entries,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
    });
  }

  done(files: number): void {
    this.emit({
      phase: 'done',
      filesDone: files,
      filesTotal: files,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
    });
  }

  private send(file: string): void {
    this.emit({
      phase: 'send',
      filesDone: this.blobsDone,
      filesTotal: this.blobsTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      file,
    });
  }
}
