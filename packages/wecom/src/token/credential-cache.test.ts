import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WeComEvents, type WeComEventMap } from '../events.ts';
import { CredentialCache, type FetchedCredential } from './credential-cache.ts';
import { MemoryTokenStore } from './memory-store.ts';
import type { CredentialKey, StoredCredential } from './store.ts';

const KEY: CredentialKey = { corpId: 'wwcache', agentId: 1000002, kind: 'access_token' };
const HOUR = 3_600_000;

/** A real MemoryTokenStore that counts what it is asked. */
class CountingStore extends MemoryTokenStore {
  gets = 0;
  sets = 0;
  override async get(key: CredentialKey) {
    this.gets++;
    return super.get(key);
  }
  override async set(key: CredentialKey, credential: StoredCredential) {
    this.sets++;
    return super.set(key, credential);
  }
}

/** A fetcher that hands out token-1, token-2, … (WeCom's gettoken, one level down), optionally slowly. */
function tokenSource(options: { expiresInSeconds?: number; gate?: Promise<void>; values?: string[] } = {}) {
  let n = 0;
  const source = {
    calls: 0,
    fail: undefined as Error | undefined,
    fetch: async (): Promise<FetchedCredential> => {
      source.calls++;
      await options.gate;
      if (source.fail) throw source.fail;
      n++;
      return { value: options.values?.[n - 1] ?? `token-${n}`, expiresInSeconds: options.expiresInSeconds ?? 7200 };
    },
  };
  return source;
}

function setup(options: { store?: CountingStore; source?: ReturnType<typeof tokenSource>; clock?: { t: number } } = {}) {
  const store = options.store ?? new CountingStore();
  const source = options.source ?? tokenSource();
  const clock = options.clock ?? { t: 1_000_000 };
  const events = new WeComEvents();
  const seen: Array<[string, unknown]> = [];
  for (const name of ['token:refresh', 'token:invalidate', 'token:error'] as const) {
    events.on(name, (payload: WeComEventMap[typeof name]) => seen.push([name, payload]));
  }
  const cache = new CredentialCache({ key: KEY, store, fetch: source.fetch, now: () => clock.t, events });
  return { store, source, clock, cache, seen };
}

