/**
 * Applies apps/server/migrations/NNNN_name.sql in order, each in its own transaction, and records them in
 * `schema_migrations` with a checksum. A session advisory lock makes two processes starting at once take turns:
 * the second finds everything applied. graphile-worker's own schema is installed afterwards by its migrator.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';

export const migrationsDirectory = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Arbitrary but fixed: the advisory lock key every Pairview process uses while migrating. */
const MIGRATION_LOCK_KEY = 0x5041_4952; // "PAIR"

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(directory = migrationsDirectory): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((f) => !f.startsWith('.')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new MigrationError(`${file} in ${directory} is not a migration: name files NNNN_what_it_does.sql (four digits, lower case)`);
    }
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(`two migrations in ${directory} have number ${match[1]}: renumber one of them`);
    }
    const sql = await readFile(`${directory}/${file}`, 'utf8');
    migrations.push({ version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrateResult {
  /** File names applied by this call (empty when the database was up to date). */
  applied: string[];
}

/** Brings the database up to date: Pairview's migrations, then graphile-worker's schema. */
export async function migrate(pool: pg.Pool, options: { directory?: string } = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(options.directory);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'select version, name, checksum from schema_migrations order by version',
      );
      const done = new Map(rows.map((r) => [r.version, r]));
      for (const migration of migrations) {
        const previous = done.get(migration.version);
        if (previous) {
          if (previous.checksum !== migration.checksum) {
            throw new MigrationError(
              `${migration.name} changed after it was applied (as ${previous.name}): never edit an applied migration, add a new one`,
            );
          }
          continue;
        }
        await client.query('begin');
        try {
          await client.query(migration.sql);
          await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw new MigrationError(`${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        applied.push(migration.name);
      }
      // graphile-worker's migrator serialises itself, and is a no-op when its schema is current.
      await runWorkerMigrations({ pgPool: pool, logger: silentWorkerLogger });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return { applied };
}

/** graphile-worker logs each of its migrations at info level; Pairview reports its own summary instead. */
const silentWorkerLogger = new Logger(() => () => {});
