/**
 * A migrated database per test file, cloned from a template (graphile-worker's habit): the migrations run once
 * per change of migrations/, not once per file. The template's name carries a hash of the migration files and
 * graphile-worker's version, so a changed migration builds a new template; an advisory lock on the server lets
 * parallel test files wait for the one that builds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, readMigrations } from '../src/db/migrate.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/pool.ts';

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface MigratedTestDatabase extends DatabaseHandle {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function urlFor(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await readMigrations()) hash.update(m.name).update(m.checksum);
  // graphile-worker's package.json is not exported; it sits beside dist/ of the resolved entry point.
  const workerPackageFile = fileURLToPath(new URL('../package.json', import.meta.resolve('graphile-worker')));
  const workerPackage = JSON.parse(readFileSync(workerPackageFile, 'utf8')) as { version: string };
  hash.update(workerPackage.version);
  return `pairview_tpl_${hash.digest('hex').slice(0, 16)}`;
}

let template: Promise<string> | undefined;

/** Builds (once per server and migration set) the template database; returns its name. */
function ensureTemplate(): Promise<string> {
  template ??= (async () => {
    const name = await templateName();
    await withAdmin(async (admin) => {
      await admin.query('select pg_advisory_lock(hashtext($1))', ['pairview:test-template']);
      try {
        const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
        if (rowCount) return;
        const building = `${name}_building_${randomBytes(3).toString('hex')}`;
        await admin.query(`create database "${building}"`);
        const handle = openDatabase(urlFor(building), { max: 2 });
        try {
          await migrate(handle.pool);
        } finally {
          await handle.close();
        }
        // A closed client's backend can linger for a moment; renaming (and cloning) needs none connected.
        for (let i = 0; i < 50; i++) {
          const { rowCount: connected } = await admin.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [building],
          );
          if (!connected) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        // Renamed only when complete, so a crash mid-build never leaves a half-migrated template behind.
        await admin.query(`alter database "${building}" rename to "${name}"`);
        // Older templates (earlier migration sets) are garbage now.
        const { rows } = await admin.query<{ datname: string }>(
          `select datname from pg_database where datname like 'pairview\\_tpl\\_%' and datname <> $1`,
          [name],
        );
        for (const row of rows) await admin.query(`drop database if exists "${row.datname}" with (force)`).catch(() => {});
      } finally {
        await admin.query('select pg_advisory_unlock(hashtext($1))', ['pairview:test-template']);
      }
    });
    return name;
  })();
  return template;
}

/** A fresh database with every migration applied, and an open pool on it. */
export async function createMigratedDatabase(prefix = 'pv'): Promise<MigratedTestDatabase> {
  const tpl = await ensureTemplate();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`create database "${name}" template "${tpl}"`));
  const url = urlFor(name);
  const handle = openDatabase(url, { max: 5 });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      await withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
