/**
 * Row types of the core tables (migration 0001_core). Conventions that keep the
 * schema portable between SQLite and PostgreSQL:
 * - ids are integers allocated from `id_sequences` (see ids.ts), never by the
 *   database, so no dialect-specific serial/identity syntax is needed;
 * - booleans are integers 0/1 (SQLite has no boolean type);
 * - instants are milliseconds since the epoch in `bigint` columns (read back as
 *   numbers on both dialects, see postgres.ts);
 * - structured values (lists, task.json) are JSON text.
 */
import type { Generated } from 'kysely';

export interface IdSequencesTable {
  name: string;
  next_value: number;
}

/** Key/value settings of the farm itself (e.g. the secret that signs event tokens). */
export interface ServerSettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: number;
  name: string;
  access_id: string;
  access_key: string;
  is_admin: Generated<number>;
  disabled: Generated<number>;
  /** The main account of a sub-account; null for a main account. */
  main_user_id: number | null;
  /** 1: the sub-account shares the main account's assets (reference `shareMainCapital`). */
  share_main_capital: Generated<number>;
  input_bid: string;
  output_bid: string;
  config_bid: string;
  /** Over-time reminder threshold in seconds (reference `taskOverTimeSec`). */
  task_over_time_sec: Generated<number>;
  /** 1 off / 2 on, as the reference's `autoCommit`. */
  auto_commit: Generated<number>;
  created_at: number;
}

/** Nonces seen per access id inside the timestamp window; the primary key refuses a replay. */
export interface AuthNoncesTable {
  access_id: string;
  /** `<UTCTimestamp>:<nonce>`; see auth/nonces.ts for why the timestamp is part of it. */
  nonce: string;
  expires_at: number;
}

export interface PlatformsTable {
  platform: number;
  name: string;
  /** 0 GPU, 1 CPU, 2 picture. */
  type: number;
  /** 0 inactive, 1 normal, 2 busy, 3 full. */
  status: number;
  task_prefix: string;
  is_show: number;
}

export interface HardwareConfigsTable {
  id: number;
  /** 1 CPU, 2 GPU. */
  type: number;
  model: string;
  ram: string;
  gpu_num: string | null;
  platform: number;
  /** JSON list of cg ids this configuration cannot render. */
  not_support_cg_id: string;
  /** JSON list of tips codes that rule this configuration out. */
  not_support_code: string;
  /** JSON list of plugin regular expressions this configuration cannot render. */
  not_support_plugin_list: string;
  /** 1 enabled, 0 disabled. */
  status: number;
}

export interface ProjectsTable {
  id: number;
  user_id: number;
  name: string;
  status: number;
  created_at: number;
}

export interface TasksTable {
  id: number;
  user_id: number;
  /** The parent task of a layer (child) task; null for a top-level task. */
  parent_id: number | null;
  alias: string;
  /** Reference task status (0 waiting, 5 rendering, …, 35 abandoned). */
  status: number;
  /** The status before the last stop, so start can restore it. */
  pre_status: number | null;
  platform: number;
  scene_name: Generated<string>;
  project_id: number | null;
  project_name: Generated<string>;
  cg_id: number | null;
  producer: Generated<string>;
  artist: Generated<string>;
  /** 50 normal, 60 high (reference `taskUserLevel`). */
  task_user_level: number;
  clone_original_id: number | null;
  clone_parent_id: number | null;
  out_user_id: number | null;
  /** Render unit of a child task (Maya layer, Houdini ROP, Clarisse layer, Blender scene). */
  layer_name: Generated<string>;
  /** Camera(s) of the render unit, comma separated. */
  render_camera: Generated<string>;
  frames_range: Generated<string>;
  output_file_name: Generated<string>;
  hardware_config_id: number | null;
  ram: number | null;
  gpu_num: string | null;
  os_name: number | null;
  frames_per_task: Generated<number>;
  pre_frames: Generated<string>;
  /** 1 pause after the priority frames until fullSpeed, 2 continue (reference `stop_after_test`). */
  stop_after_test: Generated<number>;
  /** Set by fullSpeed: the pause after priority frames no longer applies. */
  full_speed: Generated<number>;
  /** Per-frame timeout in seconds (`job_stop_time`). */
  job_stop_time: Generated<number>;
  /** Whole-task timeout in seconds, 0 = unlimited (`task_stop_time`). */
  task_stop_time: Generated<number>;
  /** Over-time reminder threshold in seconds (`time_out`). */
  time_out: Generated<number>;
  /** Seconds after which the task is stopped automatically (setTaskOverTimeStop); 0 = never. */
  over_time_stop: Generated<number>;
  pack_node_id: number | null;
  channel: Generated<number>;
  created_at: number;
  submit_date: number | null;
  start_time: number | null;
  completed_date: number | null;
  /** 1 when deleted into the recycle bin. */
  is_delete: Generated<number>;
  deleted_at: number | null;
  remark: Generated<string>;
  /** 1 while a submit is still writing the frames of this task (tree); the scheduler leases none. */
  creating_frames: Generated<number>;
  /** Planned frame rows of the submit already written (kept on the submitted task). */
  frames_created: Generated<number>;
  /** Why the farm failed the task (e.g. a render spec that cannot be built); null otherwise. */
  fail_reason: string | null;
}

