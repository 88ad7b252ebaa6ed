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
 *   node apps/server/bench/callback-load.ts [--json] [--requests N] [--connections C] [--profile DIR]
 *
 * Bounded: only 127.0.0.1, at most --requests requests (default 40,000) and at most MAX_SECONDS per run.
 * --profile writes the server process's CPU profile (node --cpu-prof) to DIR.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
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

export interface CallbackLoadResult {
  scenario: string;
  requests: number;
  connections: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  logged: number;
  jobs: number;
  loadAverage: string;
  /** CPU per request of the server process, of its PostgreSQL backends and of autocannon (this process). */
  cpuMicrosecondsPerRequest: { server: number; postgres: number; client: number };
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
  const plugin = createCallbackPlugin({ client, config, db: database.db, pool: database.pool, clock: systemClock, log });
  const app = await buildApp({ config, db: database.db, pool: database.pool, clock: systemClock, plugins: [plugin], logLevel: config.logLevel });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicroseconds: user + system });
      return;
    }
    await app.close();
    await plugin.idle();
    await client.close();
    await database.close();
    process.exit(0);
  });
}

interface ServerProcess {
  url: string;
  /** CPU time the server process has used so far (user + system). */
  cpuMicroseconds(): Promise<number>;
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
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it listened`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMicroseconds() {
      const answer = new Promise<number>((resolve) => child.once('message', (message) => resolve((message as { cpuMicroseconds: number }).cpuMicroseconds)));
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

function percentileOf(result: autocannon.Result, p: 50 | 99): number {
  const latency = result.latency as unknown as Record<string, number>;
  return latency[`p${p}`]!;
}

async function fire(url: string, callbacks: readonly Prepared[], connections: number): Promise<autocannon.Result> {
  const { default: autocannon } = await import('autocannon'); // here, so the server process never loads it
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
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

export async function benchCallbackLoad(options: { requests?: number; connections?: number; profileDir?: string } = {}): Promise<CallbackLoadResult> {
  const requests = options.requests ?? 40_000;
  const connections = options.connections ?? 32;
  const { createMigratedDatabase } = await import('../test/database.ts');
  const database = await createMigratedDatabase('pv_bench');
  const app = benchApp();
  try {
    const server = await startServer(database.url, app, options.profileDir);
    try {
      const base = 7_000_000_000_000_000_000n + BigInt(Date.now()) * 1000n;
      const warmup = await prepareCallbacks(app, WARMUP_REQUESTS, base);
      const measured = await prepareCallbacks(app, requests, base + BigInt(WARMUP_REQUESTS));
      const warm = await fire(server.url, warmup, connections);
      const warmOk = warm['2xx'];
      const load = loadavg()[0]!.toFixed(2);
      const before = { server: await server.cpuMicroseconds(), postgres: await postgresCpuMicroseconds(database.pool, database.name), client: process.cpuUsage() };
      const result = await fire(server.url, measured, connections);
      const client = process.cpuUsage(before.client);
      const perRequest = (microseconds: number) => Math.round(microseconds / Math.max(1, result.requests.total));
      const cpu = {
        server: perRequest((await server.cpuMicroseconds()) - before.server),
        postgres: perRequest((await postgresCpuMicroseconds(database.pool, database.name)) - before.postgres),
        client: perRequest(client.user + client.system),
      };
      const counted = await database.pool.query<{ logged: number; jobs: number }>(
        `select (select count(*)::int from inbound_callbacks where event_type = 'text') as logged,
                (select count(*)::int from graphile_worker.jobs where task_identifier = 'handle_wecom_callback') as jobs`,
      );
      const { logged, jobs } = counted.rows[0]!;
      return {
        scenario: `POST /wecom/callback, ${connections} connections`,
        requests: result.requests.total,
        connections,
        perSecond: Math.round(result['2xx'] / result.duration),
        p50Ms: percentileOf(result, 50),
        p99Ms: percentileOf(result, 99),
        maxMs: result.latency.max,
        errors: result.errors,
        non2xx: result.non2xx,
        timeouts: result.timeouts,
        // What the measured run added to the log and the queue: one each per 200.
        logged: logged - warmOk,
        jobs: jobs - warmOk,
        loadAverage: `${load} (${cpus().length} cores)`,
        cpuMicrosecondsPerRequest: cpu,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      requests: { type: 'string' },
      connections: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  if (values.serve) {
    await serve();
  } else {
    const result = await benchCallbackLoad({
      ...(values.requests ? { requests: Number(values.requests) } : {}),
      ...(values.connections ? { connections: Number(values.connections) } : {}),
      ...(values.profile ? { profileDir: values.profile } : {}),
    });
    const lost = result.requests - result.errors - result.non2xx - result.timeouts - result.logged;
    if (values.json) {
      console.log(JSON.stringify({ ...result, lost }));
    } else {
      console.log(`Callback endpoint under load (autocannon, 127.0.0.1; load average before: ${result.loadAverage})`);
      console.table([
        {
          scenario: result.scenario,
          requests: result.requests,
          'requests/s': result.perSecond,
          'p50 ms': result.p50Ms,
          'p99 ms': result.p99Ms,
          'max ms': result.maxMs,
          errors: result.errors + result.non2xx + result.timeouts,
          'logged+jobs': `${result.logged}+${result.jobs}`,
          'CPU µs/req server+pg+client': `${result.cpuMicrosecondsPerRequest.server}+${result.cpuMicrosecondsPerRequest.postgres}+${result.cpuMicrosecondsPerRequest.client}`,
        },
      ]);
    }
    if (result.logged !== result.jobs || result.errors + result.non2xx + result.timeouts > 0) process.exitCode = 1;
  }
}
