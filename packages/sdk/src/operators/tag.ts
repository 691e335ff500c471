/** `api.tag` (reference §2.7): projects — which the reference also calls labels — and task tags. */
import type { Caller, Input, Output } from './caller.js';

export type ProjectScope = 0 | 1 | 2;

export class TagOperator {
  constructor(private readonly caller: Caller) {}

  /** Create a project. `status` 1 enabled (the reference's default), 0 disabled. */
  addLabel(newName: string, status: 0 | 1 = 1): Promise<Output<'tag.addLabel'>> {
    return this.caller.call('tag.addLabel', { newName, status });
  }

  deleteLabel(delName: string): Promise<Output<'tag.deleteLabel'>> {
    return this.caller.call('tag.deleteLabel', { delName });
  }

  getLabelList(): Promise<Output<'tag.getLabelList'>> {
    return this.caller.call('tag.getLabelList', {});
  }

  /** The project list itself (the reference's `get_project_list`). */
  async getProjectList(): Promise<Output<'tag.getLabelList'>['projectNameList']> {
    return (await this.getLabelList()).projectNameList;
  }

  /** Projects in a scope: 0 own, 1 own and the main account's, 2 all under the same main account. */
  getList(flag: ProjectScope = 0): Promise<Output<'tag.getList'>> {
    return this.caller.call('tag.getList', { flag });
  }

  addTaskTag(label: string, taskIds: number[]): Promise<Output<'tag.addTaskTag'>> {
    return this.caller.call('tag.addTaskTag', { label, taskIds });
  }

  /** Remove tags by tag id (or, second form of the docs, by task ids and tag names). */
  deleteTaskTag(tagIds: number[] | Input<'tag.deleteTaskTag'>): Promise<Output<'tag.deleteTaskTag'>> {
    return this.caller.call('tag.deleteTaskTag', Array.isArray(tagIds) ? { labelIds: tagIds } : tagIds);
  }
}
