/** FrameInfo: one frame (or chunk of frames) of a task (§2.7). */
import { z } from 'zod';
import { optInt, optNum, optStr, optStrOrNum } from './primitives.js';

export const FrameInfoSchema = z
  .looseObject({
    id: z.int(),
    taskId: z.int(),
    /** The frame or range this row renders, e.g. `"5"` or `"0-1"`. */
    frameIndex: z.string(),
    frameStatus: z.int(),
    frameType: optInt(),
    userId: optInt(),
    framePrice: optNum(),
    /** 0 per frame, 1 per machine, 2 per project. */
    feeType: optInt(),
    platform: optInt(),
    frameBlock: optStr(),
    frameStatusText: optStr(),
    feeAmount: optNum(),
    couponFee: optNum(),
    /** ms epochs */
    startTime: optNum(),
    endTime: optNum(),
    /** seconds */
    frameExecuteTime: optNum(),
    currentRenderTime: optNum(),
    arrearsFee: optNum(),
    munuJobId: optStr(),
    munuTaskId: optStr(),
    /** How many times the frame was re-rendered. */
    recommitFlag: optInt(),
    isCopy: optInt(),
    taskOverTime: optNum(),
    /** Houdini solve node. */
    gopName: optStr(),
    frameRam: optNum(),
    /** openfarm: 0..1 of the render, as the node last reported it. */
    progress: optNum(),
    /** openfarm: the render node that ran (or runs) the frame. */
    nodeName: optStr(),
    /** openfarm: why the frame's last attempt failed. */
    lastError: optStr(),
  })
  .meta({ id: 'FrameInfo' });

export type FrameInfo = z.output<typeof FrameInfoSchema>;

/** Account-wide frame counts (`queryAllFrameStats`). */
export const FrameStatsSchema = z.looseObject({
  executingFramesTotal: z.int().min(0),
  doneFramesTotal: z.int().min(0),
  failedFramesTotal: z.int().min(0),
  waitingFramesTotal: z.int().min(0),
  totalFrames: z.int().min(0),
});

/** Block-render progress image (`loadTaskProcessImg`, 3ds Max block rendering). */
export const ProcessImageSchema = z.looseObject({
  width: optInt(),
  height: optInt(),
  block: optInt(),
  isRenderPhoton: z.union([z.boolean(), z.number()]).nullable().optional(),
  currentTaskType: optStr(),
  sceneName: optStr(),
  startTime: optStrOrNum(),
  endTime: optStrOrNum(),
  // The reference answers most block fields as text ("0.20", "100", "4").
  grabInfo: z
    .array(
      z.array(
        z.looseObject({
          frameIndex: optStr(),
          frameBlock: optStr(),
          frameStatus: optStrOrNum(),
          framePercent: optStrOrNum(),
          frameUsed: optStrOrNum(),
          frameEst: optStrOrNum(),
          renderInfo: optStr(),
          grabUrl: optStr(),
          feeAmount: optStrOrNum(),
          couponFee: optStrOrNum(),
          isMaxPrice: optStrOrNum(),
          startTime: optStrOrNum(),
          endTime: optStrOrNum(),
        }),
      ),
    )
    .nullable()
    .optional(),
});

export type FrameStats = z.output<typeof FrameStatsSchema>;
export type ProcessImage = z.output<typeof ProcessImageSchema>;
