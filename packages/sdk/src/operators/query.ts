/** `api.query` (reference §2.7): tasks, frames, logs and the farm's catalogues. */
import { cgIdOf, type FrameInfo } from '@openfarm/protocol';
import { errorLanguageOf, localOsName, zoneOf } from '../client/region.js';
import { RayvisionError } from '../errors.js';
import type { Caller, Input, Output } from './caller.js';

export type GetTaskListOptions = Partial<Input<'query.getTaskList'>>;

export interface FrameSelection {
  /** 1 (default) acts on every frame, 0 only on `ids`. */
  selectAll?: 0 | 1;
  /** Frame ids (not frame numbers) when `selectAll` is 0. */
  ids?: number[];
  /** Only frames in these frame statuses. */
  status?: number[];
}

export interface AllFramesOptions {
  startPage?: number;
  /** Last page to read; default 2000, as the reference. */
  endPage?: number;
  pageSize?: number;
}

export class QueryOperator {
  constructor(
    private readonly caller: Caller,
    private readonly domain: string,
  ) {}

  /** Render regions of the zone this domain serves. */
  platforms(): Promise<Output<'query.platforms'>> {
    return this.caller.call('query.platforms', { zone: zoneOf(this.domain) });
  }

  /**
   * Describe analysis tip codes. `language` defaults to the domain's: Chinese
   * for the mainland service, English elsewhere.
   */
  errorDetail(
    options: { code?: string; codes?: string[]; language?: 0 | 1 } = {},
  ): Promise<Output<'query.errorDetail'>> {
    return this.caller.call('query.errorDetail', { language: errorLanguageOf(this.domain), ...options });
  }

  getTaskList(options: GetTaskListOptions = {}): Promise<Output<'query.getTaskList'>> {
    return this.caller.call('query.getTaskList', { pageNum: 1, pageSize: 100, ...options });
  }

  taskFrames(
    taskId: number,
    options: { pageNum?: number; pageSize?: number; searchKeyword?: string } = {},
  ): Promise<Output<'query.taskFrames'>> {
    return this.caller.call('query.taskFrames', { taskId, pageNum: 1, pageSize: 100, ...options });
  }

  /** Every frame of a task keyed by `frameIndex`, read page by page until a page comes back empty. */
  async getAllFrames(taskId: number, options: AllFramesOptions = {}): Promise<Map<string, FrameInfo>> {
    const { startPage = 1, endPage = 2000, pageSize = 100 } = options;
    const frames = new Map<string, FrameInfo>();
    for (let pageNum = startPage; pageNum <= endPage; pageNum++) {
      const page = await this.taskFrames(taskId, { pageNum, pageSize });
      for (const frame of page.items) frames.set(frame.frameIndex, frame);
      // The last page is known from pageCount: no need to ask for an empty one.
      if (page.items.length === 0 || pageNum >= page.pageCount) break;
    }
    return frames;
  }

  /** Account-wide frame counts. */
  allFrameStatus(): Promise<Output<'query.allFrameStatus'>> {
    return this.caller.call('query.allFrameStatus', {});
  }

  /** Re-render the failed frames of tasks (or, with `status`, frames in those statuses). */
  restartFailedFrames(taskIds: number[], status?: number[]): Promise<Output<'query.restartFailedFrames'>> {
    return this.caller.call('query.restartFailedFrames', { taskIds, ...(status ? { status } : {}) });
  }

  /** Re-render all frames of a task, or the frame ids given with `selectAll: 0`. */
  restartFrame(taskId: number, selection: FrameSelection = {}): Promise<Output<'query.restartFrame'>> {
    return this.caller.call('query.restartFrame', frameBody(taskId, selection));
  }

  /** Stop all frames of a task, or the frame ids given with `selectAll: 0`. */
  stopFrame(taskId: number, selection: FrameSelection = {}): Promise<Output<'query.stopFrame'>> {
    return this.caller.call('query.stopFrame', frameBody(taskId, selection));
  }

  /**
   * Re-render frames by frame number (`frameIndex` as the frame list shows it:
   * `"6"`, `"7-9"`). Returns the frame ids restarted.
   */
  async getCustomFrames(taskId: number, frameIndexes: ReadonlyArray<string | number>): Promise<number[]> {
    const ids = await this.frameIdsOf(taskId, frameIndexes);
    await this.restartFrame(taskId, { selectAll: 0, ids });
    return ids;
  }

  /** The reference's spelling of {@link getCustomFrames}, kept so ported scripts run unchanged. */
  getCustomeFrames(taskId: number, frameIndexes: ReadonlyArray<string | number>): Promise<number[]> {
    return this.getCustomFrames(taskId, frameIndexes);
  }

