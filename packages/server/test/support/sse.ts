/** Reading server-sent events in tests. */

export interface StreamedEvent {
  event: string;
  data: {
    userId: number;
    type: string;
    taskId: number;
    frameId?: number;
    status: number;
    detail?: Record<string, unknown>;
  };
}

export interface EventReader {
  /** Read on until `done` accepts everything received so far (10 s at most); returns it all. */
  until(done: (events: StreamedEvent[]) => boolean): Promise<StreamedEvent[]>;
  close(): Promise<void>;
}

export function readEvents(res: Response): EventReader {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: StreamedEvent[] = [];
  let buffer = '';
  return {
    async until(done) {
      const deadline = Date.now() + 10_000;
      while (!done(events)) {
        if (Date.now() > deadline) throw new Error(`events so far: ${JSON.stringify(events)}`);
        const { value, done: ended } = await reader.read();
        if (ended) break;
        buffer += value;
        let cut = buffer.indexOf('\n\n');
        while (cut !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) {
            events.push({ event, data: JSON.parse(data) as StreamedEvent['data'] });
          }
          cut = buffer.indexOf('\n\n');
        }
      }
      return events;
    },
    close: () => reader.cancel(),
  };
}

/** Read until `done`, then close the stream. */
export async function collect(
  res: Response,
  done: (events: StreamedEvent[]) => boolean,
): Promise<StreamedEvent[]> {
  const r = readEvents(res);
  try {
    return await r.until(done);
  } finally {
    await r.close();
  }
}
