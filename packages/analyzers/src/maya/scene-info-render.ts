import type { JsonObject } from '../core/index.js';
import type { MayaCamera, MayaLayerSettings } from './maya-scene.js';

/**
 * task.json scene_info_render for Maya (reference §3.1): one entry per
 * render layer, values as the reference's own Maya analysis writes them
 * (its published example): strings, `animation`/`renumber_frames` as Python
 * booleans ("True"/"False"), camera shape names, `is_default_camera` "1".
 * `frames` is `start-end[step]` (a single frame when animation is off).
 * `renumber_frames` is "False": frame renumbering settings are not read
 * (see the package README).
 */
export function mayaSceneInfoRender(
  layers: readonly MayaLayerSettings[],
  cameras: readonly MayaCamera[],
): JsonObject {
  const info: JsonObject = {};
  const allCameras = cameras.map((c) => c.shape);
  for (const l of layers) {
    const end = l.animation ? l.endFrame : l.startFrame;
    const step = l.animation ? l.byFrame : 1;
    info[l.name] = {
      renderable: l.renderable ? '1' : '0',
      is_default_camera: '1',
      option: '',
      env: {},
      common: {
        renderer: l.renderer,
        image_format: l.imageFormat,
        image_file_prefix: l.imageFilePrefix,
        start: num(l.startFrame),
        end: num(end),
        by_frame: num(step),
        frames: `${num(l.startFrame)}-${num(end)}[${num(step)}]`,
        width: num(l.width),
        height: num(l.height),
        animation: l.animation ? 'True' : 'False',
        renumber_frames: 'False',
        all_camera: allCameras,
        render_camera: [...l.renderCameras],
      },
    };
  }
  return info;
}

/** Integral numbers without a fraction (`1`, not `1.0`); others as JavaScript prints them. */
function num(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}
