/**
 * Reading Blender's console output. The lines that matter:
 *   `Fra:12 Mem:10.05M (Peak 10.35M) | Time:00:00.13 | … | Sample 3/8`      (Cycles)
 *   `Fra:12 … | Rendering 16 / 64 samples`                                    (EEVEE, Workbench)
 *   `Saved: '/out/frame_0012.png'`                                             (a file is complete)
 *   `Error: …`, `Error: Cannot read file …`                                  (failures)
 * Sample counts restart for each view layer, so progress is per frame and layer.
 */
import type { RenderEvent } from './adapter.js';

const FRA = /^Fra:(\d+)\s/;
const CYCLES_SAMPLE = /\|\s*Sample (\d+)\/(\d+)/;
const EEVEE_SAMPLE = /\|\s*Rendering (\d+) \/ (\d+) samples/;
const SAVED = /^Saved: '(.+)'/;
const ERROR = /^(?:Error|ERROR)\b:?\s*(.*)$/;

export function createBlenderParser(): (line: string) => RenderEvent[] {
  let frame: number | undefined;
  return (line) => {
    const events: RenderEvent[] = [];
    const fra = FRA.exec(line);
    if (fra) {
      const f = Number(fra[1]);
      if (f !== frame) {
        frame = f;
        events.push({ kind: 'frame', frame: f });
      }
      const s = CYCLES_SAMPLE.exec(line) ?? EEVEE_SAMPLE.exec(line);
      if (s) {
        const total = Number(s[2]);
        if (total > 0) events.push({ kind: 'progress', fraction: Math.min(1, Number(s[1]) / total) });
      }
      return events;
    }
    const saved = SAVED.exec(line);
    if (saved) return [{ kind: 'output', path: saved[1]! }];
    const err = ERROR.exec(line);
    if (err) return [{ kind: 'error', message: err[1] || line }];
    return events;
  };
}
