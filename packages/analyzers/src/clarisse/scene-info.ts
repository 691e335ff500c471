import type { JsonObject } from '../core/index.js';
import type { ClarisseImage, ClarisseLayer } from './images.js';
import type { ClarisseProject } from './read-project.js';

/**
 * task.json `scene_info_render.image_node` (reference §3.1). The farm
 * renders layers, not images, so an image is listed with renderable "0"
 * unless the project says otherwise; each layer carries its own frames.
 */
export function clarisseSceneInfoRender(project: ClarisseProject): JsonObject {
  return { image_node: project.images.map(imageNode) };
}

function imageNode(image: ClarisseImage): JsonObject {
  return {
    name: image.path,
    renderable: image.renderable ? '1' : '0',
    frames: frames(image.firstFrame, image.lastFrame, image.frameStep),
    output: image.output ?? '',
    format: image.format ?? '',
    LUT: image.lut ?? '',
    save_to_disk: image.saveToDisk === false ? '0' : '1',
    layers: image.layers.map(layerNode),
  };
}

function layerNode(layer: ClarisseLayer): JsonObject {
  return {
    name: layer.path,
    renderable: layer.renderable ? '1' : '0',
    frames: frames(layer.firstFrame, layer.lastFrame, layer.frameStep),
    output: layer.output ?? '',
    format: layer.format ?? '',
    save_to_disk: layer.saveToDisk === false ? '0' : '1',
    enable_deep_output: layer.enableDeepOutput ? '1' : '0',
    enable_deep_output_path: layer.deepOutput ?? '',
  };
}

function frames(start: number, end: number, step: number): string {
  return `${start}-${end}[${step}]`;
}
