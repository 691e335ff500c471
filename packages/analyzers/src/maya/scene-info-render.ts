import type { JsonObject } from '../core/index.js';
import type { MayaCamera, MayaLayerSettings } from './maya-scene.js';

/**
 * task.json scene_info_render for Maya (reference §3.1): one entry per
 * render layer. All values are strings as the reference writes them;
 * `frames` is `start-end[step]` (a single frame when animation is off).
 * `is_default_camera` is "1" when the layer renders only the default
 * perspective camera. `renumber_frames` is "0": frame renumbering settings
 * are not read (see the package README).
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
      is_default_camera: l.renderCameras.length === 1 && l.renderCameras[0] === 'perspShape' ? '1' : '0',
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
        animation: l.animation ? '1' : '0',
        renumber_frames: '0',
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
