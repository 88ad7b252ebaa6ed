/**
 * Pairview's room server (the app and its collaboration socket, composed as main.ts does, without WeCom or the job
 * worker) as a process of its own, for tests that kill it (crash.test.ts) and benchmarks that measure it alone
 * (bench/collab.ts). Run as a script it reads DATABASE_URL, PORT (0: any free one), SESSION_SECRET and optionally
 * REDIS_URL, and prints `room server listening on <port>` once it accepts sockets; SIGTERM closes it gracefully
 * (documents stored, buffered updates written) and exits 0. Over the IPC channel, 'stats' answers with its
 * event-loop delay (benchmarks).
 *
 * `spawnRoomServer` starts it from a parent and waits for that line. No vitest import here: the child is plain Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fastifyCookie } from '@fastify/cookie';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/pool.ts';
import { startCollab } from '../src/rooms/collab/server.ts';

const READY = /room server listening on (\d+)/;

export interface RoomServerProcess {
  child: ChildProcess;
  port: number;
  wsBase: string;
  httpBase: string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGKILL: no flush, no store, no goodbye to the sockets. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
  /** The server's event-loop delay since the last call (and its documents and connections now). */
  stats(): Promise<RoomServerStats>;
}

export interface RoomServerStats {
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  documents: number;
  connections: number;
}

export async function spawnRoomServer(options: {
  databaseUrl: string;
  sessionSecret: string;
  port?: number;
  redisUrl?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  execArgv?: string[];
}): Promise<RoomServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: options.sessionSecret,
    PORT: String(options.port ?? 0),
  };
  if (options.redisUrl) env['REDIS_URL'] = options.redisUrl;
  else delete env['REDIS_URL'];
  const child = spawn(process.execPath, [...(options.execArgv ?? []), fileURLToPath(import.meta.url)], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = READY.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((how) => reject(new Error(`room server process ended (${how}) before it listened: ${out}`)));
  });
  return {
    child,
    port,
    wsBase: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    stats() {
      return new Promise((resolve) => {
        child.once('message', (stats) => resolve(stats as RoomServerStats));
        child.send('stats');
      });
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig({ PAIRVIEW_ADMINS: 'admin', LOG_LEVEL: 'silent', ...process.env, HOST: '127.0.0.1' });
  if (!config.databaseUrl || !config.sessionSecret) throw new Error('room-server-process needs DATABASE_URL and SESSION_SECRET');
  const secret = config.sessionSecret;
  const database = openDatabase(config.databaseUrl, { max: 15 });
  const collab = await startCollab({
    db: database.db,
    pool: database.pool,
    clock: systemClock,
    config,
    cookies: { parseCookie: (header) => fastifyCookie.parse(header), unsignCookie: (raw) => fastifyCookie.unsign(raw, secret) },
    log: { warn: (message) => console.error(`room server: ${message}`) },
  });
  const app = await buildApp({ config, db: database.db, pool: database.pool, clock: systemClock, collab });
  app.server.on('upgrade', (request, socket, head) => collab.handleUpgrade(request, socket, head));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  console.log(`room server listening on ${typeof address === 'object' && address ? address.port : config.port}`);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  process.on('message', (request) => {
    if (request !== 'stats') return;
    const { documents, connections } = collab.stats();
    const stats: RoomServerStats = {
      loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      documents,
      connections,
    };
    loopDelay.reset();
    process.send?.(stats);
  });
  // The IPC channel must not keep the process alive, nor its end stop it: SIGTERM does.
  process.channel?.unref();
  process.once('SIGTERM', () => {
    void (async () => {
      await collab.close();
      await app.close();
      await database.close();
      process.exit(0);
    })();
  });
}

if (import.meta.main) await main();
