/**
 * Worker recovery against a real database: the jobs of a worker whose process holds its liveness lock stay
 * locked; those of a worker nobody holds (its process died) are handed back; young locks are left alone.
 * (The end-to-end case, a worker process killed with SIGKILL, is test/wecom-outbound/crash.test.ts.)
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../test/helpers.ts';
import { startWorkerRecovery, type WorkerRecovery } from './worker-recovery.ts';

let database: MigratedTestDatabase;
const recoveries: WorkerRecovery[] = [];

beforeEach(async () => {
  database = await createMigratedDatabase('pv_recovery');
});
afterEach(async () => {
  for (const r of recoveries.splice(0)) await r.stop();
  await database.drop();
});

async function lockedJob(key: string, workerId: string, lockedSecondsAgo: number) {
  await sql`select graphile_worker.add_job('noop', '{}'::json, job_key => ${key})`.execute(database.db);
  await sql`update graphile_worker._private_jobs set locked_by = ${workerId}, locked_at = now() - make_interval(secs => ${lockedSecondsAgo})
            where key = ${key}`.execute(database.db);
}

async function locks() {
  const { rows } = await sql<{ key: string; locked_by: string | null }>`select key, locked_by from graphile_worker._private_jobs order by key`.execute(database.db);
  return Object.fromEntries(rows.map((r) => [r.key, r.locked_by]));
}

it('frees the jobs of dead workers only', async () => {
  // "This process": a live worker, announced the way graphile-worker announces it.
  const alive = startWorkerRecovery({ pool: database.pool, intervalMs: 3_600_000 });
  recoveries.push(alive);
  (alive.events as unknown as EventEmitter).emit('worker:create', { worker: { workerId: 'worker-alive' } });

  await lockedJob('a', 'worker-alive', 60);
  await lockedJob('b', 'worker-dead', 60);
  await lockedJob('c', 'worker-just-started', 2);

  // "Another process" looks for dead workers. Give the liveness lock a moment to be taken.
  const other = startWorkerRecovery({ pool: database.pool, intervalMs: 3_600_000 });
  recoveries.push(other);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await other.recover()).toEqual(['worker-dead']);
  expect(await locks()).toEqual({ a: 'worker-alive', b: null, c: 'worker-just-started' });

  // The live worker's process ends: its lock goes with its connection, and its jobs come back.
  await alive.stop();
  expect(await other.recover()).toEqual(['worker-alive']);
  expect(await locks()).toEqual({ a: null, b: null, c: 'worker-just-started' });
});

it('a live graphile-worker pool keeps its long job: its locks are in the pool\'s name, and the pool\'s lock is held', async () => {
  const { run, Logger } = await import('graphile-worker');
  const live = startWorkerRecovery({ pool: database.pool, intervalMs: 3_600_000, graceMs: 100 });
  recoveries.push(live);
  let release!: () => void;
  const started = new Promise<void>((resolve) => {
    void sql`select graphile_worker.add_job('slow', '{}'::json, job_key => 'slow')`.execute(database.db);
    release = resolve;
  });
  let entered!: () => void;
  const running = new Promise<void>((resolve) => (entered = resolve));
  const runner = await run({
    pgPool: database.pool,
    events: live.events,
    taskList: {
      slow: async () => {
        entered();
        await started;
      },
    },
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new Logger(() => () => {}),
  });
  try {
    await running;
    const [job] = Object.values(await locks());
    expect(job).toMatch(/^pool-/); // graphile-worker 0.18 locks by pool
    await new Promise((resolve) => setTimeout(resolve, 400)); // older than the grace period
    const other = startWorkerRecovery({ pool: database.pool, intervalMs: 3_600_000, graceMs: 100 });
    recoveries.push(other);
    expect(await other.recover()).toEqual([]);
    expect(await live.recover()).toEqual([]);
    expect(Object.values(await locks())).toEqual([job]);
  } finally {
    release();
    await runner.stop();
  }
});
