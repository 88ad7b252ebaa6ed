/**
 * `npm run bench -w @pairview/server` (and the root `npm run bench`): notifications per second through the whole
 * delivery pipeline — outbox row + job → graphile-worker → the WeCom notifier (render, per-member quota in
 * PostgreSQL, delivery state) → the SDK → the emulator, which answers after 30 ms like a distant WeCom — as a
 * share of WeCom's 10,000 calls/min per-API quota (wecom-protocol.md §5), and the end-to-end latency from the
 * outbox insert to the emulator accepting the message (p50/p99).
 *
 * Scenarios: a burst (N rows written at once, so latency includes queueing) at the default worker concurrency
 * (DEFAULT_WORKER_CONCURRENCY, 8), at 4 and at 16, and a steady stream (rows written one by one below capacity,
 * so latency is the pipeline's own).
 * Members: 1,000, so no member's 30/min quota is the limit. The emulator runs as a process of its own (the
 * `wecom-emulator` CLI), as WeCom would, so its work does not count as the pipeline's. Needs PostgreSQL
 * (TEST_DATABASE_URL, DATABASE_URL, or 127.0.0.1:5432); each scenario runs in a fresh database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresTokenStore, WeComClient } from '@pairview/wecom';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/pool.ts';
import { enqueueNotification } from '../src/notifications/outbox.ts';
import { DEFAULT_WORKER_CONCURRENCY, startWorker } from '../src/notifications/worker.ts';
import { createLinks } from '../src/wecom/deps.ts';
import { createWeComNotifier } from '../src/wecom/outbound/index.ts';
import { createMigratedDatabase } from '../test/database.ts';

const MEMBERS = 1_000;
const EMULATOR_LATENCY_MS = 30;
/** WeCom's per-corp, per-API quota (§5): 10,000 calls a minute. */
const API_QUOTA_PER_MINUTE = 10_000;

export interface Scenario {
  name: string;
  messages: number;
  concurrency: number;
  /** Rows written one by one at this rate; undefined = all at once. */
  perSecond?: number;
}

export interface DeliveryBenchRow {
  scenario: string;
  messages: number;
  concurrency: number;
  'notifications/s': number;
  'share of 10,000/min': string;
  'p50 ms': number;
  'p99 ms': number;
}

/** The emulator CLI's defaults (packages/wecom-emulator README, "The demo company"). */
const DEMO_APP = { corpId: 'wwpairviewdemo0001', agentId: 1000002, secret: 'pairview-demo-app-secret-0000000000000000001' };

interface EmulatorProcess {
  url: string;
  control(path: string, body?: unknown): Promise<unknown>;
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
      return response.json();
    },
    async close() {
      child.kill();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      await rm(dir, { recursive: true, force: true });
    },
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

