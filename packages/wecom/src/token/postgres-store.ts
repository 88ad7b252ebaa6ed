/**
 * A TokenStore in PostgreSQL, so every process that shares an app's secret shares one token: N processes on an
 * expired token make one gettoken, and none invalidates another's fresh token (the standing complaint about
 * other SDKs, issue 2). Its own table, created if missing.
 *
 * The lease is a transaction-scoped advisory lock per credential key. While a lease is held, the store's own
 * reads and writes from inside `fn` run on the lease's connection (found through AsyncLocalStorage), so a lease
 * never needs a second pooled connection and the write becomes visible exactly when the lock is released.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { credentialKeyString } from './memory-store.ts';
import type { CredentialKey, StoredCredential, TokenStore } from './store.ts';

export interface PostgresTokenStoreOptions {
  /** A pool to use; the store does not end it. */
  pool?: pg.Pool;
  /** Or a connection string: the store opens (and `close()` ends) a small pool of its own. */
  connectionString?: string;
  /** Give up waiting for another process's lease after this long. Default 30 000 ms. */
  leaseTimeoutMs?: number;
}

/** Raised when a lease could not be taken in time (another process held it for longer than `leaseTimeoutMs`). */
export class LeaseTimeoutError extends Error {
  constructor(key: CredentialKey, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for the ${key.kind} lease of ${key.corpId}/${key.agentId} (another process holds it)`);
    this.name = 'LeaseTimeoutError';
  }
}

const TABLE = 'wecom_credentials';

/** Values are cached credentials only (≤512 bytes, §2); times are epoch milliseconds so comparisons are exact. */
const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    corp_id    text        NOT NULL,
    agent_id   integer     NOT NULL,
    kind       text        NOT NULL,
    value      text        NOT NULL,
    expires_at bigint      NOT NULL,
    fetched_at bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (corp_id, agent_id, kind)
  )`;

const SELECT = `SELECT value, expires_at, fetched_at FROM ${TABLE} WHERE corp_id = $1 AND agent_id = $2 AND kind = $3`;

/** Upsert that keeps a row fetched later: a stale writer never overwrites a newer token. */
const UPSERT = `
  INSERT INTO ${TABLE} AS c (corp_id, agent_id, kind, value, expires_at, fetched_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (corp_id, agent_id, kind) DO UPDATE
    SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, fetched_at = EXCLUDED.fetched_at, updated_at = now()
    WHERE c.fetched_at <= EXCLUDED.fetched_at`;

/** Compare-and-delete: only the token that failed. */
const DELETE_IF = `DELETE FROM ${TABLE} WHERE corp_id = $1 AND agent_id = $2 AND kind = $3 AND value = $4`;

type Queryable = Pick<pg.Pool, 'query'>;

export class PostgresTokenStore implements TokenStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #leaseTimeoutMs: number;
  readonly #lease = new AsyncLocalStorage<pg.PoolClient>();
  #schema: Promise<void> | undefined;

  constructor(options: PostgresTokenStoreOptions) {
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else if (options.connectionString) {
      this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
      // An idle connection that dies (server restart, failover) is simply dropped; the next query reconnects.
      // Without a listener pg would turn it into an uncaught exception.
      this.#pool.on('error', () => undefined);
      this.#ownsPool = true;
    } else {
      throw new TypeError('PostgresTokenStore needs a pool or a connectionString (DATABASE_URL)');
    }
    this.#leaseTimeoutMs = options.leaseTimeoutMs ?? 30_000;
  }

  /** Creates the table if missing. Called on first use; safe when many processes start at once. */
  ensureSchema(): Promise<void> {
    this.#schema ??= this.#createSchema().catch((error: unknown) => {
      this.#schema = undefined;
      throw error;
    });
    return this.#schema;
  }

  async #createSchema(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide on the catalog; serialise it.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('${TABLE}:schema', 0))`);
      await client.query(CREATE_TABLE);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  #db(): Queryable {
    return this.#lease.getStore() ?? this.#pool;
  }

  async get(key: CredentialKey): Promise<StoredCredential | undefined> {
    await this.ensureSchema();
    const { rows } = await this.#db().query<{ value: string; expires_at: string; fetched_at: string }>(SELECT, [
      key.corpId,
      key.agentId,
      key.kind,
    ]);
    const row = rows[0];
    return row && { value: row.value, expiresAt: Number(row.expires_at), fetchedAt: Number(row.fetched_at) };
  }

  async set(key: CredentialKey, credential: StoredCredential): Promise<void> {
    await this.ensureSchema();
    await this.#db().query(UPSERT, [
      key.corpId,
      key.agentId,
      key.kind,
      credential.value,
      Math.round(credential.expiresAt),
      Math.round(credential.fetchedAt),
    ]);
  }

  async invalidate(key: CredentialKey, value: string): Promise<boolean> {
    await this.ensureSchema();
    const result = await this.#db().query(DELETE_IF, [key.corpId, key.agentId, key.kind, value]);
    return (result.rowCount ?? 0) > 0;
  }

  async withLease<T>(key: CredentialKey, fn: () => Promise<T>): Promise<T> {
    await this.ensureSchema();
    const client = await this.#pool.connect();
    let discard = false;
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.#leaseTimeoutMs}ms`]);
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${TABLE}:${credentialKeyString(key)}`]);
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') throw new LeaseTimeoutError(key, this.#leaseTimeoutMs);
        throw error;
      }
      const result = await this.#lease.run(client, fn);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        discard = true;
      });
      throw error;
    } finally {
      client.release(discard);
    }
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end();
  }
}
