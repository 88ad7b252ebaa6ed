/**
 * Sends per second through the in-memory limiter: the cost of `acquire` with the documented quotas, as the
 * pipeline calls it for message/send (`api:/cgi-bin/message/send` + one `member:` quota per recipient).
 *
 * The clock is simulated and advances 25 ms per send, the most the per-corp quota allows over an hour
 * (150,000/h), spread over 1,000 members (each well under 30/min), so no call waits: the number is the
 * limiter's own throughput with realistic log sizes, not WeCom's quota.
 * Run alone: `node packages/wecom/bench/limiter.ts`; bench/index.ts calls benchLimiter().
 */
import { Bench } from 'tinybench';
import { MemoryRateLimiter } from '../src/limiter/memory.ts';
import { rowsOf, type BenchRow } from './rows.ts';

export interface LimiterBenchOptions {
  /** Milliseconds per task. Default 1000. */
  time?: number;
  /** Print the table to stdout. Default true. */
  print?: boolean;
}

const MEMBERS = Array.from({ length: 1_000 }, (_, i) => `member:user${i}`);
const STEP_MS = 25;

function simulated() {
  let now = Date.UTC(2026, 0, 1);
  let waits = 0;
  let n = 0;
  const limiter = new MemoryRateLimiter({
    now: () => now,
    timers: {
      setTimeout: () => {
        waits++;
        return 0;
      },
      clearTimeout: () => undefined,
    },
  });
  return {
    limiter,
    get waits() {
      return waits;
    },
    next(): number {
      now += STEP_MS;
      return n++;
    },
  };
}

export async function benchLimiter(options: LimiterBenchOptions = {}): Promise<BenchRow[]> {
  const one = simulated();
  const ten = simulated();
  const api = simulated();
  const bench = new Bench({ time: options.time ?? 1000 });
  bench
    .add('acquire: message/send to 1 member', async () => {
      const i = one.next();
      await one.limiter.acquire(['api:/cgi-bin/message/send', MEMBERS[i % MEMBERS.length]!]);
    })
    .add('acquire: message/send to 10 members', async () => {
      const i = ten.next();
      const quotas = ['api:/cgi-bin/message/send'];
      for (let k = 0; k < 10; k++) quotas.push(MEMBERS[(i * 10 + k) % MEMBERS.length]!);
      await ten.limiter.acquire(quotas);
    })
    .add('acquire: per-API quota only (user/get)', async () => {
      api.next();
      await api.limiter.acquire(['api:/cgi-bin/user/get']);
    });
  await bench.run();
  // With the clock moving as fast as the quotas allow, nothing may have had to wait.
  for (const s of [one, ten, api]) if (s.waits > 0) throw new Error('a limiter bench task waited: the simulated clock is too slow for the quotas');
  const rows = rowsOf(bench);
  if (options.print ?? true) {
    console.log('Sends per second through the in-memory limiter (documented quotas, simulated clock, no waits)');
    console.table(rows);
  }
  return rows;
}

if (import.meta.main) {
  await benchLimiter();
}
