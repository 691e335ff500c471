/** The scale-out store: PostgreSQL through pg's pool. */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './database.js';
import { KyselyStore, type Store } from './store.js';

const INT8_OID = 20;

/**
 * Open a PostgreSQL store. `bigint` columns hold millisecond instants and ids,
 * far below 2^53, so they are read as numbers (pg's default is strings) and the
 * rows look the same as SQLite's.
 */
export function openPostgresStore(connectionString: string, poolSize = 10): Store {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server ends (a restart, pg_terminate_backend, a
  // dropped database, idle_session_timeout) makes the pool emit 'error'; with
  // no listener that is an uncaught exception that ends the whole process. pg
  // has already dropped that connection and opens a new one for the next
  // query, which fails where it can be handled if PostgreSQL is really gone.
  // (pool.end() resolves before its connections have closed, so closing a
  // store and then dropping its database with `force` took this path in tests.)
  pool.on('error', () => {});
  // A connection ended while checked out (in a query, or between the statements of a
  // transaction) emits 'error' on its client, where the pool no longer listens. The query on it
  // already fails with that error, and the pool drops the client when it comes back; the event
  // itself must not be an uncaught exception that takes the server down.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}
