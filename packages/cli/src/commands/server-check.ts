/**
 * `openfarm server --check`: what the server would use — the data directory, the
 * database (SQLite in the data directory, or PostgreSQL) and the blob storage (a
 * folder or an S3 bucket) — tried one by one, one line each, without starting the
 * server, migrating, or creating a bucket. Throws (exit 1) when a part failed.
 */
import { checkDatabase, checkDataDir, checkStorage } from '@openfarm/server';
import { CliError } from '../errors.js';

export async function runServerCheck(
  options: { dataDir: string; databaseUrl: string | undefined; storage: string; directWrites: boolean },
  out: (text: string) => void,
): Promise<void> {
  const lines = [
    checkDataDir(options.dataDir),
    await checkDatabase(options.dataDir, options.databaseUrl),
    await checkStorage(options.storage, { directWrites: options.directWrites }),
  ];
  for (const line of lines) out(`${line.part}: ${line.ok ? 'ok' : 'FAILED'}: ${line.text}\n`);
  const failed = lines.filter((l) => !l.ok).map((l) => l.part);
  if (failed.length > 0)
    throw new CliError('INTERNAL_ERROR', `the check failed: ${failed.join(', ')} (see above)`);
  out('the server can reach everything it needs\n');
}
