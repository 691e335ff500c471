/**
 * Step 4 of the check (reference §5 `check_task_info`): fill task_id, user_id
 * and project_id when the analyzer left them empty.
 */
import { RayvisionError } from '../errors.js';
import type { CheckClient } from './client.js';

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || String(value).trim() === '';
}

export async function fillIdentity(api: CheckClient, taskInfo: Record<string, unknown>): Promise<void> {
  if (isEmpty(taskInfo.task_id)) {
    const created = await api.task.createTask({ count: 1 });
    const id = created.taskIdList[0];
    if (id === undefined) throw new RayvisionError('SDK_ERROR', 'createTask answered no task id');
    taskInfo.task_id = String(id);
  }
  if (isEmpty(taskInfo.user_id)) {
    taskInfo.user_id = String(await api.getUserId());
  }
  if (isEmpty(taskInfo.project_id)) {
    const name = isEmpty(taskInfo.project_name) ? '' : String(taskInfo.project_name).trim();
    // "0" is the reference's "no project".
    taskInfo.project_id = name === '' ? '0' : await api.checkAndAddProjectName(name);
  }
}
