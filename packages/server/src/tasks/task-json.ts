/**
 * The parts of task.json that submit reads, validated. Analyzers write every
 * `task_info` value as a string ("1", "259200"); numbers are accepted too.
 * Names (project, scene file, software) refuse control and bidi characters.
 */
import { printableString } from '@openfarm/protocol';
import { z } from 'zod';

const intText = (min: number, max: number) =>
  z
    .union([
      z.int(),
      z
        .string()
        .trim()
        .regex(/^-?\d+$/, 'expected an integer')
        .transform(Number),
    ])
    .pipe(z.int().min(min).max(max));

/** Optional numeric settings may also be "" (the template's "not set"). */
const optionalIntText = (min: number, max: number) =>
  z
    .union([z.literal(''), intText(min, max)])
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const SubmittedTaskJsonSchema = z.looseObject({
  task_info: z.looseObject({
    task_id: optionalIntText(1, Number.MAX_SAFE_INTEGER),
    cg_id: intText(2000, 2999),
    input_cg_file: printableString().max(4096).optional(),
    project_name: printableString().max(255).optional(),
    frames_per_task: optionalIntText(1, 10_000),
    pre_frames: z.string().max(10_000).optional(),
    stop_after_test: z
      .union([z.literal('1'), z.literal('2'), z.literal(1), z.literal(2), z.literal('')])
      .optional()
      .transform((v) => (v === undefined || v === '' ? undefined : Number(v))),
    job_stop_time: optionalIntText(0, 31_536_000),
    task_stop_time: optionalIntText(0, 31_536_000),
    time_out: optionalIntText(0, 31_536_000),
    hardwareConfigId: optionalIntText(1, Number.MAX_SAFE_INTEGER),
    ram: optionalIntText(0, 1_000_000),
    os_name: optionalIntText(0, 1),
    pack_node_id: optionalIntText(0, Number.MAX_SAFE_INTEGER),
  }),
  software_config: z
    .looseObject({ cg_name: printableString().optional(), cg_version: printableString().optional() })
    .optional(),
  scene_info_render: z.record(z.string(), z.unknown()).optional(),
  scene_info: z.record(z.string(), z.unknown()).optional(),
});

export type SubmittedTaskJson = z.output<typeof SubmittedTaskJsonSchema>;
