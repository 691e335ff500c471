import type { BlendFile } from './blend-file.js';
import type { BlendMarkerCamera, BlendScene, BlendViewLayer } from './blend-info.js';
import { idName } from './id-name.js';
import { isMovieFormat, outputFormatName } from './output-formats.js';
import type { StructView } from './struct-view.js';

/** Object.type of a camera (OB_CAMERA in DNA_object_types.h). */
const OB_CAMERA = 11;
/** ViewLayer.flag bit "Use for Rendering" (VIEW_LAYER_RENDER, 2.8+). */
const VIEW_LAYER_RENDER = 1 << 0;
/** SceneRenderLayer.layflag bit that turns a 2.7x render layer off (SCE_LAY_DISABLE). */
const SCE_LAY_DISABLE = 1 << 17;

function viewLayers(file: BlendFile, scene: StructView, render: StructView | undefined): BlendViewLayer[] {
  if (scene.has('view_layers')) {
    return file.list(scene, 'view_layers').map((vl) => ({
      name: vl.string('name') ?? '',
      render: ((vl.number('flag') ?? VIEW_LAYER_RENDER) & VIEW_LAYER_RENDER) !== 0,
    }));
  }
  // Blender 2.7x: render layers live in RenderData.
  return file.list(render, 'layers').map((rl) => ({
    name: rl.string('name') ?? '',
    render: ((rl.number('layflag') ?? 0) & SCE_LAY_DISABLE) === 0,
  }));
}

function objectName(file: BlendFile, address: bigint | undefined): string | null {
  const ob = file.deref(address);
  return ob && ob.type === 'Object' ? idName(file, ob) : null;
}

/** Timeline markers bound to a camera switch the scene camera at their frame during a render. */
function markerCameras(file: BlendFile, scene: StructView): BlendMarkerCamera[] {
  const out: BlendMarkerCamera[] = [];
  for (const m of file.list(scene, 'markers')) {
    const camera = objectName(file, m.pointer('camera'));
    if (camera !== null) out.push({ frame: m.number('frame') ?? 0, camera });
  }
  return out;
}

/**
 * One scene. A field missing from this file's DNA reads as Blender's own
 * default for it (frames 1–250, 100 %, PNG, 24 fps), so that a DNA rename
 * in some version degrades to the default rather than to a failure.
 */
function readScene(file: BlendFile, scene: StructView): BlendScene {
  const r = file.embedded(scene, 'r');
  const imtype = file.embedded(r, 'im_format')?.number('imtype') ?? r?.number('imtype') ?? 17;
  const fileFormat = outputFormatName(imtype);
  const fpsBase = r?.number('frs_sec_base') ?? 1;
  const fps = (r?.number('frs_sec') ?? 24) / (fpsBase > 0 ? fpsBase : 1);
  return {
    name: idName(file, scene),
    frameStart: r?.number('sfra') ?? 1,
    frameEnd: r?.number('efra') ?? 250,
    frameStep: r?.number('frame_step') ?? 1,
    fps: Math.round(fps * 1000) / 1000,
    resolutionX: r?.number('xsch') ?? 0,
    resolutionY: r?.number('ysch') ?? 0,
    resolutionPercentage: r?.number('size') ?? 100,
    engine: r?.string('engine') ?? '',
    outputPath: r?.string('pic') ?? '',
    fileFormat,
    movieOutput: isMovieFormat(fileFormat),
    camera: objectName(file, scene.pointer('camera')),
    markerCameras: markerCameras(file, scene),
    viewLayers: viewLayers(file, scene, r),
  };
}

export function readScenes(file: BlendFile): BlendScene[] {
  return [...file.instancesOf('Scene')].map((s) => readScene(file, s));
}

export function readCameraNames(file: BlendFile): string[] {
  const names: string[] = [];
  for (const ob of file.instancesOf('Object')) {
    if (ob.number('type') === OB_CAMERA) names.push(idName(file, ob));
  }
  return names;
}

/** The scene the file opens with (FileGlobal.curscene). */
export function readActiveScene(file: BlendFile, glob: StructView | undefined): string | undefined {
  const scene = file.deref(glob?.pointer('curscene'));
  return scene && scene.type === 'Scene' ? idName(file, scene) : undefined;
}
