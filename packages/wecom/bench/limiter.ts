/**
 * What a send costs in the quota limiter (issue 10: "design it so the cost per send is low — measure"): `acquire`
 * as the pipeline calls it for message/send — the per-API and per-IP quotas, one `member:` quota per recipient and
 * the day's person-times — on the memory store (one process) and on the PostgreSQL store (a cluster), one call at a
 * time and 16 at once (the limiter gathers what waiting sends need into one store round trip).
 *
 * The clock is simulated and advances 25 ms per send, the most the per-corp quota allows over an hour (150,000/h),
 * spread over 10,000 members, so no call waits for a quota: the number is the limiter's own cost, not WeCom's quota.
 * A call that would have to wait fails the bench (maxWaitMs 0). The PostgreSQL rows need a database
 * (TEST_DATABASE_URL, DATABASE_URL or 127.0.0.1:5432); without one they are left out.
 * Run alone: `node packages/wecom/bench/limiter.ts`; bench/index.ts calls benchLimiter().
 */
import { Bench } from 'tinybench';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { QuotaLimiter } from '../src/limiter/limiter.ts';
import { MemoryQuotaStore } from '../src/limiter/memory-store.ts';
import { PostgresQuotaStore } from '../src/limiter/postgres-store.ts';
import { wecomQuotaRules } from '../src/limiter/rules.ts';
import type { QuotaStore } from '../src/limiter/store.ts';
import { rowsOf, type BenchRow } from './rows.ts';

export interface LimiterBenchOptions {
  /** Milliseconds per task. Default 1000. */
  time?: number;
  /** Print the table to stdout. Default true. */
  print?: boolean;
}

const MEMBERS = Array.from({ length: 10_000 }, (_, i) => `member:user${i}`);
const STEP_MS = 25;

function simulated(store: QuotaStore) {
  let now = Date.UTC(2026, 0, 1);
  let n = 0;
  const limiter = new QuotaLimiter({
    store,
    rules: wecomQuotaRules({ seatLimit: 100_000 }),
    // Each simulated clock runs on its own: quotas of their own (corp, and egress IP), so none sees another's time.
    scope: { corpId: `wwbench${Math.random().toString(36).slice(2, 8)}`, agentId: 1, egress: Math.random().toString(36).slice(2, 10) },
    now: () => now,
    maxWaitMs: 0,
    // The simulated clock moves only when a task runs: timers (a lot's lease) are not needed to end.
    timers: { setTimeout: () => 0, clearTimeout: () => undefined },
  });
  return {
    limiter,
    send(members: number) {
      now += STEP_MS;
      const i = n++;
      const quotas: (string | { quota: string; units: number })[] = ['api:/cgi-bin/message/send', 'ip:/cgi-bin/message/send'];
      for (let k = 0; k < members; k++) quotas.push(MEMBERS[(i * members + k) % MEMBERS.length]!);
      quotas.push({ quota: 'day:message', units: members });
      return limiter.acquire(quotas, { priority: 'normal' });
    },
  };
}

export async function benchLimiter(options: LimiterBenchOptions = {}): Promise<BenchRow[]> {
  let database: TestDatabase | undefined;
  let postgres: PostgresQuotaStore | undefined;
  try {
    database = await createTestDatabase('wecom_limiter_bench');
    postgres = new PostgresQuotaStore({ connectionString: database.url });
    await postgres.ensureSchema();
  } catch {
    postgres = undefined; // no database here: memory rows only
  }
  try {
    const one = simulated(new MemoryQuotaStore());
    const tenMembers = simulated(new MemoryQuotaStore());
    const bench = new Bench({ time: options.time ?? 1000 });
    bench.add('memory: message/send to 1 member', () => one.send(1)).add('memory: message/send to 10 members', () => tenMembers.send(10));
    if (postgres) {
      const single = simulated(postgres);
      const concurrent = simulated(postgres);
      bench
        .add('PostgreSQL: message/send to 1 member, one at a time', () => single.send(1))
        .add('PostgreSQL: 16 sends at once (one task = 16 sends)', async () => {
          await Promise.all(Array.from({ length: 16 }, () => concurrent.send(1)));
        });
    }
    await bench.run();
    const rows = rowsOf(bench);
    if (options.print ?? true) {
      console.log('What acquire costs per send (documented quotas + the day\'s, simulated clock, no waits)');
      console.table(rows);
      const many = rows.find((r) => r.task.startsWith('PostgreSQL: 16'));
      if (many) console.log(`PostgreSQL, 16 at once: ${Math.round(many.opsPerSecond * 16)} sends/s, ${(many.meanMicroseconds / 16).toFixed(0)} µs per send`);
    }
    return rows;
  } finally {
    await postgres?.close();
    await database?.drop();
  }
}

if (import.meta.main) {
  await benchLimiter();
}
