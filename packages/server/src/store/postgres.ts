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
  return new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}
