/** Row types of the scheduler tables (migration 0200_scheduler), merged into the store's Database. */
import type { Generated } from 'kysely';

/** A render node. It authenticates with a token whose SHA-256 is kept here (never the token). */
export interface WorkersTable {
  id: number;
  name: string;
  token_sha256: string;
  disabled: Generated<number>;
  /** Platform (render region) the node serves; null = any. */
  platform: number | null;
  /** `linux`, `windows`, `darwin`. */
  os: Generated<string>;
  cores: Generated<number>;
  ram_mb: Generated<number>;
  gpus: Generated<number>;
  /** Frames the node renders at once. */
  slots: Generated<number>;
  /** JSON list of `{cgName, version}` the node found installed. */
  renderers: Generated<string>;
  /** JSON list of hardware configuration ids the node stands for; empty = every CPU configuration. */
  hardware_config_ids: Generated<string>;
  agent_version: Generated<string>;
  created_at: number;
  registered_at: number | null;
  /** Last poll or report: a node is online while this is recent. */
  last_seen_at: number | null;
}

/** Failed frames of one task on one node; at the limit the node is kept off the task. */
export interface WorkerTaskFailuresTable {
  worker_id: number;
  task_id: number;
  failures: number;
  updated_at: number;
}

declare module '../store/database.js' {
  interface Database {
    workers: WorkersTable;
    worker_task_failures: WorkerTaskFailuresTable;
  }
}

declare module '../store/core-tables.js' {
  interface FramesTable {
    /** 0..1 of the frame's render, as the node last reported it. */
    progress: Generated<number>;
    /** The node that ran (or runs) the frame. */
    node_name: string | null;
    last_error: string | null;
  }
}
