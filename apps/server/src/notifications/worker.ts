/**
 * Starts graphile-worker on the process's pool with Pairview's tasks. Several processes may run it: jobs are
 * taken with SKIP LOCKED, so each runs once at a time.
 */
import { Logger, run, type Runner, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import { housekeepingCron, housekeepingTasks } from '../auth/housekeeping.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { Notifier } from './notifier.ts';
import { roomTasks } from '../rooms/tasks.ts';
import { ensureDigestPlanned, notificationTasks } from './tasks.ts';
import { startWorkerRecovery } from './worker-recovery.ts';

export interface WorkerDeps {
  pool: pg.Pool;
  db: Db;
  clock: Clock;
  timeZone: string;
  notifier: Notifier | undefined;
  /** Tasks of the WeCom glue, run by the same worker. */
  extraTasks?: TaskList | undefined;
  /** Jobs run at once by this process; default PAIRVIEW_WORKER_CONCURRENCY, else DEFAULT_WORKER_CONCURRENCY. */
  concurrency?: number;
  /** pino-style logger (fastify's app.log). */
  log?: { error(o: object, m: string): void; warn(o: object, m: string): void; info(o: object, m: string): void; debug(o: object, m: string): void };
}

/**
 * A delivery job spends most of its time waiting: on WeCom's answer (tens of ms) and on PostgreSQL round trips,
 * which the jobs running at once share (batch.ts). 32 jobs at once let one process on a small machine keep up with
 * WeCom's 10,000/min per-API quota — the SDK's limiter, shared by every process through PostgreSQL, holds the pace
 * just under it — while jobs hold a pool connection only per statement. docs/benchmarks.md, "Pairview delivery
 * pipeline", has the numbers.
 */
export const DEFAULT_WORKER_CONCURRENCY = 32;

/** PAIRVIEW_WORKER_CONCURRENCY (1-100), or the default when unset or empty. */
export function workerConcurrency(env: Record<string, string | undefined> = process.env): number {
  const raw = env.PAIRVIEW_WORKER_CONCURRENCY?.trim();
  if (!raw) return DEFAULT_WORKER_CONCURRENCY;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new Error(`PAIRVIEW_WORKER_CONCURRENCY must be a whole number from 1 to 100 (jobs run at once per process), not "${raw}"`);
  }
  return value;
}

export async function startWorker(deps: WorkerDeps): Promise<Runner> {
  const concurrency = deps.concurrency ?? workerConcurrency();
  await ensureDigestPlanned(deps.db, deps.clock, deps.timeZone);
  const log = deps.log;
  const logger = new Logger((scope) => (level, message, meta) => {
    if (!log) return;
    const fields = { scope: { task: scope.taskIdentifier, jobId: scope.jobId }, ...meta };
    if (level === 'error') log.error(fields, message);
    else if (level === 'warning') log.warn(fields, message);
    else if (level === 'info') log.info(fields, message);
    else log.debug(fields, message);
  });
  // Jobs of a worker process that died (kill -9) are handed back within seconds, not graphile-worker's 4 hours.
  const recovery = startWorkerRecovery({ pool: deps.pool, log });
  const runner = await run({
    events: recovery.events,
    pgPool: deps.pool,
    taskList: { ...deps.extraTasks, ...notificationTasks(deps), ...housekeepingTasks(deps), ...roomTasks(deps) },
    concurrency,
    noHandleSignals: true, // main.ts owns shutdown
    // Jobs tied to an interview or to the company's time zone (the digest re-plans itself) Pairview plans itself;
    // only the hourly housekeeping runs on graphile-worker's cron.
    parsedCronItems: housekeepingCron,
    pollInterval: 2000,
    logger,
    preset: {
      worker: {
        // Jobs are fetched (and locked) a batch at a time instead of one query per job, and completions are
        // written together: under a burst the queue costs a fraction of a round trip per message. A job's
        // completion may reach the database up to 20 ms late; if the process dies meanwhile the job runs again,
        // which every task is written for (a delivered outbox row is left alone).
        localQueue: { size: Math.max(2, concurrency * 2) },
        completeJobBatchDelay: 20,
      },
    },
  }).catch(async (error: unknown) => {
    await recovery.stop();
    throw error;
  });
  void recovery.recover().catch(() => {});
  void runner.promise.finally(() => recovery.stop()).catch(() => {});
  return runner;
}
