/**
 * Sends per second through the in-memory limiter: the cost of `acquire` with the documented quotas, as the
 * pipeline calls it for message/send (`api:/cgi-bin/message/send` + one `member:` quota per recipient).
 *
 * The clock is simulated and advances 25 ms per send, the most the per-corp quota allows over an hour
 * (150,000/h), spread over 10,000 members (a 10-member send reaches each member once every 25 s of simulated
 * time: well under 30/min and 1,000/h however long the bench runs), so no call waits: the number is the
 * limiter's own throughput with realistic log sizes, not WeCom's quota. A call that would have to wait fails
 * the bench at once (a wait on the simulated clock would never end).
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

const MEMBERS = Array.from({ length: 10_000 }, (_, i) => `member:user${i}`);
const STEP_MS = 25;

function simulated() {
  let now = Date.UTC(2026, 0, 1);
  let n = 0;
  const limiter = new MemoryRateLimiter({
    now: () => now,
    timers: {
      // The simulated clock only moves when a task runs, so a wait could never end: fail the acquire instead.
      setTimeout: () => {
        throw new Error('a limiter bench task had to wait: the simulated clock is too slow for the quotas');
      },
      clearTimeout: () => undefined,
    },
  });
  return {
    limiter,
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
  // A task whose acquire had to wait failed; rowsOf reports it instead of a number.
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
