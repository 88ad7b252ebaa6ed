/**
 * A Pairview worker process for the crash test (crash.test.ts starts it as a child and kills it with SIGKILL):
 * the production startWorker with the WeCom notifier, the token in PostgreSQL, the emulator as WeCom.
 * Env: DATABASE_URL, WECOM_API (emulator URL), WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET.
 */
import { PostgresQuotaStore, PostgresTokenStore, WeComClient } from '@pairview/wecom';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/pool.ts';
import { startWorker } from '../../src/notifications/worker.ts';
import { createLinks } from '../../src/wecom/deps.ts';
import { createWeComNotifier } from '../../src/wecom/outbound/index.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`crash-worker needs ${name}`);
  return value;
};

const database = openDatabase(env('DATABASE_URL'), { max: 12 });
const config = loadConfig({ PAIRVIEW_PUBLIC_URL: 'http://pairview.test', LOG_LEVEL: 'silent' });
const client = new WeComClient({
  corpId: env('WECOM_CORP_ID'),
  agentId: Number(env('WECOM_AGENT_ID')),
  secret: env('WECOM_SECRET'),
  baseUrl: env('WECOM_API'),
  store: new PostgresTokenStore({ pool: database.pool }),
  quotaStore: new PostgresQuotaStore({ pool: database.pool }),
});
const notifier = createWeComNotifier({
  client,
  config,
  db: database.db,
  pool: database.pool,
  clock: systemClock,
  log: { info() {}, warn() {} },
  links: createLinks(config.publicUrl),
});
const runner = await startWorker({ pool: database.pool, db: database.db, clock: systemClock, timeZone: config.timeZone, notifier, concurrency: 8 });
process.stdout.write('ready\n');
await runner.promise;
