/**
 * A line reader for renderers without a structured log: it reports the frame a
 * line names and any `NN%` progress, and lines starting with `Error`. Houdini's
 * `ALF_PROGRESS 42%`, Maya/Arnold's `42% done`, Clarisse's and Katana's
 * percentage lines all fit; written files are collected from the output folder.
 */
import type { RenderEvent } from './adapter.js';

const FRAME = /\b[Ff]rame[:\s]+(-?\d+)\b/;
const PERCENT = /(\d{1,3}(?:\.\d+)?)\s?%/;
const ERROR = /^\s*(?:\[[^\]]*\]\s*)?(?:Error|ERROR|Fatal|FATAL)\b:?\s*(.*)$/;

export function createPercentParser(): (line: string) => RenderEvent[] {
  let frame: number | undefined;
  return (line) => {
    const events: RenderEvent[] = [];
    const f = FRAME.exec(line);
    if (f && Number(f[1]) !== frame) {
      frame = Number(f[1]);
      events.push({ kind: 'frame', frame });
    }
    const p = PERCENT.exec(line);
    if (p) events.push({ kind: 'progress', fraction: Math.min(1, Number(p[1]) / 100) });
    const e = ERROR.exec(line);
    if (e) events.push({ kind: 'error', message: e[1] || line });
    return events;
  };
}
