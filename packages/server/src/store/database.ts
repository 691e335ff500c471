/**
 * The typed schema of the whole store.
 *
 * `Database` is an interface so each area of the server can add its own tables
 * from its own folder by declaration merging, without editing this file:
 *
 * ```ts
 * // src/transfer/tables.ts
 * declare module '../store/database.js' {
 *   interface Database {
 *     blobs: BlobsTable;
 *   }
 * }
 * ```
 *
 * The tables themselves are created by that area's migration in
 * `store/migrations/` (core 0001–0099, transfer 0100–0199, scheduler 0200–0299).
 */
import type { CoreTables } from './core-tables.js';

export interface Database extends CoreTables {}
