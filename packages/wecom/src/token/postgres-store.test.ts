import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';
import { PostgresTokenStore } from './postgres-store.ts';
import { tokenStoreContract } from './store.contract.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('wecom_tokens');
});
afterAll(async () => {
  await db?.drop();
});

// Every open() is a separate pool: the closest thing to a separate process inside one test.
tokenStoreContract('PostgresTokenStore', { open: async () => new PostgresTokenStore({ connectionString: db.url }), shared: true });

describe('PostgresTokenStore', () => {
  it('creates its table once even when many instances start at the same moment', async () => {
    const stores = Array.from({ length: 6 }, () => new PostgresTokenStore({ connectionString: db.url }));
    try {
      await Promise.all(stores.map((s) => s.ensureSchema()));
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'wecom_credentials' ORDER BY ordinal_position`);
      await client.end();
      expect(rows.map((r) => r.column_name)).toEqual(['corp_id', 'agent_id', 'kind', 'value', 'expires_at', 'fetched_at', 'updated_at']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('works on a pool of one connection: reads and writes inside a lease use the lease connection', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const store = new PostgresTokenStore({ pool });
    const key = { corpId: 'wwpoolofone', agentId: 1, kind: 'access_token' as const };
    try {
      const value = await store.withLease(key, async () => {
        const again = await store.get(key);
        if (again) return again.value;
        await store.set(key, { value: 'in-lease', fetchedAt: 1, expiresAt: 2 });
        return (await store.get(key))?.value;
      });
      expect(value).toBe('in-lease');
      expect((await store.get(key))?.value).toBe('in-lease');
    } finally {
      await store.close(); // does not end a pool it was given
      await pool.end();
    }
  });

  it('a write made inside a lease that fails is rolled back', async () => {
    const store = new PostgresTokenStore({ connectionString: db.url });
    const key = { corpId: 'wwrollback', agentId: 1, kind: 'access_token' as const };
    try {
      await expect(
        store.withLease(key, async () => {
          await store.set(key, { value: 'half-done', fetchedAt: 1, expiresAt: 2 });
          throw new Error('failed after writing');
        }),
      ).rejects.toThrow('failed after writing');
      expect(await store.get(key)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('gives up on a lease held too long with an error that says so', async () => {
    const holder = new PostgresTokenStore({ connectionString: db.url });
    const waiter = new PostgresTokenStore({ connectionString: db.url, leaseTimeoutMs: 100 });
    const key = { corpId: 'wwleasetimeout', agentId: 1, kind: 'access_token' as const };
    let release!: () => void;
    let taken!: () => void;
    const isTaken = new Promise<void>((r) => (taken = r));
    const held = holder.withLease(key, () => {
      taken();
      return new Promise<void>((r) => (release = r));
    });
    try {
      await isTaken;
      await expect(waiter.withLease(key, async () => 'never')).rejects.toThrow(/timed out after 100 ms waiting for the access_token lease/);
    } finally {
      release();
      await held;
      await holder.close();
      await waiter.close();
    }
  });
});
