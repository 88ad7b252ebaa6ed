/**
 * The outbound glue under test, with real parts: a migrated PostgreSQL database, the WeCom emulator in this
 * process, the SDK client pointed at it, and the real graphile-worker tasks (`runOnce`). Time is moved, never
 * waited for: Date is faked (vi.useFakeTimers({ toFake: ['Date'] })), and Pairview's clock, the SDK, the
 * emulator and graphile-worker (useNodeTime) all read it.
 */
import { MemoryTokenStore, PostgresQuotaStore, WeComClient, type QuotaRules } from '@pairview/wecom';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { vi } from 'vitest';
import type { MemberPrincipal } from '../../src/auth/principal.ts';
import type { Clock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import type { StoredRole } from '../../src/db/schema.ts';
import { notificationTasks } from '../../src/notifications/tasks.ts';
import type { Notifier } from '../../src/notifications/notifier.ts';
import { createLinks, type WeComGlueDeps } from '../../src/wecom/deps.ts';
import { createWeComNotifier, type WeComNotifierOptions } from '../../src/wecom/outbound/index.ts';
import { createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../helpers.ts';

export const TZ = 'Asia/Shanghai';
/** Reads the faked Date. */
export const clock: Clock = { now: () => new Date() };
const silent = new Logger(() => () => {});

/** Demo-company members (packages/wecom-emulator README) Pairview knows, with the roles the tests give them. */
export const MEMBERS = {
  recruiter: { userid: 'maqian', name: '马倩', english: 'Qian Ma', roles: ['recruiter'] as StoredRole[] },
  manager: { userid: 'sunli', name: '孙丽', english: 'Li Sun', roles: ['hiring_manager'] as StoredRole[] },
  alice: { userid: 'zhangwei', name: '张伟', english: 'Wei Zhang', roles: [] as StoredRole[] },
  bob: { userid: 'lina', name: '李娜', english: 'Na Li', roles: [] as StoredRole[] },
  carol: { userid: 'chenjie', name: '陈杰', english: 'Jie Chen', roles: [] as StoredRole[] },
} as const;
export type MemberName = keyof typeof MEMBERS;

export interface Harness {
  database: MigratedTestDatabase;
  emu: Emulator;
  client: WeComClient;
  config: Config;
  deps: WeComGlueDeps;
  notifier: Notifier;
  /** people.id by member name. */
  ids: Record<MemberName, string>;
  recruiter: MemberPrincipal;
  /**
   * Moves time to `at` and runs every job due by then with the real tasks; `workers` > 1 runs that many
   * graphile-worker instances at once on the same database (a cluster).
   */
  runAt(at: string | Date, options?: { workers?: number }): Promise<void>;
  /** The member's inbox in the emulator (delivered, dropped and recalled items). */
  inbox(member: MemberName | string): ReturnType<Emulator['control']['messages']>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  locale?: 'zh' | 'en';
  notifier?: WeComNotifierOptions;
  /** The SDK's own retries of transient failures (default 3); 0 leaves every retry to the delivery job. */
  maxRetries?: number;
  /** The SDK's per-attempt HTTP timeout. */
  timeoutMs?: number;
  /** The limiter's windows for some quotas (over WeCom's documented ones), e.g. a smaller member hour. */
  quotaRules?: QuotaRules;
  /** The corp's seat limit (the daily message quota is × 200); default Pairview's 200. */
  seatLimit?: number;
  /** The emulator's frequency limits (default WeCom's; its seat limit follows `seatLimit`). */
  emulatorLimits?: Partial<import('@pairview/wecom-emulator').Limits>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createMigratedDatabase('pv_wecom_out');
  const emu = await startEmulator({ port: 0, limits: { seatLimit: options.seatLimit ?? 200, ...options.emulatorLimits } });
  const client = new WeComClient({
    corpId: emu.corpId,
    agentId: emu.agentId,
    secret: emu.secret,
    baseUrl: emu.url,
    store: new MemoryTokenStore(),
    // WeCom's quotas in the test database, as in production (shared by every worker of a cluster).
    quotaStore: new PostgresQuotaStore({ pool: database.pool }),
    seatLimit: options.seatLimit ?? 200,
    ...(options.quotaRules && { quotaRules: options.quotaRules }),
    ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  const config = testConfig({ PAIRVIEW_LOCALE: options.locale ?? 'zh', PAIRVIEW_TIME_ZONE: TZ, PAIRVIEW_PUBLIC_URL: 'https://pairview.example.com' });
  const deps: WeComGlueDeps = {
    client,
    config,
    db: database.db,
    pool: database.pool,
    clock,
    log: { info() {}, warn() {} },
    links: createLinks(config.publicUrl),
  };
  const notifier = createWeComNotifier(deps, options.notifier);

  const ids = {} as Record<MemberName, string>;
  for (const [key, m] of Object.entries(MEMBERS) as [MemberName, (typeof MEMBERS)[MemberName]][]) {
    const row = await database.db
      .insertInto('people')
      .values({ wecom_userid: m.userid, name: m.name, english_name: m.english, roles: [...m.roles] })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[key] = row.id;
  }
  const recruiterRow = await database.db.selectFrom('people').selectAll().where('id', '=', ids.recruiter).executeTakeFirstOrThrow();
  const recruiter: MemberPrincipal = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };

  async function runAt(at: string | Date, runOptions: { workers?: number } = {}) {
    const target = new Date(at);
    if (target.getTime() < Date.now()) throw new Error(`runAt(${target.toISOString()}): time only moves forward in these tests`);
    vi.setSystemTime(target);
    const taskList = notificationTasks({ db: database.db, clock, timeZone: TZ, notifier });
    // Until nothing is due any more: a job retried after a failure is due again at once (graphile-worker counts
    // its backoff from the database's clock, which is behind the faked one), and runOnce may return before it.
    for (let round = 0; round < 50; round++) {
      await Promise.all(
        Array.from({ length: runOptions.workers ?? 1 }, () => runOnce({ pgPool: database.pool, taskList, useNodeTime: true, logger: silent })),
      );
      await settle();
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker._private_jobs
        where run_at <= ${target} and attempts < max_attempts and locked_at is null`.execute(database.db);
      if (rows[0]!.n === 0) return;
    }
    throw new Error('jobs were still due after 50 rounds of runOnce');
  }

  /** runOnce can return before its last job's completion reaches the database; wait for it (bounded). */
  async function settle() {
    for (let i = 0; i < 300; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(database.db);
      if (rows[0]!.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('graphile-worker left jobs locked after runOnce');
  }

  return {
    database,
    emu,
    client,
    config,
    deps,
    notifier,
    ids,
    recruiter,
    runAt,
    inbox: (member) => emu.control.messages({ userid: member in MEMBERS ? MEMBERS[member as MemberName].userid : member }),
    async close() {
      await client.close();
      await emu.close();
      await database.drop();
    },
  };
}

/** The text a member sees of an inbox item, whatever its type (for matching words and links). */
export function shownText(item: { msgtype: string; content: Record<string, unknown>; card?: { template_card: Record<string, unknown> } }): string {
  return JSON.stringify(item.card?.template_card ?? item.content);
}

/** Outbox rows, oldest first. */
export function outboxRows(h: Harness) {
  return h.database.db.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('id').execute();
}
