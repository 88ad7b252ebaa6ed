/**
 * The Pairview process: configuration, database (embedded PostgreSQL unless DATABASE_URL is set), migrations,
 * the WeCom side (seam: wecom/index.ts), the job worker, the HTTP server, and a graceful shutdown on SIGINT/SIGTERM.
 *   npm start            (from the repository root)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fastifyCookie } from '@fastify/cookie';
import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, repositoryRoot } from './config.ts';
import { createLogger, plainSay, sayThrough, type Say } from './log.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/pool.ts';
import { startWorker } from './notifications/worker.ts';
import { startCollab } from './rooms/collab/server.ts';
import { startServerRunner } from './runner/embedded.ts';
import { webApp } from './web/plugin.ts';
import { startWeCom, withDevelopmentDefaults } from './wecom/index.ts';

// Until the configuration is read (it says the log format), the plain development lines.
let say: Say = plainSay;

async function main(): Promise<void> {
  // Ctrl-C or SIGTERM from the first moment: a signal with no listener kills the process on the spot, leaving the
  // embedded PostgreSQL behind. Until everything has started, it is remembered and acted on once it has.
  let shutdown: ((signal: string) => Promise<void>) | undefined;
  let pendingSignal: string | undefined;
  const onSignal = (signal: string) => {
    if (shutdown) return void shutdown(signal);
    if (pendingSignal) {
      console.error(`pairview: ${signal} again while starting: exiting without waiting`);
      process.exit(130);
    }
    pendingSignal = signal;
    say.info(`${signal}: stopping as soon as the start is complete`);
  };
  // `on`, not `once`: listeners stay for the whole shutdown.
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  // .env at the repository root, when present; variables already in the environment win.
  const envFile = join(repositoryRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pairview: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  say = sayThrough(logger, config.logFormat);
  if (!config.wecom && config.admins.size === 0) {
    config = withDevelopmentDefaults(config);
    say.info(`no WECOM_* variables: development mode with the WeCom emulator; PAIRVIEW_ADMINS defaults to ${[...config.admins].join(', ')}`);
  }
  const clock = systemClock;

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.embeddedPostgres, say);
    databaseUrl = embedded.url;
    say.info(`database: embedded PostgreSQL, data in ${relative(process.cwd(), config.embeddedPostgres.dataDir) || '.'}, 127.0.0.1:${config.embeddedPostgres.port}`);
  } else {
    say.info(`database: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (DATABASE_URL)`);
  }

  const database = openDatabase(databaseUrl, { max: 15 });
  const { applied } = await migrate(database.pool);
  say.info(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');

  const wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock, log: say });
  say.info(
    wecom.mode === 'emulator'
      ? `WeCom: the emulator's demo company at ${wecom.emulator?.url} (no WECOM_* variables set)`
      : `WeCom: corp ${config.wecom?.corpId}, app ${config.wecom?.agentId}`,
  );

  let sessionSecret = config.sessionSecret;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    say.warn('SESSION_SECRET is not set: using a random one, so sessions end when this process stops');
  }

  const secret = sessionSecret;
  const collab = await startCollab({
    db: database.db,
    pool: database.pool,
    clock,
    config,
    cookies: { parseCookie: (header) => fastifyCookie.parse(header), unsignCookie: (raw) => fastifyCookie.unsign(raw, secret) },
    log: say,
  });
  if (config.redisUrl) say.info(`interview rooms: shared with other processes through Redis at ${config.redisUrl.host}`);

  const serverRunner = await startServerRunner(config, say);

  const app = await buildApp({
    config,
    db: database.db,
    pool: database.pool,
    clock,
    sessionSecret,
    collab,
    ...(serverRunner.runner ? { runner: serverRunner.runner } : {}),
    logger,
    wecomStatus: () => wecom.status(),
    // The web app last: its catch-all page route must not shadow the WeCom routes.
    plugins: [wecom.plugin, webApp()],
  });

  const worker = await startWorker({
    pool: database.pool,
    db: database.db,
    clock,
    timeZone: config.timeZone,
    notifier: wecom.notifier,
    extraTasks: wecom.tasks,
    log: app.log,
  });

  // The rooms' collaboration socket (/collab/<interview>) on the same port as the app.
  app.server.on('upgrade', (request, socket, head) => collab.handleUpgrade(request, socket, head));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  say.info(`Pairview is running: http://localhost:${port}/`);
  if (config.publicUrl.origin !== `http://localhost:${port}`) say.info(`public URL (links in WeCom messages): ${config.publicUrl}`);
  for (const { label, url } of wecom.urls) say.info(`${label}: ${url}`);
  for (const hint of wecom.hints) say.info(hint);

  let stopping = false;
  shutdown = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: the person wants out now.
      console.error(`pairview: ${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    say.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      console.error('pairview: shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    const closing = (async () => {
      await collab.close(); // close the room sockets (clients reconnect to the next process), store every pad
      await app.close(); // stop taking requests, finish the ones in flight
      await serverRunner.close(); // runs in flight were answered above
      await worker.stop(); // let running jobs finish; queued ones wait in PostgreSQL
      await wecom.stop();
      await database.close();
    })();
    try {
      await closing;
      await embedded?.stop();
    } finally {
      clearTimeout(force);
    }
  };
  if (pendingSignal) void shutdown(pendingSignal);
}

main().catch((error: unknown) => {
  console.error('pairview: failed to start:', error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause) console.error('  cause:', error.cause instanceof Error ? error.cause.message : error.cause);
  process.exit(1);
});
