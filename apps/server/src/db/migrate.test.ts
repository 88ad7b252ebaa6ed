import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';
import { migrate, readMigrations } from './migrate.ts';
import { openDatabase, type DatabaseHandle } from './pool.ts';

describe('migrate', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('pv_migrate');
    handle = openDatabase(database.url, { max: 4 });
  });
  afterAll(async () => {
    await handle.close();
    await database.drop();
  });

  it('applies every migration on an empty database, then finds nothing to do', async () => {
    const all = (await readMigrations()).map((m) => m.name);
    expect(all[0]).toBe('0001_initial.sql');

    const first = await migrate(handle.pool);
    expect(first.applied).toEqual(all);

    const second = await migrate(handle.pool);
    expect(second.applied).toEqual([]);

    const { rows } = await handle.pool.query<{ name: string }>('select name from schema_migrations order by version');
    expect(rows.map((r) => r.name)).toEqual(all);
    // graphile-worker's schema is installed too: the outbox enqueues through its add_job().
    const worker = await handle.pool.query(`select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'graphile_worker' and p.proname = 'add_job'`);
    expect(worker.rowCount).toBeGreaterThan(0);
  });

  it('lets two processes start at once: each migration is applied exactly once', async () => {
    const db = await createTestDatabase('pv_migrate_race');
    const a = openDatabase(db.url, { max: 2 });
    const b = openDatabase(db.url, { max: 2 });
    try {
      const [ra, rb] = await Promise.all([migrate(a.pool), migrate(b.pool)]);
      const all = (await readMigrations()).map((m) => m.name);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(all);
      const { rows } = await a.pool.query<{ n: string }>('select count(*) as n from schema_migrations');
      expect(Number(rows[0]!.n)).toBe(all.length);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  describe('with a migrations folder of its own', () => {
    let dir: string;
    let db: TestDatabase;
    let h: DatabaseHandle;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pv-migrations-'));
      db = await createTestDatabase('pv_migrate_dir');
      h = openDatabase(db.url, { max: 2 });
    });
    afterAll(async () => {
      await h.close();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('rolls back a failing migration whole and reports its file name', async () => {
      await writeFile(join(dir, '0001_ok.sql'), 'create table a (id int);');
      await writeFile(join(dir, '0002_broken.sql'), 'create table b (id int); select no_such_function();');
      await expect(migrate(h.pool, { directory: dir })).rejects.toThrow(/0002_broken\.sql failed/);
      const tables = await h.pool.query(`select table_name from information_schema.tables where table_name in ('a', 'b') order by 1`);
      expect(tables.rows).toEqual([{ table_name: 'a' }]);
      const { rows } = await h.pool.query('select name from schema_migrations');
      expect(rows).toEqual([{ name: '0001_ok.sql' }]);
    });

    it('refuses to run when an applied migration was edited', async () => {
      await writeFile(join(dir, '0001_ok.sql'), 'create table a (id bigint);');
      await rm(join(dir, '0002_broken.sql'));
      await expect(migrate(h.pool, { directory: dir })).rejects.toThrow(/0001_ok\.sql changed after it was applied/);
    });

    it('refuses a file whose name is not NNNN_name.sql', async () => {
      await writeFile(join(dir, 'extra.sql'), 'select 1;');
      await expect(readMigrations(dir)).rejects.toThrow(/extra\.sql .* is not a migration/);
    });
  });
});
