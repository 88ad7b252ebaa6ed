/**
 * `npm run bench:callbacks -w @pairview/server` (part of `npm run bench -w @pairview/server`): requests per second
 * and latency of POST /wecom/callback end to end — verify the signature, decrypt, parse, dedupe and store the
 * callback with its handler job (callback-log.ts, batched by inbound/log-batch.ts), answer the empty 200 — under
 * autocannon.
 *
 * The server is Pairview's own app (buildApp with the real callback plugin, production logging at LOG_LEVEL=info,
 * the pool size main.ts uses) in a process of its own on 127.0.0.1, on a fresh migrated database of the real
 * PostgreSQL (TEST_DATABASE_URL, DATABASE_URL, or 127.0.0.1:5432). The graphile-worker does not run, so the numbers
 * are the route's alone; the jobs it enqueued are counted afterwards. Every request is a valid encrypted text
 * message with its own MsgId (signed like WeCom does, @pairview/wecom/testing), so each one does the full work:
 * none is a duplicate. Afterwards the bench checks that every 200 left exactly one logged callback and one job.
 *
 *   node apps/server/bench/callback-load.ts [--json] [--floor] [--requests N] [--profile DIR]
 *
 * Two loads (DEFAULT_SCENARIOS): the goal's load (2,400 requests a second asked of autocannon, which delivers a
 * little over 2,000) and the capacity (128 connections sending back to back). Each row also gives the callbacks per
 * statement, the statements' p50/p99, a one-row commit's p50/p99 just before (the disk and PostgreSQL as they are),
 * and the CPU per request of the server, its PostgreSQL backends and autocannon.
 *   --json        one JSON object a line per scenario
 *   --floor       first, the goal's load against a bare 200 route of the same server process: what autocannon and
 *                 the machine add by themselves
 *   --requests N  the first load scaled to N requests, the second alike
 *   --profile DIR the server process's CPU profile (node --cpu-prof)
 *   BENCH_LOG_MAX_IN_FLIGHT=n  that many callback-log statements in flight (default 2)
 * Bounded: only 127.0.0.1, a fixed number of requests per scenario, and at most MAX_SECONDS per scenario.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';

const MAX_SECONDS = 60;
const WARMUP_REQUESTS = 4_000;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A WeCom app of our own making: nothing here talks to WeCom (text messages are not handled in the request). */
function benchApp() {
  const random = (n: number) => Array.from(randomBytes(n), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
  return { corpId: 'wwcallbackbench01', agentId: '1000002', secret: random(43), token: random(32), encodingAESKey: random(43) };
}
type BenchApp = ReturnType<typeof benchApp>;

/** A load: closed-loop at full speed (`perSecond` undefined), or a fixed offered rate (autocannon's overallRate). */
export interface LoadScenario {
  name: string;
  requests: number;
  connections: number;
  perSecond?: number;
}

export const DEFAULT_SCENARIOS: readonly LoadScenario[] = [
  // The goal's load (issue 10: ≥ 2,000/s with p99 ≤ 20 ms). autocannon delivers less than the rate it is asked for
  // (2,200 asked gave 1,996–1,998 a second here, 2,500 gave 2,198), so 2,400 is asked. 24 connections: autocannon
  // paces every connection on the same tick, so each tick is a burst of one request per connection — against a
  // route that only answers 200, 64 connections at 2,200/s measured p99 7–16 ms, 8 or 16 connections 1–2 ms.
  { name: 'offered 2,400/s (24 connections)', requests: 36_000, connections: 24, perSecond: 2_400 },
  // What the route sustains: 128 connections sending back to back (latency is then mostly queueing).
  { name: 'capacity (128 connections, back to back)', requests: 40_000, connections: 128 },
];

export interface CallbackLoadResult {
  scenario: string;
  requests: number;
  connections: number;
  offeredPerSecond: number | null;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors, timeouts and answers other than 2xx. */
  errors: number;
  /** 200s that left no logged callback, and logged callbacks without a job. */
  lost: number;
  /** Jobs beyond one per logged callback (a callback is logged once: its dedupe key is unique). */
  duplicates: number;
  loadAverage: number;
  /** CPU per request of the server process, of its PostgreSQL backends, and of autocannon (this process). */
  cpuMicrosecondsPerRequest: { server: number; postgres: number; client: number };
  /** Callbacks per statement: the batching at this load (the server's CallbackLogBatch.stats). */
  callbacksPerBatch: number;
  /** A one-row commit on this PostgreSQL just before the scenario (commitLatencyMs). */
  commitP50Ms: number;
  commitP99Ms: number;
  /** Duration of the callback-log statements (insert, jobs, commit) during the scenario. */
  statementP50Ms: number | null;
  statementP99Ms: number | null;
  /** The server's event-loop delay during the scenario (perf_hooks.monitorEventLoopDelay). */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
}

// ---- the server process -------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const { buildApp } = await import('../src/app.ts');
  const { systemClock } = await import('../src/clock.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { openDatabase } = await import('../src/db/pool.ts');
  const { createWeComClient } = await import('../src/wecom/client.ts');
  const { createCallbackPlugin } = await import('../src/wecom/inbound/index.ts');

  const config = loadConfig(process.env);
  const database = openDatabase(config.databaseUrl!, { max: 15 }); // main.ts's pool
  const client = createWeComClient({ app: config.wecom!, pool: database.pool });
  const log = { info() {}, warn: (message: string) => console.error(`server: ${message}`) };
  const inFlight = process.env.BENCH_LOG_MAX_IN_FLIGHT; // to compare settings: BENCH_LOG_MAX_IN_FLIGHT=4 node bench/…
  // How long each callback-log statement took (insert + jobs + commit): the floor under a callback's latency.
  let statementMs: number[] = [];
  // And how long the server's event loop was held up (GC, synchronous work): the other thing a request waits for.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const plugin = createCallbackPlugin(
    { client, config, db: database.db, pool: database.pool, clock: systemClock, log },
    { logBatch: { ...(inFlight ? { maxInFlight: Number(inFlight) } : {}), onBatch: (_size, ms) => void statementMs.push(ms) } },
  );
  const app = await buildApp({ config, db: database.db, pool: database.pool, clock: systemClock, plugins: [plugin], logLevel: config.logLevel });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The harness's own floor, in this same process: a route that reads the body and answers an empty 200.
  const { default: Fastify } = await import('fastify');
  const bare = Fastify({ logger: false });
  bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  bare.all('/*', async (_request, reply) => reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(''));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const portOf = (server: { address(): unknown }) => (server.address() as { port: number }).port;
  process.send!({ port: portOf(app.server), floorPort: portOf(bare.server) });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      const sorted = statementMs.sort((a, b) => a - b);
      statementMs = [];
      const at = (p: number) => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.toFixed(1)) : null);
      const loop = { eventLoopP99Ms: Number((loopDelay.percentile(99) / 1e6).toFixed(1)), eventLoopMaxMs: Number((loopDelay.max / 1e6).toFixed(1)) };
      loopDelay.reset();
      process.send!({ cpuMicroseconds: user + system, batches: plugin.logStats?.() ?? null, statementP50Ms: at(0.5), statementP99Ms: at(0.99), ...loop });
      return;
    }
    await bare.close();
    await app.close();
    await plugin.idle();
    await client.close();
    await database.close();
    process.exit(0);
  });
}

