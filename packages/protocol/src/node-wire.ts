/**
 * The render-node wire contract: one zod schema per request the node sends
 * (NODE_PATHS), parsed by the server's routes and typed into the worker's calls
 * (`satisfies` the input types below), and one per answer the server sends
 * (registration, poll with its leases), built as those types by the server and
 * parsed by the node, so the two ends cannot drift apart.
 * Bounds are the server's: a node sending more is refused with 600.
 */
import { z } from 'zod';

const id = z.number().int().positive();
const leaseFields = { frameId: id, epoch: z.number().int().nonnegative() };

/** POST NODE_PATHS.register: what the node is and can render. */
export const nodeRegisterBody = z.object({
  os: z.string().max(32),
  cores: z.number().int().nonnegative(),
  ramMb: z.number().int().nonnegative(),
  gpus: z.number().int().nonnegative().default(0),
  slots: z.number().int().min(1).max(256),
  platform: z.number().int().nullable().default(null),
  renderers: z.array(z.object({ cgName: z.string().min(1).max(64), version: z.string().max(64) })).max(64),
  hardwareConfigIds: z.array(z.number().int()).max(256).default([]),
  agentVersion: z.string().max(64).default(''),
});

/**
 * POST NODE_PATHS.poll: the leases the node holds (renewed), how many more it can take, and the
 * tasks whose scene it holds open in an idle warm renderer (the scheduler prefers their frames).
 */
export const nodePollBody = z.object({
  running: z.array(z.object(leaseFields)).max(256).default([]),
  freeSlots: z.number().int().min(0).max(256),
  waitMs: z.number().int().min(0).optional(),
  warmTaskIds: z.array(id).max(256).default([]),
});

/** POST NODE_PATHS.progress. */
export const nodeProgressBody = z.object({ ...leaseFields, progress: z.number().min(0).max(1) });
/** POST NODE_PATHS.log: a chunk of the frame's log lines. */
export const nodeLogBody = z.object({ ...leaseFields, lines: z.array(z.string().max(16_384)).max(5000) });
/** POST NODE_PATHS.complete. */
export const nodeLeaseBody = z.object(leaseFields);
/** POST NODE_PATHS.fail: why the frame failed. */
export const nodeFailBody = z.object({ ...leaseFields, error: z.string().max(16_384) });

const intText = z.string().regex(/^\d+$/).transform(Number);
/** The query of PUT NODE_PATHS.output (with `name`) and NODE_PATHS.thumbnail. */
export const nodeUploadQuery = z.object({
  frameId: intText,
  epoch: intText,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: intText,
  name: z.string().min(1).max(1024).optional(),
});

// The answers, in the `data` of the envelope. The server builds them as these types and the node
// parses them with these schemas (unknown fields are dropped, so a newer farm's additions do not
// break an older node).

/** Answer of NODE_PATHS.register: the node's farm identity and the timing it must keep. */
export const nodeRegisterAnswer = z.object({
  workerId: id,
  name: z.string(),
  disabled: z.boolean(),
  leaseTtlMs: z.number().int().positive(),
  maxPollMs: z.number().int().nonnegative(),
});

/** One input file of a job: where the scene expects it, and the blob that holds it. */
export const nodeJobInput = z.object({
  serverPath: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

/** What a node receives with each lease of a task. */
export const nodeLeaseJob = z.object({
  taskId: id,
  taskJson: z.record(z.string(), z.unknown()),
  /** Blender scene, Maya layer, Houdini ROP…; empty for a single-unit scene. */
  layer: z.string(),
  /** Server path of the scene file. */
  scenePath: z.string(),
  inputs: z.array(nodeJobInput),
  /** Paths of upload.json the farm does not hold (the render may still work, e.g. optional caches). */
  missingInputs: z.array(z.string()),
  /** Folder of the task's results in the owner's output storage (`<taskId>_<sceneName>`). */
  outputFolder: z.string(),
});

/** One leased frame (or chunk of frames) with its fencing epoch. */
export const nodeLease = z.object({
  ...leaseFields,
  attempt: z.number().int().nonnegative(),
  leaseExpiresAt: z.number(),
  frameIndex: z.string(),
  frameNumbers: z.array(z.number()),
  frameType: z.number().int(),
  job: nodeLeaseJob,
});

/** Answer of NODE_PATHS.poll: new leases, frames to stop (their lease is gone), and whether the node is disabled. */
export const nodePollAnswer = z.object({
  leases: z.array(nodeLease),
  cancel: z.array(id),
  disabled: z.boolean(),
});

export type NodeRegisterAnswer = z.infer<typeof nodeRegisterAnswer>;
export type NodeJobInput = z.infer<typeof nodeJobInput>;
export type NodeLeaseJob = z.infer<typeof nodeLeaseJob>;
export type NodeLease = z.infer<typeof nodeLease>;
export type NodePollAnswer = z.infer<typeof nodePollAnswer>;

export type NodeRegisterBody = z.input<typeof nodeRegisterBody>;
export type NodePollBody = z.input<typeof nodePollBody>;
export type NodeProgressBody = z.input<typeof nodeProgressBody>;
export type NodeLogBody = z.input<typeof nodeLogBody>;
export type NodeLeaseBody = z.input<typeof nodeLeaseBody>;
export type NodeFailBody = z.input<typeof nodeFailBody>;
export type NodeUploadQuery = z.input<typeof nodeUploadQuery>;
