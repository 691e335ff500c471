/**
 * What checking a job asks of the farm. RayvisionAPI is one such client; the
 * check depends on these few calls only, not on the API that builds checks
 * itself (submitByData), and a test can hand it anything that answers them.
 */
import type { Logger } from '@openfarm/protocol';
import type { QueryOperator } from '../operators/query.js';
import type { TaskOperator } from '../operators/task.js';
import type { UserOperator } from '../operators/user.js';

export interface CheckClient {
  readonly logger: Logger;
  /** The render platform a task goes to when its task.json names none. */
  readonly platform: string;
  readonly user: Pick<UserOperator, 'getHardwareConfig'>;
  readonly task: Pick<TaskOperator, 'createTask'>;
  readonly query: Pick<QueryOperator, 'supportedPlugin' | 'errorDetail'>;
  getUserId(): Promise<number>;
  /** The project's id, the project created first when the account has none of that name. */
  checkAndAddProjectName(name: string): Promise<string>;
}
