import type { JsonObject } from '../core/index.js';
import type { BlendInfo, BlendScene } from './blend-info.js';
import { effectiveEngine } from './engines.js';

function frames(s: BlendScene): string {
  return `${s.frameStart}-${s.frameEnd}[${s.frameStep}]`;
}

/**
 * The reference's Blender `common` block (check.py): one scene's frames,
 * size, format, camera and output, plus every scene name. All values are
 * strings as in the rest of task.json; `camera_name` is the camera's name
 * ("None" without camera, as check.py's str(None)) rather than Python's
 * `<bpy_struct, Object("Camera") at 0x…>` repr, which holds a memory address.
 */
function common(info: BlendInfo, s: BlendScene): JsonObject {
  return {
    frames: frames(s),
    width: String(s.resolutionX),
    height: String(s.resolutionY),
    Render_Format: s.fileFormat,
    scene_name: info.scenes.map((x) => x.name),
    camera_name: s.camera ?? 'None',
    Output_path: s.outputPath,
  };
}

/**
 * task.json `scene_info` for a .blend. The reference describes only the
 * scene Blender opens with (`common`); openfarm keeps that block unchanged
 * and adds `scenes`, one entry per scene of the file, each a render unit
 * (`blender -b FILE -S <name> -s <start> -e <end> -j <step> -a`), with its
 * own range, size, format, camera, the cameras timeline markers switch
 * to, output, engine (as `cgVersion` will render it) and view layers.
 * `active` marks the scene `common` describes.
 */
export function blenderSceneInfo(info: BlendInfo, cgVersion: string): JsonObject {
  const activeScene = info.scenes.find((s) => s.name === info.activeScene) ?? info.scenes[0];
  const scenes = info.scenes.map(
    (s): JsonObject => ({
      name: s.name,
      active: s === activeScene ? '1' : '0',
      frames: frames(s),
      width: String(s.resolutionX),
      height: String(s.resolutionY),
      resolution_percentage: String(s.resolutionPercentage),
      fps: String(s.fps),
      Render_Format: s.fileFormat,
      camera_name: s.camera ?? 'None',
      marker_cameras: s.markerCameras.map(
        (m): JsonObject => ({ frame: String(m.frame), camera_name: m.camera }),
      ),
      Output_path: s.outputPath,
      renderer: effectiveEngine(s.engine, cgVersion),
      view_layers: s.viewLayers.map((v): JsonObject => ({ name: v.name, renderable: v.render ? '1' : '0' })),
    }),
  );
  return activeScene === undefined ? { common: {}, scenes } : { common: common(info, activeScene), scenes };
}
