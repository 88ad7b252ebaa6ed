/**
 * One Pairview worker process for bench/delivery.ts, as `npm start` runs it: its own pool (15 connections, as
 * main.ts), the WeCom client with the token and the quotas in PostgreSQL (src/wecom/client.ts), the WeCom notifier
 * and graphile-worker at PAIRVIEW_WORKER_CONCURRENCY (unset: the default). It counts the PostgreSQL round trips
 * of its pool (every query is one) and reports them when told to stop.
 *
 * Env: DATABASE_URL, BENCH_EMULATOR_URL; optional PAIRVIEW_WORKER_CONCURRENCY, BENCH_QUERY_BREAKDOWN=1 (print the
 * statements by kind to stderr when stopping). IPC: sends {ready}, then on
 * {stop} stops the worker and sends {queries}.
 */
import pg from 'pg';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/pool.ts';
import { startWorker, workerConcurrency } from '../src/notifications/worker.ts';
import { createWeComClient } from '../src/wecom/client.ts';
import { createLinks } from '../src/wecom/deps.ts';
import { createWeComNotifier } from '../src/wecom/outbound/index.ts';
import { DEMO_APP } from './demo-app.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`delivery-worker needs ${name}`);
  return value;
};

let queries = 0;
/** Statements by their first words (BENCH_QUERY_BREAKDOWN=1): which part of the pipeline costs what. */
const byStatement = new Map<string, number>();
const breakdown = process.env.BENCH_QUERY_BREAKDOWN === '1';
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  queries++;
  if (breakdown) {
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string } | undefined)?.text ?? '');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    byStatement.set(key, (byStatement.get(key) ?? 0) + 1);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const database = openDatabase(env('DATABASE_URL'), { max: 15 });
const config = loadConfig({ PAIRVIEW_PUBLIC_URL: 'http://pairview.bench', LOG_LEVEL: 'silent' });
const client = createWeComClient({ app: DEMO_APP, pool: database.pool, emulatorUrl: env('BENCH_EMULATOR_URL'), seatLimit: config.seatLimit.value });
const notifier = createWeComNotifier({
  client,
  config,
  db: database.db,
  pool: database.pool,
  clock: systemClock,
  log: { info() {}, warn() {} },
  links: createLinks(config.publicUrl),
});
const runner = await startWorker({ pool: database.pool, db: database.db, clock: systemClock, timeZone: config.timeZone, notifier, concurrency: workerConcurrency() });
// What the worker does at start (its first poll, the digest plan) is not the pipeline's cost per message.
queries = 0;
byStatement.clear();
process.send!({ ready: true });
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  await runner.stop();
  const used = queries;
  await client.close();
  await database.close();
  if (breakdown) console.error([...byStatement].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(7)}  ${k}`).join('\n'));
  process.send!({ queries: used }, () => process.exit(0));
});
