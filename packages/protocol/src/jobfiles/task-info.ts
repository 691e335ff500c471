/**
 * task.json `task_info` (§3.1): every field of the reference template with its
 * default, every value a string.
 */

import { z } from 'zod';
import { printableString } from '../printable.js';
import { digits, flag, optionalId, positiveDigits, preFramesText } from './text-fields.js';

/**
 * The reference template (`rayvision_utils.constants.TASK_INFO`). `cg_id`,
 * `input_cg_file` and `project_name` are filled per scene; `os_name` is "1"
 * when the submitting machine runs Windows, "0" otherwise (the reference
 * derives it from the submitter, not the render node).
 */
export const TASK_INFO_DEFAULTS = Object.freeze({
  task_id: '',
  user_id: '',
  project_name: '',
  project_id: '',
  cg_id: '',
  platform: '2',
  channel: '4',
  os_name: '0',
  ram: '64',
  input_cg_file: '',
  input_project_path: '',
  frames_per_task: '1',
  pre_frames: '000',
  stop_after_test: '2',
  job_stop_time: '259200',
  task_stop_time: '0',
  time_out: '43200',
  tiles_type: 'block',
  tiles: '1',
  is_layer_rendering: '1',
  enable_layered: '0',
  render_layer_type: '0',
  is_distribute_render: '0',
  distribute_render_node: '3',
  is_picture: '0',
  hardwareConfigId: '',
  graphics_cards_num: '2',
} as const satisfies Record<string, string>);

/**
 * The keys the reference's pre-submit check turns back into strings when a
 * user edited them as numbers (`MODIFIABLE_PARAM`).
 */
export const MODIFIABLE_TASK_INFO_KEYS = [
  'pre_frames',
  'input_cg_file',
  'frames_per_task',
  'test_frames',
  'job_stop_time',
  'task_stop_time',
  'time_out',
  'stop_after_test',
  'tiles_type',
  'tiles',
  'is_layer_rendering',
  'is_distribute_render',
  'distribute_render_node',
  'input_project_path',
  'render_layer_type',
  'os_name',
  'ram',
  'enable_layered',
] as const;

/** Numbers in the modifiable keys become strings, as the reference check does before writing task.json. */
export function stringifyModifiableTaskInfo(
  taskInfo: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...taskInfo };
  for (const k of MODIFIABLE_TASK_INFO_KEYS) {
    const v = out[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
  }
  return out;
}

const d = TASK_INFO_DEFAULTS;

export const TaskInfoFileSchema = z
  .object({
    task_id: optionalId().default(d.task_id),
    user_id: optionalId().default(d.user_id),
    project_name: printableString().max(255).default(d.project_name),
    project_id: optionalId().default(d.project_id),
    /** Required: it says which software renders the task. */
    cg_id: z.string().regex(/^\d{4}$/, 'expected a software id as text, e.g. "2007" (Blender)'),
    platform: positiveDigits().default(d.platform),
    channel: positiveDigits().default(d.channel),
    /** Render node OS: "1" Windows, "0" Linux. */
    os_name: flag().default(d.os_name),
    /** Node memory in GB. */
    ram: positiveDigits().default(d.ram),
    /** Required: the scene file (local path, "/" separators). */
    input_cg_file: printableString().min(1, 'expected the scene file path'),
    input_project_path: z.string().default(d.input_project_path),
    frames_per_task: positiveDigits().default(d.frames_per_task),
    pre_frames: preFramesText().default(d.pre_frames),
    test_frames: preFramesText().optional(),
    /** "1" pause after the priority frames, "2" continue. */
    stop_after_test: z
      .enum(['1', '2'], { error: 'expected "1" (pause after test frames) or "2" (continue)' })
      .default(d.stop_after_test),
    /** Per-frame timeout, seconds. */
    job_stop_time: digits().default(d.job_stop_time),
    /** Whole-task timeout, seconds; "0" = unlimited. */
    task_stop_time: digits().default(d.task_stop_time),
    /** Overtime reminder threshold, seconds. */
    time_out: digits().default(d.time_out),
    tiles_type: z.enum(['block', 'strip'], { error: 'expected "block" or "strip"' }).default(d.tiles_type),
    tiles: positiveDigits().default(d.tiles),
    is_layer_rendering: flag().default(d.is_layer_rendering),
    enable_layered: flag().default(d.enable_layered),
    /** Maya: "0" legacy render layers, "1" Render Setup. */
    render_layer_type: flag().default(d.render_layer_type),
    is_distribute_render: flag().default(d.is_distribute_render),
    distribute_render_node: positiveDigits().default(d.distribute_render_node),
    is_picture: flag().default(d.is_picture),
    hardwareConfigId: optionalId().default(d.hardwareConfigId),
    graphics_cards_num: positiveDigits().default(d.graphics_cards_num),
    // Keys the docs and examples show beyond the template.
    clone_original_id: optionalId().optional(),
    edit_name: printableString().max(255).optional(),
    concurrent_tasks: digits().optional(),
    multi_node: flag().optional(),
    geo_node_dependency: flag().optional(),
    pack_node_id: optionalId().optional(),
  })
  // Unknown keys are kept, but they too must be strings, like every task_info value.
  .catchall(z.string())
  .superRefine((t, ctx) => {
    if (t.tiles !== '1' && t.frames_per_task !== '1') {
      ctx.addIssue({
        code: 'custom',
        path: ['frames_per_task'],
        message:
          'expected "1" when tiles is more than "1" (a frame is either split into tiles or grouped, not both)',
      });
    }
  });

export type TaskInfoFile = z.output<typeof TaskInfoFileSchema>;
