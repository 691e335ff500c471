/**
 * A frame's log on its way to the farm: lines are buffered and sent in chunks
 * (every second, or sooner when many lines pile up), in order, one request at
 * a time. A refused chunk (stale lease) is reported through `onError`.
 *
 * Nothing the renderer prints may cost the rest of the log: the farm refuses a
 * line over {@link MAX_LOG_LINE} characters and with it the whole chunk (up to
 * 500 lines), so long lines are clamped here and marked; NUL, which PostgreSQL
 * cannot store in text, is replaced. A chunk the farm still refuses is split in
 * halves and each half sent again, down to a single line, which is then
 * replaced by a note saying why the farm refused it.
 */
import { LeaseLostError } from './node-api.js';

/** The longest log line the farm accepts (characters, i.e. UTF-16 code units). */
export const MAX_LOG_LINE = 16_384;

/**
 * The line as the farm will take it: at most {@link MAX_LOG_LINE} characters,
 * a clamped line ending in `… [truncated N characters]`, NUL replaced by U+FFFD.
 */
export function clampLogLine(line: string): string {
  const clean = line.includes('\u0000') ? line.replaceAll('\u0000', '\uFFFD') : line;
  if (clean.length <= MAX_LOG_LINE) return clean;
  // The marker's length depends on N, and N on where the cut falls: size it for the largest N.
  const room = MAX_LOG_LINE - ` … [truncated ${clean.length} characters]`.length;
  // Never keep half of a surrogate pair.
  const keep = /[\uD800-\uDBFF]/.test(clean[room - 1] ?? '') ? room - 1 : room;
  return `${clean.slice(0, keep)} … [truncated ${clean.length - keep} characters]`;
}

export class LogBuffer {
  private lines: string[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (lines: string[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 1000,
    private readonly maxLines = 500,
  ) {}

  push(line: string): void {
    this.lines.push(clampLogLine(line));
    if (this.lines.length >= this.maxLines) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Send what is buffered; resolves when every chunk so far has been sent. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length > 0) {
      const chunk = this.lines;
      this.lines = [];
      this.sending = this.sending.then(() => this.sendOrSplit(chunk)).catch(this.onError);
    }
    return this.sending;
  }

  /**
   * Send a chunk; if the farm refuses it for its content (anything but a lost
   * lease or an unreachable farm, which the sender has already retried), send
   * its halves instead, so one bad line costs only itself.
   */
  private async sendOrSplit(chunk: string[]): Promise<void> {
    try {
      await this.send(chunk);
    } catch (err) {
      if (!refusedForContent(err)) throw err;
      if (chunk.length === 1) {
        const why = (err as Error).message;
        const note = clampLogLine(
          `[openfarm] the farm refused a log line of ${chunk[0]!.length} characters: ${why}`,
        );
        // A note the farm refuses too is not worth losing the next chunks over.
        if (chunk[0] !== note) await this.send([note]).catch(() => undefined);
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      await this.sendOrSplit(chunk.slice(0, half));
      await this.sendOrSplit(chunk.slice(half));
    }
  }
}

/** A 4xx answer other than a lost lease: the farm will never take these bytes as they are. */
function refusedForContent(err: unknown): boolean {
  if (err instanceof LeaseLostError) return false;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 401;
}
