import { attrBool, type MayaDocument } from './maya-document.js';
import type { MayaCamera } from './maya-scene.js';

/** Node types that are render cameras. */
const CAMERA_TYPES = new Set(['camera', 'stereoRigCamera']);

/** Every camera shape with its stored renderable flag (absent `.rnd` = renderable). */
export function readCameras(doc: MayaDocument): MayaCamera[] {
  const cameras: MayaCamera[] = [];
  const seen = new Set<string>();
  for (const node of doc.nodeOrder) {
    if (!CAMERA_TYPES.has(node.type) || seen.has(node.name)) continue;
    seen.add(node.name);
    cameras.push({
      shape: node.name,
      ...(node.parent === undefined ? {} : { transform: node.parent }),
      renderable: attrBool(node, 'rnd', 'renderable') ?? true,
    });
  }
  return cameras;
}