async function runScenario(scenario: Scenario): Promise<DeliveryBenchRow> {
  const database = await createMigratedDatabase('pv_bench');
  const workerDb = openDatabase(database.url, { max: scenario.concurrency + 6 });
  const userids = Array.from({ length: MEMBERS }, (_, i) => `bench${String(i).padStart(4, '0')}`);
  const emu = await startEmulatorProcess(userids);
  const client = new WeComClient({ ...DEMO_APP, baseUrl: emu.url, store: new PostgresTokenStore({ pool: workerDb.pool }) });
  try {
    const people = await database.db
      .insertInto('people')
      .values(userids.map((userid) => ({ wecom_userid: userid, name: userid })))
      .returning('id')
      .execute();
    const config = loadConfig({ PAIRVIEW_PUBLIC_URL: 'http://pairview.bench', LOG_LEVEL: 'silent' });
    const notifier = createWeComNotifier({
      client,
      config,
      db: workerDb.db,
      pool: workerDb.pool,
      clock: systemClock,
      log: { info() {}, warn() {} },
      links: createLinks(config.publicUrl),
    });
    await client.tokens.refreshIfDue(); // the one gettoken is not part of the measurement
    await emu.control('latency', { ms: EMULATOR_LATENCY_MS });
    const runner = await startWorker({ pool: workerDb.pool, db: workerDb.db, clock: systemClock, timeZone: config.timeZone, notifier, concurrency: scenario.concurrency });

    const started = performance.now();
    const recipient = (i: number) => people[i % people.length]!.id;
    if (scenario.perSecond === undefined) {
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < scenario.messages; i++) await enqueueNotification(tx, { kind: 'bot_reply', command: 'help', recipients: [recipient(i)] });
      });
    } else {
      const gapMs = 1000 / scenario.perSecond;
      for (let i = 0; i < scenario.messages; i++) {
        const due = started + i * gapMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await database.db.transaction().execute((tx) => enqueueNotification(tx, { kind: 'bot_reply', command: 'help', recipients: [recipient(i)] }));
      }
    }
    for (;;) {
      const { n } = await database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '<>', 'sent').executeTakeFirstOrThrow();
      if (Number(n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const elapsedMs = performance.now() - started;
    await runner.stop();

    // End to end: the outbox row's insert to the emulator accepting the message (its link carries the outbox id).
    const createdAt = new Map((await database.db.selectFrom('outbox').select(['id', 'created_at']).execute()).map((r) => [r.id, r.created_at.getTime()]));
    const latencies: number[] = [];
    const inbox = (await emu.control('messages')) as { status: string; sentAt: number; content: unknown }[];
    for (const item of inbox) {
      if (item.status !== 'delivered') continue;
      const id = /m%3D([0-9a-f-]{36})/.exec(JSON.stringify(item.content))?.[1];
      const created = id ? createdAt.get(id) : undefined;
      if (created !== undefined) latencies.push(item.sentAt - created);
    }
    if (latencies.length !== scenario.messages) throw new Error(`${latencies.length} of ${scenario.messages} messages reached the emulator`);
    latencies.sort((a, b) => a - b);
    const perSecond = scenario.messages / (elapsedMs / 1000);
    return {
      scenario: scenario.name,
      messages: scenario.messages,
      concurrency: scenario.concurrency,
      'notifications/s': Math.round(perSecond),
      'share of 10,000/min': `${((perSecond * 60 * 100) / API_QUOTA_PER_MINUTE).toFixed(0)}%`,
      'p50 ms': Math.round(percentile(latencies, 50)),
      'p99 ms': Math.round(percentile(latencies, 99)),
    };
  } finally {
    await client.close();
    await emu.close();
    await workerDb.close();
    await database.drop();
  }
}

export const DEFAULT_SCENARIOS: readonly Scenario[] = [
  { name: 'burst, default worker', messages: 600, concurrency: DEFAULT_WORKER_CONCURRENCY },
  { name: 'burst, 4 jobs at once', messages: 600, concurrency: 4 },
  { name: 'burst, 16 jobs at once', messages: 1_200, concurrency: 16 },
  { name: 'steady 40/s', messages: 400, concurrency: DEFAULT_WORKER_CONCURRENCY, perSecond: 40 },
];

export async function benchDelivery(options: { print?: boolean; scenarios?: readonly Scenario[] } = {}): Promise<DeliveryBenchRow[]> {
  const scenarios = options.scenarios ?? DEFAULT_SCENARIOS;
  const rows: DeliveryBenchRow[] = [];
  for (const scenario of scenarios) rows.push(await runScenario(scenario));
  if (options.print ?? true) {
    console.log(`Notifications through outbox → graphile-worker → WeCom notifier → emulator (${EMULATOR_LATENCY_MS} ms per API call), one process`);
    console.table(rows);
    // Each notification takes 12 round trips: 2 reads and 6 write transactions (job fetch and completion, the
    // outbox row twice, the quota reservation with the message, the result — the last without waiting for the
    // disk). The round trips and the disk's flush time bound the rate on small machines.
    console.log(`PostgreSQL write commit (fsync) on this machine: ${(await commitLatencyMs()).toFixed(1)} ms`);
  }
  return rows;
}

if (import.meta.main) {
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  await benchDelivery();
}
