import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';

/** The Kysely instance every domain module takes: typed SQL over one pg pool. */
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  pool: pg.Pool;
  db: Db;
  /** Ends the pool; safe to call once. */
  close(): Promise<void>;
}

/**
 * One pool per process, shared by HTTP handlers (through Kysely) and graphile-worker (through `pgPool`), so the
 * process holds one bounded set of connections.
 */
export function openDatabase(connectionString: string, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'pairview' });
  // A client that loses its connection (database restart) emits 'error'; unhandled, that would crash the
  // process. The pool drops the broken client and the next query gets a fresh one. (graphile-worker checks for
  // both listeners on a pool it is handed.)
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    pool,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // ends the pool too
    },
  };
}

/** `select 1` with a timeout: what /healthz reports as the database status. */
export async function pingDatabase(pool: pg.Pool, timeoutMs = 2000): Promise<{ status: 'ok' } | { status: 'error'; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
