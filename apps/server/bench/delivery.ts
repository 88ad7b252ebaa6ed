/**
 * `npm run bench -w @pairview/server` (and the root `npm run bench`): notifications per second through the whole
 * delivery pipeline — outbox row + job → graphile-worker → the WeCom notifier (render, delivery state) → the SDK
 * (quotas kept in PostgreSQL for every process) → the emulator, which answers after 30 ms like a distant WeCom and
 * enforces WeCom's limits (45009 and the block beyond 10,000 calls a minute) — as a share of WeCom's per-API quota
 * (wecom-protocol.md §5), the end-to-end latency from the outbox insert to the emulator accepting the message
 * (p50/p99), the 45009 answers the emulator gave, and per member and message the duplicates and the losses.
 *
 * The workers are Pairview processes of their own (bench/delivery-worker.ts: the production worker, its own pool
 * of 15, the client of src/wecom/client.ts), one or two per scenario; this process only writes the rows and watches.
 * The emulator is a process too (the `wecom-emulator` CLI). A burst's rows are written by enqueueNotifications (the
 * outbox rows and their jobs, as enqueueNotification writes them) in transactions of 500, as fast as PostgreSQL
 * takes them (far above the pipeline's pace: the queue builds at once); a steady stream's one by one.
 *
 * Scenarios: today's table — a burst (600 rows) at the default worker concurrency, at 4 and at 16 jobs (1,200), a
 * steady stream (40/s, below capacity: the pipeline's own latency) — and the quota's: a burst long enough to meet the
 * per-API quota (6,000 rows, a little over half a minute at the quota) at the default settings of one process, and
 * the same with two processes of 16 jobs each. Members: 1,000, so no member's 30/min quota is the limit. Each
 * scenario runs in a fresh database and a fresh emulator. Needs PostgreSQL (TEST_DATABASE_URL, DATABASE_URL, or
 * 127.0.0.1:5432).
 *
 * `--json` (or `npm run bench -w @pairview/server --json`, which npm hands over as npm_config_json) prints one JSON
 * object a line per scenario instead of the table: scenario, messages, perSecond, shareOfQuota (1.0 = the quota),
 * errcode45009, duplicates, lost, p50Ms, p99Ms, and processes, concurrency, roundTripsPerMessage.
 * `BENCH_SCENARIOS=quota` runs only the quota's scenarios, `today` only today's table.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresTokenStore, WeComClient } from '@pairview/wecom';
import { enqueueNotification, enqueueNotifications } from '../src/notifications/outbox.ts';
import { DEFAULT_WORKER_CONCURRENCY } from '../src/notifications/worker.ts';
import { createMigratedDatabase } from '../test/database.ts';
import { DEMO_APP } from './demo-app.ts';

const MEMBERS = 1_000;
const EMULATOR_LATENCY_MS = 30;
/** WeCom's per-corp, per-API quota (§5): 10,000 calls a minute. */
const API_QUOTA_PER_MINUTE = 10_000;
const ROWS_PER_TRANSACTION = 500;

export interface Scenario {
  name: string;
  messages: number;
  /** Jobs at once per process; undefined = the default (PAIRVIEW_WORKER_CONCURRENCY unset). */
  concurrency?: number;
  /** Worker processes. Default 1. */
  processes?: number;
  /** Rows written one by one at this rate; undefined = as fast as they go in. */
  perSecond?: number;
  group: 'today' | 'quota';
}

export interface DeliveryResult {
  scenario: string;
  messages: number;
  processes: number;
  concurrency: number;
  perSecond: number;
  /** Of WeCom's 10,000 calls a minute: 1.0 is the quota. */
  shareOfQuota: number;
  errcode45009: number;
  duplicates: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  roundTripsPerMessage: number;
}

