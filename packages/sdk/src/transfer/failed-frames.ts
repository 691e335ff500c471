/**
 * The frames of an ended task that failed, for the automatic downloads'
 * report: their files will never come, and the artist should learn which
 * frames and why rather than find gaps in a sequence later.
 */
import { type FrameInfo, FrameStatus } from '@openfarm/protocol';
import type { TaskFolder } from './task-folders.js';

export interface FailedFrame {
  /** The (child) task the frame belongs to. */
  taskId: number;
  frameId: number;
  /** The frame or range, e.g. "5" or "0-1". */
  frameIndex: string;
  /** The farm's reason for the last failed attempt; empty when it gave none. */
  reason: string;
}

/** What the downloads need to list a task's frames (RayvisionAPI.query has it). */
export interface FrameQuery {
  taskFrames(
    taskId: number,
    options: { pageNum?: number; pageSize?: number },
  ): Promise<{ items: FrameInfo[]; pageCount: number }>;
}

/** Every failed frame of the leaves, read page by page. */
export async function failedFramesOf(
  query: FrameQuery,
  leaves: readonly TaskFolder[],
): Promise<FailedFrame[]> {
  const failed: FailedFrame[] = [];
  for (const leaf of leaves) {
    for (let pageNum = 1; ; pageNum++) {
      const page = await query.taskFrames(leaf.taskId, { pageNum, pageSize: 1000 });
      for (const f of page.items) {
        if (f.frameStatus !== FrameStatus.FAILED) continue;
        failed.push({
          taskId: leaf.taskId,
          frameId: f.id,
          frameIndex: f.frameIndex,
          reason: f.lastError ?? '',
        });
      }
      if (page.items.length === 0 || pageNum >= page.pageCount) break;
    }
  }
  return failed;
}
