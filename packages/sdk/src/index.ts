export { RayvisionAPI } from './api.js';
export { RayvisionCheck, type CheckOptions } from './check/check.js';
export * from './check/errors.js';
export type { CheckClient } from './check/client.js';
export type { HardwareConfig, HardwareRequest } from './check/hardware.js';
export type { JobFilePaths, TaskJsonDocument, TipsDocument } from './check/job-documents.js';
export type { Connection } from './client/connection.js';
export { ACCESS_ID_ENV, ACCESS_KEY_ENV, type RayvisionAPIOptions } from './client/options.js';
export { DEFAULT_RETRY, type RetryPolicy } from './client/retry.js';
export type { UserInfo } from './client/user-info.js';
export { RayvisionError, TaskIdError } from './errors.js';
export { type AtomicWriteOptions, writeFileAtomic, writeJsonAtomic } from './json/atomic-write.js';
export { type CuttingUploadOptions, cuttingUpload } from './json/cutting-upload.js';
export {
  type AppendToTaskOptions,
  appendToTask,
  type TaskInfoValue,
  updateTaskInfo,
} from './json/task-json.js';
export { appendToUpload, type UploadEntry } from './json/upload-json.js';
export {
  type Logger,
  type LogFileOptions,
  type LogPathContext,
  logFilePath,
  parseLogLevel,
  RotatingFileLogger,
  type RotatingFileOptions,
  silentLogger,
  teeLogger,
  userLogDir,
  withLogFile,
} from '@openfarm/protocol';
export type { EnvOperator, GetRenderEnvOptions } from './operators/env.js';
export type {
  AllFramesOptions,
  FrameSelection,
  GetTaskListOptions,
  QueryOperator,
} from './operators/query.js';
export type { ProjectScope, TagOperator } from './operators/tag.js';
export type { CreateTaskOptions, TaskOperator } from './operators/task.js';
export type { TransmitOperator } from './operators/transmit.js';
export type { UserOperator } from './operators/user.js';
export type { SubmitByDataOptions } from './submit-by-data.js';
export * from './transfer/index.js';
