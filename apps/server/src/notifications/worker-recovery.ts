/**
 * Frees the jobs of a worker process that died without saying goodbye (kill -9, out of memory, a lost machine).
 * graphile-worker leaves such jobs locked and only frees locks older than 4 hours, so a reminder due in 15
 * minutes would be hours late. Pairview knows sooner:
 *
 * - Liveness: every worker process holds, on a PostgreSQL connection of its own, a session advisory lock per
 *   graphile-worker worker id it runs. PostgreSQL releases them the moment that connection closes — when the
 *   process dies, however it dies.
 * - Recovery: every process looks, now and then, at the worker ids that hold job locks for longer than a grace
 *   period. If it can take a worker's lock, nobody holds it: that worker is dead, and
 *   `graphile_worker.force_unlock_workers` hands its jobs back to the queue.
 *
 * A freed job runs again; the tasks are written for that (graphile-worker runs jobs at least once): the delivery
 * task takes back a row left `sending` and the WeCom notifier resends the stored body under duplicate check.
 * The grace period covers the moment between a worker's creation and its lock being taken.
 */
import { EventEmitter } from 'node:events';
import type { WorkerEvents } from 'graphile-worker';
import pg from 'pg';

export interface WorkerRecoveryOptions {
  pool: pg.Pool;
  /** Locks younger than this are never questioned. Default 10 s. */
  graceMs?: number;
  /** How often to look for dead workers. Default 10 s. */
  intervalMs?: number;
  log?: { warn(o: object, m: string): void } | undefined;
}

export interface WorkerRecovery {
  /** Pass to graphile-worker's `run({ events })`: worker creation takes the liveness lock. */
  events: WorkerEvents;
  /** Looks for dead workers once; returns the worker ids whose jobs were freed. */
  recover(): Promise<string[]>;
  /** Stops looking and closes the liveness connection (which releases this process's locks). */
  stop(): Promise<void>;
}

const lockKey = (workerId: string) => `pairview:graphile-worker:${workerId}`;

export function startWorkerRecovery(options: WorkerRecoveryOptions): WorkerRecovery {
  const { pool, log } = options;
  const graceMs = options.graceMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 10_000;
  const events = new EventEmitter() as WorkerEvents;
  const held = new Set<string>();
  let stopped = false;

  // The liveness connection: outside the pool, so it lives exactly as long as this process wants it to.
  let liveness: pg.Client | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const onLiveness = (work: (client: pg.Client) => Promise<unknown>) => {
    chain = chain.then(async () => {
      if (stopped) return;
      if (!liveness) {
        const client = new pg.Client({ ...pool.options, application_name: 'pairview-worker-liveness' });
        client.on('error', () => {
          // The connection broke: our locks are gone. Reconnect and take them all again on the next use.
          if (liveness === client) liveness = undefined;
          if (!stopped) onLiveness(async () => {});
        });
        await client.connect();
        liveness = client;
        for (const id of held) await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [lockKey(id)]);
      }
      await work(liveness);
    }).catch((error: unknown) => log?.warn({ error }, 'worker liveness lock failed'));
  };

  const hold = (id: string) => {
    held.add(id);
    onLiveness((client) => client.query('select pg_advisory_lock(hashtextextended($1, 0))', [lockKey(id)]));
  };
  const letGo = (id: string) => {
    if (!held.delete(id)) return;
    onLiveness((client) => client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(id)]));
  };
  // graphile-worker 0.18 locks jobs in the name of the worker POOL (locked_by = the pool's id, for its local queue
  // and for each of its workers), so the pool's id is the one to hold; each worker's own id is held as well, for
  // versions that lock by worker.
  events.on('pool:create', ({ workerPool }) => hold(workerPool.id));
  events.on('pool:release', ({ workerPool }) => letGo(workerPool.id));
  events.on('worker:create', ({ worker }) => hold(worker.workerId));
  events.on('worker:stop', ({ worker }) => letGo(worker.workerId));

  async function recover(): Promise<string[]> {
    const { rows } = await pool.query<{ locked_by: string }>(
      `select locked_by from graphile_worker._private_jobs where locked_by is not null and locked_at < now() - make_interval(secs => $1)
       union
       select locked_by from graphile_worker._private_job_queues where locked_by is not null and locked_at < now() - make_interval(secs => $1)`,
      [graceMs / 1000],
    );
    const freed: string[] = [];
    for (const { locked_by: workerId } of rows) {
      if (held.has(workerId)) continue;
      const client = await pool.connect();
      try {
        const { rows: probe } = await client.query<{ free: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as free', [lockKey(workerId)]);
        if (!probe[0]!.free) continue; // its process is alive
        try {
          await client.query('select graphile_worker.force_unlock_workers($1::text[])', [[workerId]]);
        } finally {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(workerId)]);
        }
        freed.push(workerId);
        log?.warn({ workerId }, 'freed the jobs of a worker that is gone (its process ended without releasing them)');
      } finally {
        client.release();
      }
    }
    return freed;
  }

  const timer = setInterval(() => {
    recover().catch((error: unknown) => log?.warn({ error }, 'looking for dead workers failed'));
  }, intervalMs);
  timer.unref();

  return {
    events,
    recover,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
      await liveness?.end().catch(() => {});
      liveness = undefined;
    },
  };
}