interface ServerProcess {
  url: string;
  /** The bare 200 route of the same process (the harness floor). */
  floorUrl: string;
  /** CPU time the server process has used so far (user + system), and its callback log's batches so far. */
  usage(): Promise<{
    cpuMicroseconds: number;
    batches: { batches: number; callbacks: number } | null;
    statementP50Ms: number | null;
    statementP99Ms: number | null;
    eventLoopP99Ms: number;
    eventLoopMaxMs: number;
  }>;
  stop(): Promise<void>;
}

async function startServer(databaseUrl: string, app: BenchApp, profileDir: string | undefined): Promise<ServerProcess> {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    PAIRVIEW_ADMINS: 'admin',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PAIRVIEW_PUBLIC_URL: 'http://127.0.0.1:9',
    WECOM_CORP_ID: app.corpId,
    WECOM_AGENT_ID: app.agentId,
    WECOM_SECRET: app.secret,
    WECOM_CALLBACK_TOKEN: app.token,
    WECOM_ENCODING_AES_KEY: app.encodingAESKey,
    // Nothing may call out: should anything try, it reaches a closed port on this machine.
    WECOM_API_BASE: 'http://127.0.0.1:9',
  };
  const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // The server's request log goes where production's would (a file or pipe): here /dev/null, still written.
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port, floorPort } = await new Promise<{ port: number; floorPort: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number; floorPort: number }));
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it listened`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    floorUrl: `http://127.0.0.1:${floorPort}`,
    usage() {
      const answer = new Promise<Awaited<ReturnType<ServerProcess['usage']>>>((resolve) => child.once('message', (message) => resolve(message as Awaited<ReturnType<ServerProcess['usage']>>)));
      child.send('cpu');
      return answer;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

// ---- the load -----------------------------------------------------------------------------------------------

interface Prepared {
  path: string;
  body: string;
}

async function prepareCallbacks(app: BenchApp, count: number, firstMsgId: bigint): Promise<Prepared[]> {
  const { signCallback } = await import('@pairview/wecom/testing');
  const credentials = { token: app.token, encodingAESKey: app.encodingAESKey, corpId: app.corpId };
  const createTime = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const signed = signCallback({
      ...credentials,
      event: { type: 'text', toUserName: app.corpId, fromUserName: `member${i % 500}`, createTime, msgId: String(firstMsgId + BigInt(i)), content: 'today', agentId: Number(app.agentId) },
    });
    return { path: `/wecom/callback?${signed.search}`, body: signed.body };
  });
}

