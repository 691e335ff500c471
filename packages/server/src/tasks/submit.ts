/**
 * Submitting a task: read and validate its task.json, turn each render unit
 * into a (child) task, and create the frame rows the scheduler leases (in
 * short steps after the submit's transaction, see create-frames.ts).
 *
 * A scene with one render unit renders in the task itself; with several, the
 * task becomes a parent and each unit a child task with its own id, alias and
 * output folder, as the reference's task info shows them.
 */
import { ApiError, FrameRangeError, type PreFrames, parsePreFrames, TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import { parseBody } from '../http/validation.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import { createFrames } from './create-frames.js';
import { failTask } from './fail-task.js';
import { expandUnitFrames } from './frame-plan.js';
import { type JobFileSource, readJobFile } from './job-files.js';
import { type RenderUnit, renderUnits } from './render-units.js';
import { type SubmittedTaskJson, SubmittedTaskJsonSchema } from './task-json.js';
import { requireTasks, type TaskRow } from './visibility.js';

/** Frames of one submit across all its units; beyond this a typo is far likelier than a real job. */
export const MAX_FRAMES_PER_SUBMIT = 200_000;

export interface SubmittedTasks {
  /** The submitted task and its children, if any. */
  taskIds: number[];
  userId: number;
}

function invalid(path: string, field: string, reason: string): ApiError {
  return ApiError.of('PARAMETER_INVALID', { path, detail: { field, reason } });
}

async function loadTaskJson(
  db: Kysely<Database>,
  sources: readonly JobFileSource[],
  task: TaskRow,
  path: string,
): Promise<SubmittedTaskJson> {
  const text = await readJobFile(db, sources, task.user_id, task.id, 'task.json');
  if (text === undefined) {
    throw ApiError.of('PARAMETER_CANT_BE_EMPTY', {
      path,
      detail: {
        field: 'task.json',
        reason: `task ${task.id} has no task.json; store it with taskJsonFile first`,
      },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(path, 'task.json', `not JSON: ${(err as Error).message}`);
  }
  const json = parseBody(SubmittedTaskJsonSchema, parsed, path, 'task.json');
  const declared = json.task_info.task_id;
  if (declared !== undefined && declared !== task.id) {
    throw invalid(
      path,
      'task.json.task_info.task_id',
      `is ${declared}, but task ${task.id} is being submitted`,
    );
  }
  return json;
}

/** `D:/proj/shot.ma` → `shot.ma`, also for Windows separators. */
function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? '';
}

function withoutExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

interface UnitFrames {
  unit: RenderUnit;
  frames: number[];
}

function unitFrames(units: readonly RenderUnit[], path: string, sceneKey: string): UnitFrames[] {
  if (units.length === 0) throw invalid(path, `task.json.${sceneKey}`, 'no renderable layer, node or scene');
  let total = 0;
  return units.map((unit) => {
    const field = `task.json.${sceneKey}${unit.name === '' ? '' : `[${unit.name}]`}.frames`;
    if (unit.frames === '')
      throw ApiError.of('PARAMETER_CANT_BE_EMPTY', { path, detail: { field, reason: 'no frame range' } });
    try {
      const frames = expandUnitFrames(unit.frames);
      total += frames.length;
      if (total > MAX_FRAMES_PER_SUBMIT)
        throw invalid(path, field, `more than ${MAX_FRAMES_PER_SUBMIT} frames in one task`);
      return { unit, frames };
    } catch (err) {
      if (err instanceof FrameRangeError) throw invalid(path, field, err.message);
      throw err;
    }
  });
}

function preFramesOf(json: SubmittedTaskJson, path: string): PreFrames {
  const text = json.task_info.pre_frames ?? '000';
  try {
    return parsePreFrames(text === '' ? '000' : text);
  } catch (err) {
    if (err instanceof FrameRangeError) throw invalid(path, 'task.json.task_info.pre_frames', err.message);
    throw err;
  }
}

export async function submitTask(
  db: Kysely<Database>,
  sources: readonly JobFileSource[],
  user: UserRow,
  taskId: number,
  producer: string | undefined,
  path: string,
): Promise<SubmittedTasks> {
  const submitted = await db.transaction().execute(async (trx) => {
    const [task] = await requireTasks(trx, user, [taskId]);
    if (task === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { path });
    if (task.parent_id !== null) {
      throw ApiError.of('TASK_STATE_CONFLICT', {
        path,
        detail: `task ${taskId} is a layer of task ${task.parent_id}`,
      });
    }
    // Claim the submit with a conditional update rather than trusting the read above: on
    // PostgreSQL a concurrent submit of the same task waits on this row and then finds it
    // claimed, so frames are never created twice. A refused submit rolls the claim back.
    const claim = await trx
      .updateTable('tasks')
      .set({ submit_date: Date.now() })
      .where('id', '=', task.id)
      .where('submit_date', 'is', null)
      .executeTakeFirst();
    if (task.submit_date !== null || Number(claim.numUpdatedRows) !== 1) {
      throw ApiError.of('TASK_STATE_CONFLICT', { path, detail: `task ${taskId} is already submitted` });
    }
    const json = await loadTaskJson(trx, sources, task, path);
    const info = json.task_info;
    const sceneKey = json.scene_info_render !== undefined ? 'scene_info_render' : 'scene_info';
    const sceneInfo = json.scene_info_render ?? json.scene_info;
    if (sceneInfo === undefined) {
      throw ApiError.of('PARAMETER_CANT_BE_EMPTY', {
        path,
        detail: { field: 'task.json.scene_info_render', reason: 'the scene description is missing' },
      });
    }
    const units = unitFrames(renderUnits(info.cg_id, sceneInfo), path, sceneKey);
    // Refused here, before anything is written; createFrames parses the stored copy again.
    preFramesOf(json, path);
    const stopAfterTest = info.stop_after_test ?? 2;
    const framesPerTask = info.frames_per_task ?? 1;

    let hardware: { id: number; ram: string; gpu_num: string | null } | undefined;
    if (info.hardwareConfigId !== undefined) {
      hardware = await trx
        .selectFrom('hardware_configs')
        .select(['id', 'ram', 'gpu_num'])
        .where('id', '=', info.hardwareConfigId)
        .where('status', '=', 1)
        .executeTakeFirst();
      if (hardware === undefined) {
        throw invalid(
          path,
          'task.json.task_info.hardwareConfigId',
          `no enabled hardware configuration ${info.hardwareConfigId}`,
        );
      }
    }

    const now = Date.now();
    const sceneFile = baseName(info.input_cg_file ?? '');
    const sceneStem = withoutExtension(sceneFile) || `task${task.id}`;
    const settings = {
      scene_name: sceneFile,
      cg_id: info.cg_id,
      project_name: info.project_name ?? task.project_name,
      producer: producer ?? task.producer,
      frames_per_task: framesPerTask,
      pre_frames: info.pre_frames || '000',
      stop_after_test: stopAfterTest,
      job_stop_time: info.job_stop_time ?? 259200,
      task_stop_time: info.task_stop_time ?? 0,
      time_out: info.time_out ?? 43200,
      hardware_config_id: hardware?.id ?? task.hardware_config_id,
      ram: info.ram ?? (hardware !== undefined ? Number.parseInt(hardware.ram, 10) : task.ram),
      gpu_num: hardware?.gpu_num ?? task.gpu_num,
      os_name: info.os_name ?? task.os_name,
      pack_node_id: info.pack_node_id ?? task.pack_node_id,
      // Preprocessing until createFrames has written every frame row (then waiting).
      status: TaskStatus.PREPROCESSING,
      creating_frames: 1,
      frames_created: 0,
      submit_date: now,
    };

    // One unit renders in the task itself; several become child tasks.
    const leaves: Array<{ taskId: number; unit: UnitFrames }> = [];
    if (units.length === 1) {
      const only = units[0]!;
      await trx
        .updateTable('tasks')
        .set({
          ...settings,
          layer_name: only.unit.name,
          render_camera: only.unit.camera,
          frames_range: only.unit.frames,
          output_file_name: `${task.id}_${sceneStem}`,
        })
        .where('id', '=', task.id)
        .execute();
      leaves.push({ taskId: task.id, unit: only });
    } else {
      await trx
        .updateTable('tasks')
        .set({
          ...settings,
          frames_range: units.map((u) => u.unit.frames).join(','),
          output_file_name: `${task.id}_${sceneStem}`,
        })
        .where('id', '=', task.id)
        .execute();
      const prefix = task.alias.slice(0, task.alias.length - String(task.id).length);
      const firstChild = await allocateIds(trx, 'tasks', units.length);
      await trx
        .insertInto('tasks')
        .values(
          units.map((u, i) => {
            const id = firstChild + i;
            return {
              ...settings,
              id,
              user_id: task.user_id,
              parent_id: task.id,
              alias: `${prefix}${id}`,
              platform: task.platform,
              project_id: task.project_id,
              artist: task.artist,
              task_user_level: task.task_user_level,
              channel: task.channel,
              layer_name: u.unit.name,
              render_camera: u.unit.camera,
              frames_range: u.unit.frames,
              output_file_name: `${id}_${sceneStem}`,
              created_at: now,
            };
          }),
        )
        .execute();
      units.forEach((u, i) => {
        leaves.push({ taskId: firstChild + i, unit: u });
      });
    }

    const ids = units.length === 1 ? [task.id] : [task.id, ...leaves.map((l) => l.taskId)];
    return { taskIds: ids, userId: task.user_id };
  });
  // The frame rows are written after that transaction, in short steps (create-frames.ts): the
  // task stays preprocessing and unleased until the last one exists.
  try {
    await createFrames(db, taskId);
  } catch (err) {
    // The task must not wait forever half-created: fail it with the reason (if even that fails,
    // the store is unreachable and the next start resumes the creation instead).
    await failTask(db, taskId, `could not create its frames: ${(err as Error).message}`).catch(() => {});
    throw err;
  }
  return submitted;
}
