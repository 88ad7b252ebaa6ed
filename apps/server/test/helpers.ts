/**
 * Test helpers for apps/server: a migrated database per file, the app built on it (never listening; use
 * `inject`), the real worker, people with roles, and sessions created directly in the database (no WeCom round
 * trip). A test file that leaves a database pool or a worker from these helpers open fails (test/leaks.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Runner } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll } from 'vitest';
import { buildApp, type AppDeps } from '../src/app.ts';
import { SESSION_COOKIE, createSession } from '../src/auth/sessions.ts';
import { hashToken } from '../src/auth/tokens.ts';
import type { Clock } from '../src/clock.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { Db } from '../src/db/pool.ts';
import type { StoredRole } from '../src/db/schema.ts';
import { startWorker, type WorkerDeps } from '../src/notifications/worker.ts';
import { createMigratedDatabase, type MigratedTestDatabase } from './database.ts';
import { describeOpen, openResources, trackOpen } from './leaks.ts';

export { createMigratedDatabase, type MigratedTestDatabase };

// Registered while the test file is collected (it imports this module), in the file's outermost suite: it runs
// after the file's own afterAll hooks (vitest runs afterAll hooks in reverse order), when all should be closed.
afterAll(async () => {
  const left = openResources();
  if (left.length === 0) return;
  // Closed here so the next files do not pay for them; the file fails all the same.
  for (const resource of left.reverse()) await resource.close().catch(() => {});
  throw new Error(`this test file left open: ${describeOpen(left)}. Close them in afterAll: await worker.stop(), then await database.drop()`);
});

/**
 * The real graphile-worker with Pairview's tasks (notifications/worker.ts) on the test database; stop it with
 * `await worker.stop()` before dropping the database.
 */
export async function startTestWorker(
  database: { db: Db; pool: WorkerDeps['pool'] },
  options: Partial<Omit<WorkerDeps, 'db' | 'pool'>> & { clock: Clock },
): Promise<Runner> {
  const runner = await startWorker({ timeZone: 'Asia/Shanghai', notifier: undefined, concurrency: 1, ...options, ...database });
  const untrack = trackOpen({ kind: 'worker', name: 'startTestWorker', pool: database.pool, close: () => runner.stop() });
  void runner.promise.then(untrack, untrack);
  return runner;
}

export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2030-01-07T02:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PAIRVIEW_ADMINS: 'admin', SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'silent', ...env });
}

export async function buildTestApp(
  database: { db: Db; pool: AppDeps['pool'] },
  options: { clock?: Clock; config?: Config } & Partial<AppDeps> = {},
): Promise<FastifyInstance> {
  return buildApp({ config: options.config ?? testConfig(), ...database, ...options });
}

let seq = 0;

/** A directory member; `wecomUserId` defaults to a unique one. */
export async function createPerson(
  db: Db,
  options: { wecomUserId?: string; name?: string; roles?: StoredRole[]; active?: boolean } = {},
) {
  seq++;
  return db
    .insertInto('people')
    .values({
      wecom_userid: options.wecomUserId ?? `user${seq}_${Math.random().toString(36).slice(2, 8)}`,
      name: options.name ?? `Person ${seq}`,
      roles: options.roles ?? [],
      active: options.active ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A session for `personId`, straight in the database; returns the Cookie header the app accepts. */
export async function sessionCookie(app: FastifyInstance, db: Db, personId: string, clock?: Clock): Promise<string> {
  // A long session: tests move their clock by days, so it is also "seen" far ahead (not idle: auth/sessions.ts).
  const session = await createSession(db, personId, { clock: clock ?? { now: () => new Date() }, ttlHours: 24 * 365 });
  await db.updateTable('sessions').set({ last_seen_at: new Date(session.expiresAt) }).where('id_hash', '=', hashToken(session.sessionId)).execute();
  return `${SESSION_COOKIE}=${encodeURIComponent(app.signCookie(session.sessionId))}`;
}

/** Jobs waiting in graphile-worker's queue, by task. */
export async function queuedJobs(db: Db, task?: string) {
  const result = await sql<{ task_identifier: string; key: string | null; run_at: Date; payload: Record<string, unknown>; attempts: number }>`
    select t.identifier as task_identifier, j.key, j.run_at, j.payload, j.attempts
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where ${task ?? null}::text is null or t.identifier = ${task ?? null}
    order by j.run_at, j.id`.execute(db);
  return result.rows;
}
