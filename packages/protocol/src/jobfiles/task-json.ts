/** task.json (§3.1): task_info, software_config, the scene description and free-form extras. */
import { z } from 'zod';
import { softwareById, softwareByName } from '../software.js';
import { issueMessage } from './issues.js';
import { sceneInfoSchemaFor } from './scene-info.js';
import { TaskInfoFileSchema } from './task-info.js';

export const SoftwareConfigSchema = z.looseObject({
  /** Display name: "Maya", "Houdini", "CINEMA 4D", "3ds Max", "VR Standalone", … */
  cg_name: z.string().min(1, 'expected the software name, e.g. "Blender"'),
  /** Exactly as the farm lists it ("2019", "17.5.293", "R22", "2.81", …). */
  cg_version: z.string().min(1, 'expected the software version, e.g. "4.2"'),
  plugins: z.record(z.string(), z.string({ error: 'expected the plugin version as a string' })).default({}),
});

const sceneObject = () => z.record(z.string(), z.unknown());

export const TaskJsonSchema = z
  .looseObject({
    task_info: TaskInfoFileSchema,
    software_config: SoftwareConfigSchema,
    scene_info_render: sceneObject().optional(),
    scene_info: sceneObject().optional(),
    /** Free-form extras (`append_to_task`); the farm ignores keys it does not know. */
    additional_info: sceneObject().optional(),
  })
  .superRefine((t, ctx) => {
    const cgId = Number(t.task_info.cg_id);
    const byId = softwareById(cgId);
    const byName = softwareByName(t.software_config.cg_name);
    if (byId !== undefined && byName !== undefined && byId.cgId !== byName.cgId) {
      ctx.addIssue({
        code: 'custom',
        path: ['software_config', 'cg_name'],
        message: `expected "${byId.cgName}" to match task_info.cg_id ${cgId}, got "${t.software_config.cg_name}"`,
      });
    }
    // The scene description is checked against the software's shape; like the
    // reference's check, scene_info stands in when scene_info_render is absent.
    const schema = sceneInfoSchemaFor(cgId);
    for (const key of ['scene_info_render', 'scene_info'] as const) {
      const value = t[key];
      if (value === undefined) continue;
      const r = schema.safeParse(value, { reportInput: true });
      if (!r.success) {
        for (const issue of r.error.issues) {
          ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issueMessage(issue) });
        }
      }
    }
  });

export type TaskJson = z.output<typeof TaskJsonSchema>;
