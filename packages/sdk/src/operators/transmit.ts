/** `api.transmit` (reference §2.7): job files over HTTP, transfer configuration, output listing. */
import type { JobFileName } from '@openfarm/protocol';
import type { Caller, Output } from './caller.js';

export class TransmitOperator {
  constructor(private readonly caller: Caller) {}

  /** Store a job file's JSON text for a task, instead of uploading it through the transfer engine. */
  uploadJsonContent(
    taskId: number,
    content: string,
    fileName: JobFileName = 'task.json',
  ): Promise<Output<'transmit.uploadJsonContent'>> {
    return this.caller.call('transmit.uploadJsonContent', { taskId, content, fileName });
  }

  getTransferConfig(): Promise<Output<'transmit.getTransferConfig'>> {
    return this.caller.call('transmit.getTransferConfig', {});
  }

  /** List a folder of the output storage; with `taskId`, the root of that task's output. */
  getOutputFiles(
    options: { taskId?: number; treePath?: string } = {},
  ): Promise<Output<'transmit.getOutputFiles'>> {
    const { taskId, treePath = '/' } = options;
    // As the reference: a task's listing always starts at its own root.
    return this.caller.call(
      'transmit.getOutputFiles',
      taskId !== undefined ? { taskId, treePath: '/' } : { treePath },
    );
  }
}