describe('CredentialCache', () => {
  it('fetches once for 50 concurrent callers and then serves from memory without touching the store', async () => {
    const { cache, source, store } = setup();
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(new Set(values)).toEqual(new Set(['token-1']));
    expect(source.calls).toBe(1);
    const gets = store.gets;
    for (let i = 0; i < 100; i++) await cache.get();
    expect(store.gets).toBe(gets);
  });

  it('adopts a fresh token another process stored instead of fetching', async () => {
    const store = new CountingStore();
    await store.set(KEY, { value: 'from-elsewhere', fetchedAt: 1_000_000, expiresAt: 1_000_000 + 2 * HOUR });
    const { cache, source } = setup({ store });
    expect(await cache.get()).toBe('from-elsewhere');
    expect(source.calls).toBe(0);
  });

  it('refreshes ahead at 80%: serves the old token while one background refresh runs', async () => {
    const { cache, source, clock, seen } = setup();
    expect(await cache.get()).toBe('token-1');
    clock.t += 0.79 * 2 * HOUR;
    expect(await cache.get()).toBe('token-1');
    expect(source.calls).toBe(1);
    clock.t += 0.02 * 2 * HOUR; // 81%
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['token-1', 'token-1', 'token-1']);
    await tick();
    await tick();
    expect(source.calls).toBe(2);
    expect(await cache.get()).toBe('token-2');
    expect(seen.filter(([name]) => name === 'token:refresh').map(([, p]) => (p as { reason: string }).reason)).toEqual(['missing', 'due']);
  });

  it('waits for a new token once the cached one has expired', async () => {
    const { cache, source, clock } = setup();
    await cache.get();
    clock.t += 2 * HOUR;
    expect(await cache.get()).toBe('token-2');
    expect(source.calls).toBe(2);
  });

  it('does not extend the life of a token WeCom hands back unchanged (§2)', async () => {
    const source = tokenSource({ values: ['same', 'same'] });
    const { cache, clock } = setup({ source });
    await cache.get();
    const first = cache.peek()!;
    clock.t += 0.81 * 2 * HOUR;
    expect(await cache.refreshIfDue()).toBe(true);
    expect(cache.peek()!.expiresAt).toBe(first.expiresAt);
  });

  it('refreshIfDue fetches only when due, and not when another process already refreshed', async () => {
    const store = new CountingStore();
    const clock = { t: 1_000_000 };
    const a = setup({ store, clock });
    const b = setup({ store, clock, source: tokenSource({ values: ['b-token'] }) });
    expect(await a.cache.refreshIfDue()).toBe(true); // nothing stored yet
    expect(await a.cache.refreshIfDue()).toBe(false);
    clock.t += 0.85 * 2 * HOUR;
    expect(await b.cache.refreshIfDue()).toBe(true);
    expect(await a.cache.refreshIfDue()).toBe(false); // b's token is fresh
    expect(await a.cache.get()).toBe('b-token');
    expect(a.source.calls).toBe(1);
  });

  it('invalidate deletes only the token that failed, and the next get adopts the newer one without a fetch', async () => {
    const store = new CountingStore();
    const clock = { t: 1_000_000 };
    const a = setup({ store, clock });
    const b = setup({ store, clock, source: tokenSource({ values: ['b-token'] }) });
    expect(await a.cache.get()).toBe('token-1');
    // b sees token-1 fail first and refreshes.
    expect(await b.cache.get()).toBe('token-1');
    expect(await b.cache.invalidate('token-1', 40014)).toBe(true);
    expect(await b.cache.get()).toBe('b-token');
    // a's call with token-1 fails later: the store holds b-token now, which must survive.
    expect(await a.cache.invalidate('token-1', 40014)).toBe(false);
    expect((await store.get(KEY))?.value).toBe('b-token');
    expect(await a.cache.get()).toBe('b-token');
    expect(a.source.calls).toBe(1);
    expect(a.seen).toContainEqual(['token:invalidate', { corpId: 'wwcache', agentId: 1000002, kind: 'access_token', deleted: false, errcode: 40014 }]);
  });

  it('never adopts a token it was told failed, even if a slow load read it before the invalidation', async () => {
    const { cache, store, source } = setup();
    await store.set(KEY, { value: 'bad', fetchedAt: 1_000_000, expiresAt: 1_000_000 + 2 * HOUR });
    const loading = cache.get(); // reads the store…
    await cache.invalidate('bad'); // …while a call reports 'bad' invalid
    const after = cache.get();
    expect(await loading).not.toBe('bad');
    expect(await after).toBe('token-1');
    expect(source.calls).toBe(1);
  });

  it('a failed fetch reaches every waiter, and the next get tries again', async () => {
    const source = tokenSource();
    source.fail = new Error('gettoken failed');
    const { cache } = setup({ source });
    const results = await Promise.allSettled([cache.get(), cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(source.calls).toBe(1);
    source.fail = undefined;
    expect(await cache.get()).toBe('token-1');
  });

  it('a failed background refresh is reported and the cached token stays in use', async () => {
    const { cache, source, clock, seen } = setup();
    await cache.get();
    source.fail = new Error('system busy');
    clock.t += 0.9 * 2 * HOUR;
    expect(await cache.get()).toBe('token-1');
    await tick();
    await tick();
    expect(seen.some(([name, p]) => name === 'token:error' && (p as { message: string }).message === 'system busy')).toBe(true);
    expect(await cache.get()).toBe('token-1');
    // It does not hammer WeCom on every call meanwhile; 30 s later it tries again, and succeeds.
    await tick();
    expect(source.calls).toBe(2);
    source.fail = undefined;
    clock.t += 30_000;
    expect(await cache.get()).toBe('token-1');
    await tick();
    await tick();
    expect(source.calls).toBe(3);
    expect(await cache.get()).toBe('token-2');
  });

  it('lets one caller stop waiting without cancelling the fetch for the others', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { cache } = setup({ source: tokenSource({ gate }) });
    const controller = new AbortController();
    const impatient = cache.get(controller.signal);
    const patient = cache.get();
    controller.abort(new Error('caller gave up'));
    await expect(impatient).rejects.toThrow('caller gave up');
    open();
    expect(await patient).toBe('token-1');
  });

  it('never puts a token value in an event', async () => {
    const { cache, seen, clock } = setup();
    await cache.get();
    await cache.invalidate('token-1', 42001);
    clock.t += 1;
    await cache.get();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(seen)).not.toMatch(/token-\d/);
  });

  it('is generic: a JS-SDK ticket is cached the same way under its own key', async () => {
    const store = new CountingStore();
    const ticketKey: CredentialKey = { ...KEY, kind: 'agent_config_ticket' };
    const cache = new CredentialCache({ key: ticketKey, store, fetch: async () => ({ value: 'ticket-1', expiresInSeconds: 7200 }) });
    expect(await cache.get()).toBe('ticket-1');
    expect((await store.get(ticketKey))?.value).toBe('ticket-1');
    expect(await store.get(KEY)).toBeUndefined();
  });
});