/** The JSON files of a task (task.json, upload.json, asset.json, tips.json) in its config storage. */
export interface TaskFilesTable {
  task_id: number;
  file_name: string;
  content: string;
  updated_at: number;
}

export interface TaskLabelsTable {
  id: number;
  task_id: number;
  user_id: number;
  label: string;
}

/**
 * One schedulable unit: a frame, or a chunk of `frames_per_task` frames. The
 * scheduling columns (state … ended_at) belong to the scheduler once the task
 * is submitted.
 */
export interface FramesTable {
  id: number;
  task_id: number;
  /** Owner of the task, kept on the row for account-wide stats. */
  user_id: number;
  /** Reference `frameIndex`: "6", or "7-9[1]" for a chunk. */
  frame_index: string;
  /** JSON list of the frame numbers this unit renders. */
  frame_numbers: string;
  /** Position of the chunk inside its task, from 0. */
  chunk_index: number;
  frame_block: Generated<string>;
  /** Reference frame type: 4 priority frame, 5 main render, … */
  frame_type: number;
  /** Reference frame status: 1 waiting, 2 running, 3 stopped, 4 done, 5 failed, 11 timed out, … */
  state: number;
  attempt: Generated<number>;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Fencing token: bumped on every lease; a report with an older epoch is refused. */
  lease_epoch: Generated<number>;
  started_at: number | null;
  ended_at: number | null;
  /** Times the user asked for this frame to be rendered again (reference `recommitFlag`). */
  recommit_flag: Generated<number>;
  thumbnail_path: string | null;
  created_at: number;
  updated_at: number;
}

/** Render log lines of a frame, by rendering type ("render", …), in order. */
export interface FrameLogLinesTable {
  frame_id: number;
  rendering_type: string;
  seq: number;
  line: string;
}

export interface RenderEnvsTable {
  id: number;
  user_id: number;
  cg_id: number;
  cg_name: string;
  cg_version: string;
  edit_name: string;
  /** 0 linux, 1 windows. */
  render_system: number;
  render_layer_type: number | null;
  project_path: Generated<string>;
  /** JSON list of plugin ids. */
  plugin_ids: string;
  is_default: Generated<number>;
  created_at: number;
}

/** Audit trail: task operations (kind "task") and logins (kind "login"). */
export interface AuditRecordsTable {
  id: number;
  user_id: number;
  kind: string;
  button_name: string;
  task_ids: string;
  channel: string;
  details: string;
  request_ip: string;
  request_uri: string;
  request_param: string;
  created_at: number;
}

export interface CoreTables {
  id_sequences: IdSequencesTable;
  server_settings: ServerSettingsTable;
  users: UsersTable;
  auth_nonces: AuthNoncesTable;
  platforms: PlatformsTable;
  hardware_configs: HardwareConfigsTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  task_files: TaskFilesTable;
  task_labels: TaskLabelsTable;
  frames: FramesTable;
  frame_log_lines: FrameLogLinesTable;
  render_envs: RenderEnvsTable;
  audit_records: AuditRecordsTable;
}