/** CPU time (user + system) of the PostgreSQL backends serving `databaseName`, from /proc (clock ticks of 10 ms). */
async function postgresCpuMicroseconds(pool: { query: (sql: string, values: unknown[]) => Promise<{ rows: { pid: number }[] }> }, databaseName: string): Promise<number> {
  const { rows } = await pool.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the backend ended, or PostgreSQL runs elsewhere: not counted
    }
  }
  return ticks * 10_000;
}

/**
 * The machine's commit latency right now (p50/p99 of 200 one-row inserts, each its own transaction): every batch
 * of callbacks waits for one commit, so a slow disk or a busy PostgreSQL shows in the callbacks' p99.
 */
async function commitLatencyMs(pool: { query: (sql: string) => Promise<unknown> }): Promise<{ p50: number; p99: number }> {
  await pool.query('create table if not exists bench_commit_probe (x int)');
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await pool.query('insert into bench_commit_probe values (1)');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: Number(times[99]!.toFixed(2)), p99: Number(times[197]!.toFixed(2)) };
}

function percentileOf(result: autocannon.Result, p: 50 | 99): number {
  const latency = result.latency as unknown as Record<string, number>;
  return latency[`p${p}`]!;
}

async function fire(url: string, callbacks: readonly Prepared[], scenario: Pick<LoadScenario, 'connections' | 'perSecond'>): Promise<autocannon.Result> {
  const { default: autocannon } = await import('autocannon'); // here, so the server process never loads it
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: scenario.connections,
        ...(scenario.perSecond !== undefined ? { overallRate: scenario.perSecond } : {}),
        amount: callbacks.length,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const callback = callbacks[next++ % callbacks.length]!;
              return { ...request, method: 'POST', path: callback.path, body: callback.body, headers: { 'content-type': 'text/xml' } };
            },
          },
        ],
      },
      (error, result) => {
        clearTimeout(stopAt);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
    // Bounded in time as well as in count: a server that stalls cannot keep the bench running.
    const stopAt = setTimeout(() => instance.stop(), MAX_SECONDS * 1000);
  });
}

