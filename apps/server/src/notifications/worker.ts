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
  concurrency?: number;
  /** pino-style logger (fastify's app.log). */
  log?: { error(o: object, m: string): void; warn(o: object, m: string): void; info(o: object, m: string): void; debug(o: object, m: string): void };
}

export async function startWorker(deps: WorkerDeps): Promise<Runner> {
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
    taskList: { ...deps.extraTasks, ...notificationTasks(deps), ...housekeepingTasks(deps) },
    concurrency: deps.concurrency ?? 4,
    noHandleSignals: true, // main.ts owns shutdown
    // Jobs tied to an interview or to the company's time zone (the digest re-plans itself) Pairview plans itself;
    // only the hourly housekeeping runs on graphile-worker's cron.
    parsedCronItems: housekeepingCron,
    pollInterval: 2000,
    logger,
  }).catch(async (error: unknown) => {
    await recovery.stop();
    throw error;
  });
  void recovery.recover().catch(() => {});
  void runner.promise.finally(() => recovery.stop()).catch(() => {});
  return runner;
}