interface EmulatorProcess {
  url: string;
  control<T = unknown>(path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** Starts `wecom-emulator --port 0` with a directory of `userids` and waits for its printed URL. */
async function startEmulatorProcess(userids: readonly string[]): Promise<EmulatorProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'pairview-bench-'));
  const directoryFile = join(dir, 'directory.json');
  await writeFile(
    directoryFile,
    JSON.stringify({ departments: [{ id: 1, name: 'Bench', parentid: 0, order: 0 }], users: userids.map((userid) => ({ userid, name: userid, department: [1], status: 1 })) }),
  );
  const bin = fileURLToPath(new URL('./bin/wecom-emulator.js', import.meta.resolve('@pairview/wecom-emulator/package.json')));
  // WeCom's limits as documented (10,000/min per API, …); the call log only needs its counters here.
  const child: ChildProcess = spawn(process.execPath, [bin, '--port', '0', '--directory', directoryFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /API base URL\s+(http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`wecom-emulator exited (${code}) before it started: ${out}`)));
  });
  return {
    url,
    async control(path, body) {
      const response = await fetch(`${url}/_emulator/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`emulator control ${path}: HTTP ${response.status} ${await response.text()}`);
      return response.json() as never;
    },
    async close() {
      child.kill();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface WorkerProcess {
  stop(): Promise<{ queries: number }>;
}

async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = fork(fileURLToPath(new URL('./delivery-worker.ts', import.meta.url)), { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`delivery-worker exited (${code}) before it was ready`)));
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        child.once('message', (message) => resolve(message as { queries: number }));
        child.once('exit', (code) => reject(new Error(`delivery-worker exited (${code}) while stopping`)));
        child.send({ stop: true });
      }),
  };
}

/** Mean time of a one-row insert that commits (the WAL flush), on a scratch database. */
async function commitLatencyMs(): Promise<number> {
  const database = await createMigratedDatabase('pv_bench');
  try {
    await database.pool.query('create table commit_probe (x int)');
    const started = performance.now();
    for (let i = 0; i < 200; i++) await database.pool.query('insert into commit_probe values (1)');
    return (performance.now() - started) / 200;
  } finally {
    await database.drop();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface InboxItem {
  userid: string;
  status: string;
  sentAt: number;
  content: unknown;
}

async function runScenario(scenario: Scenario): Promise<DeliveryResult> {
  const processes = scenario.processes ?? 1;
  const concurrency = scenario.concurrency ?? DEFAULT_WORKER_CONCURRENCY;
  const database = await createMigratedDatabase('pv_bench');
  const userids = Array.from({ length: MEMBERS }, (_, i) => `bench${String(i).padStart(4, '0')}`);
  const emu = await startEmulatorProcess(userids);
  const workers: WorkerProcess[] = [];
  try {
    const people = await database.db
      .insertInto('people')
      .values(userids.map((userid) => ({ wecom_userid: userid, name: userid })))
      .returning(['id', 'wecom_userid'])
      .execute();
    const useridOf = new Map(people.map((p) => [p.id, p.wecom_userid]));
    // The one gettoken is not part of the measurement: fetched here, shared with the workers through PostgreSQL.
    const warm = new WeComClient({ ...DEMO_APP, baseUrl: emu.url, store: new PostgresTokenStore({ pool: database.pool }) });
    await warm.tokens.refreshIfDue();
    await warm.close();
    await emu.control('latency', { ms: EMULATOR_LATENCY_MS });
    const env: Record<string, string> = { DATABASE_URL: database.url, BENCH_EMULATOR_URL: emu.url };
    if (scenario.concurrency !== undefined) env.PAIRVIEW_WORKER_CONCURRENCY = String(scenario.concurrency);
    else delete process.env.PAIRVIEW_WORKER_CONCURRENCY;
    workers.push(...(await Promise.all(Array.from({ length: processes }, () => startWorkerProcess(env)))));

    const started = performance.now();
    const recipient = (i: number) => people[i % people.length]!.id;
    const help = (i: number) => ({ kind: 'bot_reply' as const, command: 'help' as const, recipients: [recipient(i)] });
    if (scenario.perSecond === undefined) {
      for (let from = 0; from < scenario.messages; from += ROWS_PER_TRANSACTION) {
        const rows = Array.from({ length: Math.min(ROWS_PER_TRANSACTION, scenario.messages - from) }, (_, i) => ({ notification: help(from + i) }));
        await database.db.transaction().execute((tx) => enqueueNotifications(tx, rows));
      }
    } else {
      const gapMs = 1000 / scenario.perSecond;
      for (let i = 0; i < scenario.messages; i++) {
        const wait = started + i * gapMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await database.db.transaction().execute((tx) => enqueueNotification(tx, help(i)));
      }
    }
    // Watching costs the database too (it shares the machine): an indexed look every 50 ms.
    for (;;) {
      const waiting = await database.db.selectFrom('outbox').select('id').where('status', 'in', ['queued', 'sending']).limit(1).executeTakeFirst();
      if (!waiting) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const elapsedMs = performance.now() - started;
    const queries = (await Promise.all(workers.splice(0).map((w) => w.stop()))).reduce((sum, r) => sum + r.queries, 0);

    // Per member and message: the outbox id is in every message's link, the member is the inbox's.
    const outbox = await database.db.selectFrom('outbox').select(['id', 'created_at', 'recipient_ids']).execute();
    const delivered = new Map<string, number>();
    const latencies: number[] = [];
    const createdAt = new Map(outbox.map((r) => [r.id, r.created_at.getTime()]));
    for (const item of await emu.control<InboxItem[]>('messages')) {
      if (item.status !== 'delivered') continue;
      const id = /m%3D([0-9a-f-]{36})/.exec(JSON.stringify(item.content))?.[1];
      if (!id) continue;
      const key = `${id}/${item.userid}`;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      const created = createdAt.get(id);
      if (created !== undefined && delivered.get(key) === 1) latencies.push(item.sentAt - created);
    }
    let lost = 0;
    for (const row of outbox) for (const personId of row.recipient_ids) if (!delivered.has(`${row.id}/${useridOf.get(personId)}`)) lost++;
    const duplicates = [...delivered.values()].reduce((sum, n) => sum + n - 1, 0);
    const stats = await emu.control<{ errcodes: Record<string, number> }>('stats');
    latencies.sort((a, b) => a - b);
    const perSecond = scenario.messages / (elapsedMs / 1000);
    return {
      scenario: scenario.name,
      messages: scenario.messages,
      processes,
      concurrency,
      perSecond: Math.round(perSecond * 10) / 10,
      shareOfQuota: Math.round(((perSecond * 60) / API_QUOTA_PER_MINUTE) * 1000) / 1000,
      errcode45009: stats.errcodes['45009'] ?? 0,
      duplicates,
      lost,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      roundTripsPerMessage: Math.round((queries / scenario.messages) * 100) / 100,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await emu.close();
    await database.drop();
  }
}

export const DEFAULT_SCENARIOS: readonly Scenario[] = [
  { group: 'today', name: 'burst, default worker', messages: 600 },
  { group: 'today', name: 'burst, 4 jobs at once', messages: 600, concurrency: 4 },
  { group: 'today', name: 'burst, 16 jobs at once', messages: 1_200, concurrency: 16 },
  { group: 'today', name: 'steady 40/s', messages: 400, perSecond: 40 },
  { group: 'quota', name: 'burst at default settings, one process', messages: 6_000 },
  { group: 'quota', name: 'burst, two processes × 16 jobs', messages: 6_000, concurrency: 16, processes: 2 },
];

const tableRow = (r: DeliveryResult) => ({
  scenario: r.scenario,
  messages: r.messages,
  'processes × jobs': `${r.processes} × ${r.concurrency}`,
  'notifications/s': Math.round(r.perSecond),
  'share of 10,000/min': `${(r.shareOfQuota * 100).toFixed(1)}%`,
  '45009s': r.errcode45009,
  'dup / lost': `${r.duplicates} / ${r.lost}`,
  'p50 ms': r.p50Ms,
  'p99 ms': r.p99Ms,
  'PG round trips / msg': r.roundTripsPerMessage,
});

export async function benchDelivery(options: { json?: boolean; scenarios?: readonly Scenario[] } = {}): Promise<DeliveryResult[]> {
  const only = process.env.BENCH_SCENARIOS;
  const scenarios = (options.scenarios ?? DEFAULT_SCENARIOS).filter((s) => !only || s.group === only);
  const results: DeliveryResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario);
    results.push(result);
    if (options.json) console.log(JSON.stringify(result));
  }
  if (!options.json) {
    console.log(
      `Notifications through outbox → graphile-worker → WeCom notifier → SDK (quotas in PostgreSQL) → emulator (${EMULATOR_LATENCY_MS} ms per API call, WeCom's limits); ` +
        `default worker concurrency ${DEFAULT_WORKER_CONCURRENCY}`,
    );
    console.table(results.map(tableRow));
    // The pipeline's own cost per message: every statement a worker process sent (graphile-worker's job fetch
    // and completion, the outbox row, the delivery state, the quota store), divided by the messages.
    console.log(`PostgreSQL write commit (fsync) on this machine: ${(await commitLatencyMs()).toFixed(1)} ms`);
  }
  return results;
}

if (import.meta.main) {
  const json = process.argv.includes('--json') || process.env.npm_config_json === 'true';
  if (!json) console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  await benchDelivery({ json });
}
