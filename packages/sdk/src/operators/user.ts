/** `api.user` (reference §2.7): the account, its settings, storage ids and hardware configurations. */
import type { Caller, Input, Output } from './caller.js';

export class UserOperator {
  constructor(private readonly caller: Caller) {}

  queryUserProfile(): Promise<Output<'user.queryUserProfile'>> {
    return this.caller.call('user.queryUserProfile', {});
  }

  queryUserSetting(): Promise<Output<'user.queryUserSetting'>> {
    return this.caller.call('user.queryUserSetting', {});
  }

  /** Set the over-time reminder threshold, in seconds. */
  updateUserSettings(taskOverTimeSec: number): Promise<Output<'user.updateUserSettings'>> {
    return this.caller.call('user.updateUserSettings', { taskOverTimeSec });
  }

  /** Storage ids: input, output, config, parent input (sub-accounts), sub-users' output. */
  getTransferBid(): Promise<Output<'user.getTransferBid'>> {
    return this.caller.call('user.getTransferBid', {});
  }

  /** Hardware configurations; with `taskIds`, `current` marks the ones those tasks use. */
  getHardwareConfig(taskIds?: number[]): Promise<Output<'user.getHardwareConfig'>> {
    // The reference sends cloneTask as the string "false", never a boolean.
    return this.caller.call('user.getHardwareConfig', {
      cloneTask: 'false',
      ...(taskIds ? { taskIds } : {}),
    });
  }

  /** Audit log of task operations. */
  taskRecord(query: Partial<Input<'user.taskRecord'>> = {}): Promise<Output<'user.taskRecord'>> {
    return this.caller.call('user.taskRecord', { pageNum: 1, pageSize: 100, ...query });
  }

  /** Audit log of logins. */
  loginRecord(query: Partial<Input<'user.loginRecord'>> = {}): Promise<Output<'user.loginRecord'>> {
    return this.caller.call('user.loginRecord', { pageNum: 1, pageSize: 100, ...query });
  }
}
