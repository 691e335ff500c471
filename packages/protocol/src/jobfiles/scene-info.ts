/**
 * `scene_info_render` / `scene_info` of task.json, one shape per DCC (§3.1).
 * Objects are loose: analyzers add keys the farm may not read, and the farm
 * must not reject a file for them. The fields the farm renders from are typed.
 */
import { z } from 'zod';
import { CG_ID } from '../software.js';
import { flag, frameRangeText, scalar } from './text-fields.js';

const names = () => z.array(z.string());

/** Maya: one entry per render layer (`defaultRenderLayer`, user layers). */
export const MayaSceneInfoSchema = z.record(
  z.string().min(1),
  z.looseObject({
    renderable: flag(),
    is_default_camera: flag().optional(),
    option: z.string().optional(),
    env: z.record(z.string(), z.unknown()).optional(),
    common: z.looseObject({
      renderer: z.string().optional(),
      image_format: z.string().optional(),
      image_file_prefix: z.string().optional(),
      start: scalar().optional(),
      end: scalar().optional(),
      by_frame: scalar().optional(),
      frames: frameRangeText(),
      width: scalar().optional(),
      height: scalar().optional(),
      animation: scalar().optional(),
      renumber_frames: scalar().optional(),
      all_camera: names().optional(),
      render_camera: names().optional(),
    }),
  }),
);

/** Houdini `option`: "-1" render, "0" ordinary simulation/cache, "1" distributed simulation. */
const houdiniOption = () =>
  z.enum(['-1', '0', '1'], { error: 'expected "-1" (render), "0" (cache) or "1" (distributed)' });

const houdiniNode = () =>
  z.looseObject({
    node: z.string().min(1),
    frames: frameRangeText(),
    option: houdiniOption(),
    render: flag(),
    width: scalar().optional(),
    height: scalar().optional(),
  });

export const HoudiniSceneInfoSchema = z.looseObject({
  rop_node: z.array(houdiniNode()).optional(),
  geo_node: z
    .array(houdiniNode().extend({ geoDependencySort: z.string().regex(/^\d+$/).optional() }))
    .optional(),
  distributedsim_node: z
    .array(
      z.looseObject({
        node: z.string().min(1),
        output_driver: z.string().optional(),
        simControlName: z.string().optional(),
        output_file: z.string().optional(),
        num_slices: z
          .union([z.string().regex(/^\d+$/), z.int()])
          .refine((n) => Number(n) >= 1 && Number(n) <= 16, 'expected 1 to 16 slices')
          .optional(),
        sliceType: scalar().optional(),
        option: houdiniOption(),
        frames: frameRangeText(),
        render: flag(),
      }),
    )
    .optional(),
});

const clarisseOutput = {
  name: z.string().min(1),
  renderable: flag(),
  frames: frameRangeText(),
  output: z.string().optional(),
  format: z.string().optional(),
  save_to_disk: scalar().optional(),
};

export const ClarisseSceneInfoSchema = z.looseObject({
  image_node: z.array(
    z.looseObject({
      ...clarisseOutput,
      LUT: z.string().optional(),
      layers: z
        .array(
          z.looseObject({
            ...clarisseOutput,
            enable_deep_output: scalar().optional(),
            enable_deep_output_path: z.string().optional(),
          }),
        )
        .optional(),
    }),
  ),
});

export const BlenderSceneInfoSchema = z.looseObject({
  common: z.looseObject({
    frames: frameRangeText(),
    width: scalar().optional(),
    height: scalar().optional(),
    Render_Format: z.string().optional(),
    scene_name: names().optional(),
    // The reference writes a Python repr string here ("['Camera']"); newer writers a list.
    camera_name: z.union([z.string(), names()]).optional(),
    Output_path: z.string().optional(),
  }),
});

export const C4dSceneInfoSchema = z.looseObject({
  common: z.looseObject({
    frames: frameRangeText(),
    fps: scalar().optional(),
    frame_rate: scalar().optional(),
    width: scalar().optional(),
    height: scalar().optional(),
    all_camera: names().optional(),
    all_take_name: names().optional(),
    regular_image_save_enabled: scalar().optional(),
    regular_image_format: z.string().optional(),
    regular_image_saveimage_path: z.string().optional(),
    multipass_save_enabled: scalar().optional(),
    multi_pass_format: z.string().optional(),
    multipass_saveimage_path: z.string().optional(),
    c4d_software_version: scalar().optional(),
  }),
  renderer: z.looseObject({ name: z.string().optional() }).optional(),
});

export const KatanaSceneInfoSchema = z.looseObject({
  rendernodes: z.record(
    z.string().min(1),
    z.looseObject({
      aov: z.record(z.string(), z.string()).optional(),
      frames: frameRangeText(),
      denoise: flag().optional(),
      renderable: flag(),
    }),
  ),
});

/** Software without a typed scene description (3ds Max, standalones, …): any object. */
export const GenericSceneInfoSchema = z.record(z.string(), z.unknown());

/** The scene description schema for a `cg_id`. */
export function sceneInfoSchemaFor(cgId: number): z.ZodType {
  switch (cgId) {
    case CG_ID.MAYA:
      return MayaSceneInfoSchema;
    case CG_ID.HOUDINI:
      return HoudiniSceneInfoSchema;
    case CG_ID.CLARISSE:
      return ClarisseSceneInfoSchema;
    case CG_ID.BLENDER:
      return BlenderSceneInfoSchema;
    case CG_ID.CINEMA4D:
      return C4dSceneInfoSchema;
    case CG_ID.KATANA:
      return KatanaSceneInfoSchema;
    default:
      return GenericSceneInfoSchema;
  }
}
