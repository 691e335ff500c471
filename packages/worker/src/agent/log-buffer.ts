/**
 * A frame's log on its way to the farm: lines are buffered and sent in chunks
 * (every second, or sooner when many lines pile up), in order, one request at
 * a time. A refused chunk (stale lease) is reported through `onLeaseLost`.
 */
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
    this.lines.push(line);
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
      this.sending = this.sending.then(() => this.send(chunk)).catch(this.onError);
    }
    return this.sending;
  }
}
