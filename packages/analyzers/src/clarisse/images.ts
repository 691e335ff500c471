import type { Attribute, ClarisseObject } from './project-objects.js';
import { resolveReference } from './project-objects.js';

/**
 * Render images and their layers. An `Image` lists its layers in `layers`
 * (usually embedded objects, `".layer"`); a layer carries its frame range,
 * camera and renderer. Clarisse writes only attributes that differ from the
 * defaults, so an absent attribute means the default. The output attribute
 * names (`save_as`, `format`, `save_to_disk`, `enable_deep_output`,
 * `deep_save_as`, `lut`) come from the attribute editor groups "Image::Output"
 * and "Layer::Output"; the public sample projects set none of them.
 */
export interface ClarisseLayer {
  /** `project://scene/image.layer`. */
  path: string;
  className: string;
  renderable: boolean;
  firstFrame: number;
  lastFrame: number;
  frameStep: number;
  /** Camera item path, resolved against the layer's context. */
  camera?: string;
  renderer?: string;
  output?: string;
  format?: string;
  saveToDisk?: boolean;
  enableDeepOutput?: boolean;
  deepOutput?: string;
}

export interface ClarisseImage {
  path: string;
  renderable: boolean;
  firstFrame: number;
  lastFrame: number;
  frameStep: number;
  output?: string;
  format?: string;
  lut?: string;
  saveToDisk?: boolean;
  layers: ClarisseLayer[];
}

export interface Timeline {
  start: number;
  end: number;
}

export function findImages(objects: ClarisseObject[], timeline: Timeline): ClarisseImage[] {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  return objects
    .filter((o) => o.className === 'Image')
    .map((image) => {
      const first = number(image.attributes.get('first_frame')) ?? timeline.start;
      const last = number(image.attributes.get('last_frame')) ?? timeline.end;
      const step = number(image.attributes.get('frame_step')) ?? 1;
      const layers: ClarisseLayer[] = [];
      for (const ref of image.attributes.get('layers')?.values ?? []) {
        const layer = byPath.get(resolveReference(ref.text, image.context, image.path));
        if (layer !== undefined) layers.push(describeLayer(layer, { start: first, end: last }, step));
      }
      return {
        path: image.path,
        renderable: flag(image.attributes.get('renderable')) ?? false,
        firstFrame: first,
        lastFrame: last,
        frameStep: step > 0 ? step : 1,
        output: text(image.attributes.get('save_as')),
        format: text(image.attributes.get('format')),
        lut: text(image.attributes.get('lut')),
        saveToDisk: flag(image.attributes.get('save_to_disk')),
        layers,
      };
    });
}

function describeLayer(layer: ClarisseObject, range: Timeline, imageStep: number): ClarisseLayer {
  const step = number(layer.attributes.get('frame_step')) ?? imageStep;
  const camera = text(layer.attributes.get('active_camera'));
  const renderer = text(layer.attributes.get('renderer'));
  return {
    path: layer.path,
    className: layer.className,
    renderable: flag(layer.attributes.get('renderable')) ?? true,
    firstFrame: number(layer.attributes.get('first_frame')) ?? range.start,
    lastFrame: number(layer.attributes.get('last_frame')) ?? range.end,
    frameStep: step > 0 ? step : 1,
    camera: camera ? resolveReference(camera, layer.context, layer.owner) : undefined,
    renderer: renderer ? resolveReference(renderer, layer.context, layer.owner) : undefined,
    output: text(layer.attributes.get('save_as')),
    format: text(layer.attributes.get('format')),
    saveToDisk: flag(layer.attributes.get('save_to_disk')),
    enableDeepOutput: flag(layer.attributes.get('enable_deep_output')),
    deepOutput: text(layer.attributes.get('deep_save_as')),
  };
}

/** First value of an attribute; `<empty>` and "" count as absent. */
export function text(attribute: Attribute | undefined): string | undefined {
  const v = attribute?.values[0];
  if (v === undefined || v.text === '' || (!v.quoted && v.text === '<empty>')) return undefined;
  return v.text;
}

function number(attribute: Attribute | undefined): number | undefined {
  const t = text(attribute);
  if (t === undefined) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function flag(attribute: Attribute | undefined): boolean | undefined {
  const t = text(attribute);
  return t === 'yes' || t === '1' ? true : t === 'no' || t === '0' ? false : undefined;
}
