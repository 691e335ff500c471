/**
 * Reading Blender's console output. The lines that matter:
 *   `Fra:12 Mem:10.05M (Peak 10.35M) | Time:00:00.13 | … | Sample 3/8`      (Cycles)
 *   `Fra:12 … | Rendering 16 / 64 samples`                                    (EEVEE, Workbench)
 *   `Fra:12 … | Rendered 1/4 Tiles, Sample 3/8`  (Cycles, image larger than one tile: tiles
 *     written so far, samples of the tile being rendered; each tile's write repeats the
 *     last sample count with the tile count one up, and the last tile ends on `Sample 0/8`)
 *   `Saved: '/out/frame_0012.png'`                                             (a file is complete)
 *   `Error: …`, `Error: Cannot read file …`                                  (failures)
 * Sample counts restart for each view layer, so progress is per frame and layer.
 */
import type { RenderEvent } from './adapter.js';

const FRA = /^Fra:(\d+)\s/;
const CYCLES_SAMPLE = /\|\s*Sample (\d+)\/(\d+)/;
const EEVEE_SAMPLE = /\|\s*Rendering (\d+) \/ (\d+) samples/;
const CYCLES_TILES = /\|\s*Rendered (\d+)\/(\d+) Tiles(?:, Sample (\d+)\/(\d+))?/;
const SAVED = /^Saved: '(.+)'/;
const ERROR = /^(?:Error|ERROR)\b:?\s*(.*)$/;

export function createBlenderParser(): (line: string) => RenderEvent[] {
  let frame: number | undefined;
  /** Tiled progress of the current frame and layer: never goes back until a new one starts. */
  let tiled = { done: -1, fraction: 0 };
  return (line) => {
    const events: RenderEvent[] = [];
    const fra = FRA.exec(line);
    if (fra) {
      const f = Number(fra[1]);
      if (f !== frame) {
        frame = f;
        tiled = { done: -1, fraction: 0 };
        events.push({ kind: 'frame', frame: f });
      }
      const tiles = CYCLES_TILES.exec(line);
      if (tiles) {
        const [done, count] = [Number(tiles[1]), Number(tiles[2])];
        const [sample, total] = [Number(tiles[3] ?? 0), Number(tiles[4] ?? 0)];
        if (count > 0) {
          // A tile's write line carries the finished tile's samples: count it once, not twice.
          const current = done > tiled.done && tiled.done >= 0 ? 0 : total > 0 ? sample / total : 0;
          const fraction = Math.min(1, (done + current) / count);
          // A lower tile count than before: the next view layer starts over.
          tiled = { done, fraction: done < tiled.done ? fraction : Math.max(tiled.fraction, fraction) };
          events.push({ kind: 'progress', fraction: tiled.fraction });
        }
        return events;
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
