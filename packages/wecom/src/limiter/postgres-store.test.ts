import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';
import { PostgresQuotaStore } from './postgres-store.ts';
import { quotaStoreContract } from './store.contract.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('wecom_quota');
});
afterAll(async () => {
  await db?.drop();
});

// Every open() is a separate pool: the closest thing to a separate process inside one test.
quotaStoreContract('PostgresQuotaStore', { open: async () => new PostgresQuotaStore({ connectionString: db.url }), shared: true });

describe('PostgresQuotaStore', () => {
  it('creates its table and functions once even when many instances start at the same moment', async () => {
    const stores = Array.from({ length: 6 }, () => new PostgresQuotaStore({ connectionString: db.url }));
    try {
      await Promise.all(stores.map((s) => s.ensureSchema()));
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'wecom_quota_windows_%' ORDER BY proname`);
      await client.end();
      expect(rows.map((r) => r.proname)).toEqual(['wecom_quota_windows_batch_v1', 'wecom_quota_windows_step_v1']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('answers a batch in one round trip', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const store = new PostgresQuotaStore({ pool });
    await store.ensureSchema();
    let queries = 0;
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof pool.query>) => {
      queries++;
      return query(...args);
    }) as typeof pool.query;
    const { resolveWindow } = await import('./windows.ts');
    const windows = [resolveWindow({ limit: 30, windowMs: 60_000 })];
    const results = await store.take(Array.from({ length: 20 }, (_, i) => ({ key: `one-trip-${i % 7}`, windows, min: 1, max: 3 })), Date.now());
    expect(results).toHaveLength(20);
    expect(queries).toBe(1);
    await pool.end();
  });
});
