/**
 * For the inbound and OAuth tests: a migrated database, the emulator in-process with its callback URL pointed at
 * a Pairview app built with the glue's plugins and listening on port 0, and the WeComGlueDeps startWeCom would
 * build (the same client factory and links). The socket is opened first (its port goes into the emulator's
 * callback URL and Pairview's public URL) and handed to the app once it is built; `serve` can hand it to
 * another app built on the same database and emulator.
 */
import { createServer, type Server } from 'node:http';
import { randomInt } from 'node:crypto';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import type { FastifyInstance } from 'fastify';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { buildTestApp, createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../../../test/helpers.ts';
import type { AppPlugin } from '../../context.ts';
import { systemClock } from '../../clock.ts';
import { createWeComClient } from '../client.ts';
import { createLinks, type WeComGlueDeps } from '../deps.ts';
import { inboundTasks } from './tasks.ts';

const silent = new Logger(() => () => {});
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = (n: number) => Array.from({ length: n }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

export interface GlueHarness {
  database: MigratedTestDatabase;
  emu: Emulator;
  deps: WeComGlueDeps;
  /** Pairview's base URL (the public URL). */
  url: string;
  /** What the glue logged with warn(). */
  warnings: string[];
  /** Builds an app with these plugins on the harness's database and serves it on the harness's socket. */
  serve(plugins: readonly AppPlugin[]): Promise<FastifyInstance>;
  /**
   * Runs every due handle_wecom_callback job (graphile-worker's runOnce), until none is left running. First waits
   * for the served callback plugins to finish logging: events WeCom takes no reply to (change_contact) are
   * acknowledged before they are logged, so the emulator's delivery can return before the job exists.
   */
  runJobs(): Promise<void>;
  close(): Promise<void>;
}

export async function startGlueHarness(prefix: string): Promise<GlueHarness> {
  const database = await createMigratedDatabase(prefix);
  let route: (req: Parameters<FastifyInstance['routing']>[0], res: Parameters<FastifyInstance['routing']>[1]) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => route(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const callbackToken = random(32);
  const encodingAesKey = random(43);
  const emu = await startEmulator({
    port: 0,
    app: { name: 'Pairview', trustedDomains: [new URL(url).host] },
    callback: { url: `${url}/wecom/callback`, token: callbackToken, encodingAESKey: encodingAesKey, retryDelayMs: 0 },
  });
  const config = testConfig({ PAIRVIEW_PUBLIC_URL: url });
  const client = createWeComClient({
    app: { corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, callbackToken, encodingAesKey },
    pool: database.pool,
    emulatorUrl: emu.url,
  });
  const warnings: string[] = [];
  const deps: WeComGlueDeps = {
    client,
    config,
    db: database.db,
    pool: database.pool,
    clock: systemClock,
    log: { info() {}, warn: (message) => warnings.push(message) },
    links: createLinks(config.publicUrl),
  };

  const apps: FastifyInstance[] = [];
  const idles: (() => Promise<void>)[] = [];
  return {
    database,
    emu,
    deps,
    url,
    warnings,
    async serve(plugins) {
      const app = await buildTestApp(database, { config, plugins });
      apps.push(app);
      for (const plugin of plugins) if ('idle' in plugin && typeof plugin.idle === 'function') idles.push(() => (plugin as { idle(): Promise<void> }).idle());
      route = (req, res) => app.routing(req, res);
      return app;
    },
    async runJobs() {
      for (const idle of idles) await idle();
      // useNodeTime: a test moves the worker's clock by faking Date (as notifications/delivery.test.ts does).
      await runOnce({ pgPool: database.pool, taskList: inboundTasks(deps), logger: silent, useNodeTime: true });
      // runOnce can return before its last job's completion reaches the database; wait for it (bounded).
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(database.db);
        if (rows[0]!.n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('graphile-worker left jobs locked after runOnce');
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // the emulator's keep-alive connections
      await closed;
      for (const app of apps) await app.close();
      await client.close();
      await emu.close();
      await database.drop();
    },
  };
}
