/**
 * A migrated database per test file, cloned from a template (graphile-worker's habit): the migrations run once
 * per change of migrations/, not once per file. The template's name carries a hash of the migration files and
 * graphile-worker's version, so a changed migration builds a new template; an advisory lock on the server lets
 * parallel test files wait for the one that builds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, readMigrations } from '../src/db/migrate.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/pool.ts';
import { describeOpen, openResources, trackOpen } from './leaks.ts';

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface MigratedTestDatabase extends DatabaseHandle {
  url: string;
  name: string;
  /**
   * Closes the pool and drops the database. Refuses (after dropping anyway) when something still uses the pool:
   * a worker not stopped, or a client not released.
   */
  drop(): Promise<void>;
}

/** How long a client may take to come back to the pool after the test's last query (runOnce can return first). */
const RELEASE_GRACE_MS = 2000;

/**
 * Waits until every client of the pool is back; returns how many are still out after the grace period. Counts
 * steps instead of reading the clock, and sleeps with node:timers: a test may have faked Date or the global timers.
 */
async function clientsStillOut(pool: pg.Pool): Promise<number> {
  const out = () => pool.totalCount - pool.idleCount;
  for (let waited = 0; out() > 0 && waited < RELEASE_GRACE_MS; waited += 10) await sleep(10);
  return out();
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
/** A template's comment: when it was built. */
const TEMPLATE_MARK = 'pairview test template built ';
/** Another migration set's template is dropped only when it is older than this. */
const TEMPLATE_KEEP_MS = 6 * 3600_000;

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
        await admin.query(`comment on database "${name}" is '${TEMPLATE_MARK}${new Date().toISOString()}'`);
        // Templates of other migration sets are garbage once nobody can still be using them: another checkout
        // (a CI clone, a branch) may be running its tests on this server with its own set right now.
        const { rows } = await admin.query<{ datname: string; note: string | null }>(
          `select datname, shobj_description(oid, 'pg_database') as note from pg_database where datname like 'pairview\\_tpl\\_%' and datname <> $1`,
          [name],
        );
        for (const row of rows) {
          const built = row.note?.startsWith(TEMPLATE_MARK) ? Date.parse(row.note.slice(TEMPLATE_MARK.length)) : Number.NaN;
          if (Number.isNaN(built) || Date.now() - built < TEMPLATE_KEEP_MS) continue;
          await admin.query(`drop database if exists "${row.datname}" with (force)`).catch(() => {});
        }
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
  const forceDrop = () => withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`));
  let dropped = false;
  const untrack = trackOpen({ kind: 'database pool', name, pool: handle.pool, close: async () => database.drop() });
  const database: MigratedTestDatabase = {
    ...handle,
    url,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      untrack();
      // A worker still running on this pool would keep it (and the test) alive: stop it, then say so.
      const workers = openResources().filter((r) => r.kind === 'worker' && r.pool === handle.pool);
      for (const worker of workers) await worker.close().catch(() => {});
      const out = workers.length ? 0 : await clientsStillOut(handle.pool);
      if (out > 0) {
        // Dropping the database ends its connections, so the pool can close; a client never released would
        // otherwise keep `close()` waiting forever.
        await forceDrop();
        await Promise.race([handle.close(), sleep(1000)]);
      } else {
        await handle.close();
        await forceDrop();
      }
      if (workers.length) {
        throw new Error(`database ${name} was dropped while its worker(s) still ran: stop them first (await worker.stop()): ${describeOpen(workers)}`);
      }
      if (out > 0) {
        throw new Error(
          `database ${name} was dropped with ${out} connection(s) still in use after ${RELEASE_GRACE_MS} ms: a worker, a LISTEN or a client ` +
            'not released; stop and release everything that uses the pool before drop()',
        );
      }
    },
  };
  return database;
}