interface Counts {
  /** Logged callbacks (one row per MsgId: the dedupe key is unique). */
  logged: number;
  /** Their handler jobs, and the callbacks those jobs name: more jobs than callbacks named is a duplicate job. */
  jobs: number;
  callbacksWithJobs: number;
}

async function countLogged(pool: { query: (sql: string) => Promise<{ rows: Counts[] }> }): Promise<Counts> {
  const { rows } = await pool.query(
    `select (select count(*)::int from inbound_callbacks where event_type = 'text') as logged,
            count(*)::int as jobs, count(distinct j.payload->>'callbackId')::int as "callbacksWithJobs"
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'handle_wecom_callback'`,
  );
  return rows[0]!;
}

/** The first scenario's load against the bare 200 route: what autocannon and this machine add by themselves. */
export interface FloorResult {
  scenario: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  loadAverage: number;
}

export async function benchCallbackLoad(
  options: { scenarios?: readonly LoadScenario[]; profileDir?: string; floor?: (result: FloorResult) => void } = {},
): Promise<CallbackLoadResult[]> {
  const scenarios = options.scenarios ?? DEFAULT_SCENARIOS;
  const { createMigratedDatabase } = await import('../test/database.ts');
  const database = await createMigratedDatabase('pv_bench');
  const app = benchApp();
  const results: CallbackLoadResult[] = [];
  try {
    const server = await startServer(database.url, app, options.profileDir);
    try {
      let msgId = 7_000_000_000_000_000_000n + BigInt(Date.now()) * 1000n;
      const callbacksFor = async (count: number) => {
        const prepared = await prepareCallbacks(app, count, msgId);
        msgId += BigInt(count);
        return prepared;
      };
      // JIT, pool connections and the first pages of the tables, before anything is measured.
      await fire(server.url, await callbacksFor(WARMUP_REQUESTS), { connections: 16 });

      if (options.floor && scenarios[0]) {
        const scenario = scenarios[0];
        const callbacks = await callbacksFor(scenario.requests);
        await fire(server.floorUrl, callbacks.slice(0, WARMUP_REQUESTS), { connections: 16 });
        const loadAverage = Number(loadavg()[0]!.toFixed(2));
        const result = await fire(server.floorUrl, callbacks, scenario);
        options.floor({
          scenario: `${scenario.name}, against a bare 200 (harness floor)`,
          perSecond: Math.round(result['2xx'] / result.duration),
          p50Ms: percentileOf(result, 50),
          p99Ms: percentileOf(result, 99),
          maxMs: result.latency.max,
          errors: result.errors + result.timeouts + result.non2xx,
          loadAverage,
        });
      }

      for (const scenario of scenarios) {
        const callbacks = await callbacksFor(scenario.requests);
        const before = { counts: await countLogged(database.pool), server: await server.usage(), postgres: await postgresCpuMicroseconds(database.pool, database.name), client: process.cpuUsage() };
        const loadAverage = Number(loadavg()[0]!.toFixed(2));
        const commit = await commitLatencyMs(database.pool);
        const result = await fire(server.url, callbacks, scenario);
        const client = process.cpuUsage(before.client);
        const after = { counts: await countLogged(database.pool), server: await server.usage(), postgres: await postgresCpuMicroseconds(database.pool, database.name) };
        const sent = result.requests.total;
        const perRequest = (microseconds: number) => Math.round(microseconds / Math.max(1, sent));
        const ok = result['2xx'];
        const logged = after.counts.logged - before.counts.logged;
        const jobs = after.counts.jobs - before.counts.jobs;
        const withJobs = after.counts.callbacksWithJobs - before.counts.callbacksWithJobs;
        const batches = after.server.batches && before.server.batches ? after.server.batches.batches - before.server.batches.batches : 0;
        const batched = after.server.batches && before.server.batches ? after.server.batches.callbacks - before.server.batches.callbacks : 0;
        results.push({
          scenario: scenario.name,
          requests: sent,
          connections: scenario.connections,
          offeredPerSecond: scenario.perSecond ?? null,
          perSecond: Math.round(ok / result.duration),
          p50Ms: percentileOf(result, 50),
          p99Ms: percentileOf(result, 99),
          maxMs: result.latency.max,
          errors: result.errors + result.timeouts + result.non2xx,
          // A 200 whose callback is not logged, or a logged callback without its job, is lost. (More logged than
          // 200s is not a duplicate: those were answered after the time cap stopped autocannon counting.)
          lost: Math.max(0, ok - logged) + Math.max(0, logged - withJobs),
          duplicates: jobs - withJobs,
          loadAverage,
          cpuMicrosecondsPerRequest: {
            server: perRequest(after.server.cpuMicroseconds - before.server.cpuMicroseconds),
            postgres: perRequest(after.postgres - before.postgres),
            client: perRequest(client.user + client.system),
          },
          callbacksPerBatch: batches > 0 ? Number((batched / batches).toFixed(1)) : 0,
          commitP50Ms: commit.p50,
          commitP99Ms: commit.p99,
          statementP50Ms: after.server.statementP50Ms,
          statementP99Ms: after.server.statementP99Ms,
          eventLoopP99Ms: after.server.eventLoopP99Ms,
          eventLoopMaxMs: after.server.eventLoopMaxMs,
        });
      }
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
  return results;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      requests: { type: 'string' },
      profile: { type: 'string' },
      floor: { type: 'boolean', default: false },
    },
  });
  if (values.serve) {
    await serve();
  } else {
    const factor = values.requests ? Number(values.requests) / DEFAULT_SCENARIOS[0]!.requests : 1;
    if (!(factor > 0)) throw new Error('--requests must be a positive number');
    const scenarios = DEFAULT_SCENARIOS.map((scenario) => ({ ...scenario, requests: Math.max(1_000, Math.round(scenario.requests * factor)) }));
    const floors: FloorResult[] = [];
    const results = await benchCallbackLoad({
      scenarios,
      ...(values.profile ? { profileDir: values.profile } : {}),
      ...(values.floor ? { floor: (floor: FloorResult) => void floors.push(floor) } : {}),
    });
    if (values.json) {
      for (const result of [...floors, ...results]) console.log(JSON.stringify(result));
    } else {
      for (const floor of floors) {
        console.log(`${floor.scenario}: ${floor.perSecond}/s, p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms, max ${floor.maxMs} ms, errors ${floor.errors} (load ${floor.loadAverage})`);
      }
      console.log(`POST /wecom/callback under autocannon (127.0.0.1, ${cpus().length} cores; Node ${process.version})`);
      console.table(
        results.map((r) => ({
          scenario: r.scenario,
          requests: r.requests,
          'requests/s': r.perSecond,
          'p50 ms': r.p50Ms,
          'p99 ms': r.p99Ms,
          'max ms': r.maxMs,
          errors: r.errors,
          'lost/dup': `${r.lost}/${r.duplicates}`,
          'per batch': r.callbacksPerBatch,
          'statement p50/p99 ms': `${r.statementP50Ms}/${r.statementP99Ms}`,
          'commit p50/p99 ms': `${r.commitP50Ms}/${r.commitP99Ms}`,
          'event loop p99/max ms': `${r.eventLoopP99Ms}/${r.eventLoopMaxMs}`,
          'CPU µs/req server+pg+client': `${r.cpuMicrosecondsPerRequest.server}+${r.cpuMicrosecondsPerRequest.postgres}+${r.cpuMicrosecondsPerRequest.client}`,
          'load avg': r.loadAverage,
        })),
      );
    }
    if (results.some((r) => r.errors > 0 || r.lost > 0 || r.duplicates > 0)) process.exitCode = 1;
  }
}
