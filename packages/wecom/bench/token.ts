/**
 * Token lookup overhead per call on a hot cache.
 *
 *   - CredentialCache.get() with the token in memory (the hot path of every call; memory or PostgreSQL store
 *     alike, since a fresh token is served from memory);
 *   - PostgresTokenStore.get(): one round trip, what the in-memory copy saves on every call;
 *   - the pipeline alone: RequestSender.call() whose fetch hands back a ready Response, vs parsing that same
 *     Response bare — the difference is what the pipeline (token cache, limiter, URL, errcode check, events)
 *     adds to every call, without network noise;
 *   - end to end: a GET to the emulator with Node's fetch and a fixed token vs the same request through
 *     RequestSender.call() (dominated by HTTP; on a busy machine the two are within noise of each other).
 *
 * The emulator runs in this process with its quotas raised, and the sender's limiter has room, so no task waits.
 * Run alone: `node packages/wecom/bench/token.ts`; bench/index.ts calls benchToken().
 */
import { startEmulator } from '@pairview/wecom-emulator';
import { Bench } from 'tinybench';
import { createTestDatabase } from '../../../test-support/postgres.ts';
import { resolveConfig } from '../src/config.ts';
import { RequestSender } from '../src/http/request-sender.ts';
import { MemoryRateLimiter } from '../src/limiter/memory.ts';
import { CredentialCache } from '../src/token/credential-cache.ts';
import { MemoryTokenStore } from '../src/token/memory-store.ts';
import { PostgresTokenStore } from '../src/token/postgres-store.ts';
import { rowsOf, type BenchRow } from './rows.ts';

export interface TokenBenchOptions {
  /** Milliseconds per task. Default 1000. */
  time?: number;
  /** Print the table to stdout. Default true. */
  print?: boolean;
}

export async function benchToken(options: TokenBenchOptions = {}): Promise<BenchRow[]> {
  const big = 1_000_000_000;
  const emu = await startEmulator({ port: 0, limits: { apiPerMinute: big, apiPerHour: big } });
  const db = await createTestDatabase('wecom_bench').catch(() => undefined);
  const pgStore = db ? new PostgresTokenStore({ connectionString: db.url }) : undefined;
  try {
    const config = resolveConfig({ corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, baseUrl: emu.url });
    const limiter = new MemoryRateLimiter({ rules: { api: [{ limit: big, windowMs: 60_000 }] } });
    const sender = new RequestSender({ config, limiter });
    const token = await sender.accessToken.get();
    const key = { corpId: emu.corpId, agentId: emu.agentId, kind: 'access_token' as const };
    const cache = new CredentialCache({
      key: { corpId: emu.corpId, agentId: emu.agentId, kind: 'access_token' },
      store: new MemoryTokenStore(),
      fetch: async () => ({ value: token, expiresInSeconds: 7200 }),
    });
    await cache.get();
    if (pgStore) await pgStore.set(key, { value: token, fetchedAt: Date.now(), expiresAt: Date.now() + 7_200_000 });

    const path = '/cgi-bin/getcallbackip';
    const answer = JSON.stringify({ errcode: 0, errmsg: 'ok', ip_list: ['127.0.0.1'] });
    const ready = () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
    const offline = new RequestSender({ config, limiter, store: new MemoryTokenStore(), fetch: async () => ready() });
    await offline.store.set(key, { value: token, fetchedAt: Date.now(), expiresAt: Date.now() + 7_200_000 });
    const bareParse = async () => {
      const json = JSON.parse(await ready().text()) as { errcode: number };
      if (json.errcode !== 0) throw new Error('unexpected errcode');
    };
    const pipelineOnly = async () => {
      await offline.call({ method: 'GET', path });
    };
    const direct = async () => {
      const response = await fetch(`${emu.url}${path}?access_token=${encodeURIComponent(token)}`);
      const json = (await response.json()) as { errcode: number };
      if (json.errcode !== 0) throw new Error(`direct fetch got errcode ${json.errcode}`);
    };
    const piped = async () => {
      await sender.call({ method: 'GET', path });
    };
    // Each task must work before it is timed, so a broken path cannot look fast.
    await direct();
    await piped();
    await bareParse();
    await pipelineOnly();
    if ((await cache.get()) !== token) throw new Error('the cache returned another token');
    if (pgStore && (await pgStore.get(key))?.value !== token) throw new Error('the PostgreSQL store returned another token');

    const bench = new Bench({ time: options.time ?? 1000 });
    bench.add('CredentialCache.get() hot (in memory)', async () => {
      await cache.get();
    });
    if (pgStore) {
      bench.add('PostgresTokenStore.get() (one round trip)', async () => {
        await pgStore.get(key);
      });
    }
    bench
      .add('bare: parse a ready Response', bareParse)
      .add('RequestSender.call() over a ready Response', pipelineOnly)
      .add(`fetch() ${path} to the emulator, fixed token`, direct)
      .add(`RequestSender.call() ${path} to the emulator`, piped);
    await bench.run();
    const rows = rowsOf(bench);

    if (options.print ?? true) {
      const find = (prefix: string) => rows.find((r) => r.task.startsWith(prefix))!;
      const bare = find('bare:');
      const pipeline = find('RequestSender.call() over');
      const http = find('fetch()');
      const sent = find(`RequestSender.call() ${path}`);
      console.log('Token lookup overhead per call (hot cache)');
      console.table(rows);
      console.log(
        `Pipeline overhead per call (token + limiter + errcode + events): ${(pipeline.meanMicroseconds - bare.meanMicroseconds).toFixed(2)} µs; ` +
          `end to end against the emulator: ${sent.meanMicroseconds} µs via RequestSender vs ${http.meanMicroseconds} µs bare fetch` +
          (pgStore ? '' : '; PostgreSQL not reachable, its row skipped'),
      );
    }
    return rows;
  } finally {
    await pgStore?.close();
    await db?.drop();
    await emu.close();
  }
}

if (import.meta.main) {
  await benchToken();
}
