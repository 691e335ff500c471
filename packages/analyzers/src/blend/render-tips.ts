import { TIP_CODES } from '../core/index.js';
import type { BlendInfo } from './blend-info.js';

/**
 * The reference's Blender checks (check.py), applied to every scene rather
 * than the first hit on the active one; details name the scene. Tip 46002
 * (EEVEE on a machine whose hostname does not start with "GPU") is not
 * raised: it judges the submitting machine, not the scene.
 */
export function blenderTips(info: BlendInfo): Record<string, string[]> {
  const tips: Record<string, string[]> = {};
  const add = (code: string, detail: string) => {
    tips[code] ??= [];
    tips[code].push(detail);
  };
  for (const s of info.scenes) {
    if (s.movieOutput)
      add(TIP_CODES.blenderMovieOutput, `scene "${s.name}": output format ${s.fileFormat} is a movie`);
    if (s.frameStep !== 1) add(TIP_CODES.blenderFrameStep, `scene "${s.name}": frame step ${s.frameStep}`);
    // Cameras bound to timeline markers take over during a render even without a scene camera.
    if (s.camera === null && s.markerCameras.length === 0)
      add(TIP_CODES.blenderNoCamera, `scene "${s.name}" has no camera`);
  }
  return tips;
}
