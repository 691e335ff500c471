/**
 * Loads every migration module of the `migrations/` folder, in lexical order of
 * file name. The same code runs from the TypeScript sources (tsx loads the .ts
 * files) and from the build (tsc emits .js beside .d.ts and .map files, which
 * are skipped). A migration's name is its file name without extension, so a
 * database migrated from the sources is up to date for the build too.
 */
import { readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Migration, MigrationProvider } from 'kysely';

const MIGRATION_FILE = /^(?<name>[^.]+)\.(?:ts|js|mjs)$/;

export class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const names = (await readdir(this.folder)).filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts'));
    names.sort();
    const migrations: Record<string, Migration> = {};
    for (const file of names) {
      const name = MIGRATION_FILE.exec(file)?.groups?.name ?? file;
      if (migrations[name] !== undefined) {
        throw new Error(`two migration files are named ${name} in ${this.folder}`);
      }
      const mod = (await import(pathToFileURL(join(this.folder, file)).href)) as Partial<Migration>;
      if (typeof mod.up !== 'function') throw new Error(`migration ${file} exports no up() function`);
      migrations[name] = mod as Migration;
    }
    return migrations;
  }
}

/** The folder of the server's own migrations, wherever this module runs from. */
export function coreMigrationsFolder(): string {
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}