  /** Stop frames by frame number. Returns the frame ids stopped. */
  async frameNumberToStop(taskId: number, frameIndexes: ReadonlyArray<string | number>): Promise<number[]> {
    const ids = await this.frameIdsOf(taskId, frameIndexes);
    await this.stopFrame(taskId, { selectAll: 0, ids });
    return ids;
  }

  /** Task details; parents carry their child (layer, photon) tasks in `respRenderingTaskList`. */
  taskInfo(taskIds: number[]): Promise<Output<'query.taskInfo'>> {
    return this.caller.call('query.taskInfo', { taskIds });
  }

  /** The ids that render: a parent's child task ids, or the task id itself. */
  async getSmallTaskId(taskId: number): Promise<number[]> {
    const info = await this.taskInfo([taskId]);
    const ids: number[] = [];
    for (const item of info.items) {
      const children = item.respRenderingTaskList ?? [];
      if (item.isOpen === 1 && children.length > 0) ids.push(...children.map((c) => c.id));
      else ids.push(item.id);
    }
    return ids;
  }

  supportedSoftware(): Promise<Output<'query.supportedSoftware'>> {
    return this.caller.call('query.supportedSoftware', {});
  }

  /**
   * Versions and plugins of one software, by name (`blender`) or cg id.
   * `osName` defaults to this machine's OS, as the reference.
   */
  async supportedPlugin(
    software: string | number,
    osName: string = localOsName(),
  ): Promise<Output<'query.supportedPlugin'>> {
    const cgId = typeof software === 'number' ? software : cgIdOf(software);
    return this.caller.call('query.supportedPlugin', { cgId, osName });
  }

  getTransferServerMsg(): Promise<Output<'query.getTransferServerMsg'>> {
    return this.caller.call('query.getTransferServerMsg', { zone: zoneOf(this.domain) });
  }

  getRaysyncUserKey(): Promise<Output<'query.getRaysyncUserKey'>> {
    return this.caller.call('query.getRaysyncUserKey', {});
  }

  /** Block-render progress (`frameType` 2 photon, 5 main image). */
  getTaskProcessingImg(taskId: number, frameType?: number): Promise<Output<'query.getTaskProcessingImg'>> {
    return this.caller.call('query.getTaskProcessingImg', { taskId, ...(frameType ? { frameType } : {}) });
  }

  /** Thumbnail URLs of a frame, fetchable as they are for an hour; only done frames (status 4) have them. */
  getFrameThumbnail(frameId: number, frameStatus = 4): Promise<Output<'query.getFrameThumbnail'>> {
    return this.caller.call('query.getFrameThumbnail', { id: frameId, frameStatus });
  }

  /** The reference's spelling of {@link getFrameThumbnail}. */
  getFrameThumbnall(frameId: number, frameStatus = 4): Promise<Output<'query.getFrameThumbnail'>> {
    return this.getFrameThumbnail(frameId, frameStatus);
  }

  /** Render log lines of a frame, paged. */
  getRenderLog(
    frameId: number,
    options: { renderingType?: string; pageNum?: number; pageSize?: number } = {},
  ): Promise<Output<'query.getRenderLog'>> {
    return this.caller.call('query.getRenderLog', {
      id: frameId,
      renderingType: 'render',
      pageNum: 1,
      pageSize: 1,
      ...options,
    });
  }

  /** Reserved ("pack") machines of the account. */
  getPackNodeInfo(): Promise<Output<'query.getPackNodeInfo'>> {
    return this.caller.call('query.getPackNodeInfo', {});
  }

  /** Frame ids for frame numbers; every number must exist, or none is acted on. */
  private async frameIdsOf(taskId: number, frameIndexes: ReadonlyArray<string | number>): Promise<number[]> {
    if (frameIndexes.length === 0) {
      throw new RayvisionError('SDK_ERROR', 'no frame numbers given');
    }
    const frames = await this.getAllFrames(taskId);
    const wanted = frameIndexes.map(String);
    const missing = wanted.filter((f) => !frames.has(f));
    if (missing.length > 0) {
      throw new RayvisionError(
        'SDK_ERROR',
        `task ${taskId} has no frame ${missing.join(', ')}; its frames are ${[...frames.keys()].join(', ') || 'none'}`,
        { detail: { missing } },
      );
    }
    return [...new Set(wanted.map((f) => frames.get(f)!.id))];
  }
}

function frameBody(taskId: number, selection: FrameSelection): Input<'query.restartFrame'> {
  return {
    taskId,
    selectAll: selection.selectAll ?? 1,
    ...(selection.ids ? { ids: selection.ids } : {}),
    ...(selection.status ? { status: selection.status } : {}),
  };
}
