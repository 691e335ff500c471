/**
 * RayvisionAPI: the client scripts import (reference §2.1). Constructing it
 * checks the options and touches no network; `login()` (or the static
 * `connect()`) runs the reference's three-call bootstrap.
 */
import type { Logger } from '@openfarm/protocol';
import { Connection } from './client/connection.js';
import { type RayvisionAPIOptions, resolveOptions } from './client/options.js';
import { buildUserInfo, type UserInfo } from './client/user-info.js';
import { RayvisionError, toTaskId } from './errors.js';
import { Caller } from './operators/caller.js';
import { EnvOperator } from './operators/env.js';
import { QueryOperator } from './operators/query.js';
import { TagOperator } from './operators/tag.js';
import { TaskOperator } from './operators/task.js';
import { TransmitOperator } from './operators/transmit.js';
import { UserOperator } from './operators/user.js';
import { type SubmitByDataOptions, submitByData } from './submit-by-data.js';
import type { JsonObject } from './json/read-json.js';

export class RayvisionAPI {
  /** The signed HTTP connection (the reference's `api.connect`). */
  readonly connection: Connection;
  readonly logger: Logger;
  readonly user: UserOperator;
  readonly task: TaskOperator;
  readonly query: QueryOperator;
  readonly tag: TagOperator;
  readonly env: EnvOperator;
  readonly transmit: TransmitOperator;
  private info: UserInfo | undefined;

  constructor(options: RayvisionAPIOptions = {}) {
    const resolved = resolveOptions(options);
    this.logger = resolved.logger;
    this.connection = new Connection(resolved);
    const caller = new Caller(this.connection);
    this.user = new UserOperator(caller);
    this.task = new TaskOperator(caller);
    this.query = new QueryOperator(caller, resolved.domain);
    this.tag = new TagOperator(caller);
    this.env = new EnvOperator(caller);
    this.transmit = new TransmitOperator(caller);
  }

  /** Construct and log in, in one step. */
  static async connect(options: RayvisionAPIOptions = {}): Promise<RayvisionAPI> {
    const api = new RayvisionAPI(options);
    await api.login();
    return api;
  }

  get domain(): string {
    return this.connection.domain;
  }

  get platform(): string {
    return this.connection.platform;
  }

  /** Profile, settings and storage ids, merged with snake_case keys; refreshes `userInfo`. */
  async login(): Promise<UserInfo> {
    const [profile, settings, bids] = await Promise.all([
      this.user.queryUserProfile(),
      this.user.queryUserSetting(),
      this.user.getTransferBid(),
    ]);
    this.info = buildUserInfo({ domain: this.domain, platform: this.platform }, profile, settings, bids);
    this.logger.debug(`logged in as ${String(this.info.user_name)} (${String(this.info.user_id)})`);
    return this.info;
  }

  /** The login result; reading it before `login()` is a programming error, reported as such. */
  get userInfo(): UserInfo {
    if (this.info === undefined) {
      throw new RayvisionError(
        'SDK_ERROR',
        'not logged in: call `await api.login()` or use RayvisionAPI.connect()',
      );
    }
    return this.info;
  }

  /** The account's user id, asked of the server (not the cached login). */
  async getUserId(): Promise<number> {
    const profile = await this.user.queryUserProfile();
    return profile.userId;
  }

  /**
   * The id of the project called `name`, creating it when the account has
   * none by that name. Projects visible under the main account count (flag 2),
   * as the reference.
   */
  async checkAndAddProjectName(name: string): Promise<string> {
    const find = async () =>
      (await this.tag.getList(2)).projectNameList.find((p) => p.projectName === name)?.projectId;
    let id = await find();
    if (id === undefined) {
      await this.tag.addLabel(name, 0).catch((error: unknown) => {
        // Another client may have created it meanwhile: the second lookup settles it.
        this.logger.warn(`creating project "${name}" failed: ${(error as Error).message}`);
      });
      id = await find();
    }
    if (id === undefined) throw new RayvisionError('SDK_ERROR', `project "${name}" could not be created`);
    return String(id);
  }

  /** Submit an uploaded task. `taskId` may be a number or numeric string. */
  async submit(taskId: number | string, producer?: string): Promise<true> {
    await this.task.submitTask(toTaskId(taskId), producer);
    return true;
  }

  /**
   * Check an in-memory task.json, store the job files over HTTP and submit —
   * no transfer engine involved. Returns the task id.
   */
  submitByData(taskJson: JsonObject, options: SubmitByDataOptions): Promise<number> {
    return submitByData(this, taskJson, options);
  }
}
