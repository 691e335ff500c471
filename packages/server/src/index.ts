/**
 * @openfarm/server: the farm's HTTP API, accounts, store and events.
 * See README.md for the routes, the data directory and the error model.
 */
export {
  type FarmPlugin,
  type FarmServer,
  type RunningFarmServer,
  type ServerOptions,
  createServer,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOST,
  DEFAULT_PORT,
  startServer,
} from './server.js';
export {
  DATABASE_FILE,
  openDataDirStore,
  openFarmStore,
  prepareDataDir,
  resolveDatabaseUrl,
  resolveDataDir,
} from './data-dir.js';
export type { FarmContext } from './http/context.js';

export type { Database } from './store/database.js';
export type * from './store/core-tables.js';
export { KyselyStore, type Store, type StoreDialect } from './store/store.js';
export { openSqliteStore } from './store/sqlite.js';
export { openPostgresStore } from './store/postgres.js';
export { allocateIds } from './store/ids.js';
export { seedStore } from './store/seed.js';
export { type MigrationStatus, migrationStatus } from './store/migration-status.js';
export {
  type CheckLine,
  checkDataDir,
  checkDatabase,
  checkStorage,
  describeDatabaseUrl,
} from './ops/farm-check.js';

export {
  AccountError,
  createUser,
  type CreateUserOptions,
  findUserByName,
  listUsers,
  type NewUser,
  rotateAccessKey,
  setUserDisabled,
  type UserRow,
} from './accounts/users.js';
export {
  addHardwareConfig,
  HardwareConfigError,
  type HardwareConfigRow,
  listHardwareConfigs,
  type NewHardwareConfig,
  setHardwareConfigEnabled,
} from './admin/hardware.js';

export { SignatureVerifier, type SignedRequest } from './auth/verify.js';
export {
  registerSignedRoute,
  requireSignature,
  type SignatureOptions,
  type SignedRouteOptions,
  userOf,
} from './auth/signed-routes.js';
export { EventBus, type FarmEvent, type FarmEventListener } from './events/bus.js';
export { EVENTS_PATH } from './events/event-routes.js';
export { EVENTS_CHANNEL, postgresEventsPlugin } from './events/postgres-bridge.js';
export { sendApiError } from './http/errors.js';
export { parseBody } from './http/validation.js';
export type { JobFileSource } from './tasks/job-files.js';
export { configStorageJobFiles, configStoragePlugin } from './tasks/config-storage-files.js';
export { visibleOwnerIds } from './tasks/visibility.js';

export * from './transfer/index.js';
export * from './scheduler/index.js';
export * from './blob/index.js';
export * from './blob-gc/index.js';
export * from './web/index.js';
