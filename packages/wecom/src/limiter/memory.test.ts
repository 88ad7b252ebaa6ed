import { describe, expect, it } from 'vitest';
import { QuotaLimiter, RateLimitWaitError, type Timers } from './limiter.ts';
import { MemoryQuotaStore } from './memory-store.ts';
import { MemoryRateLimiter } from './memory.ts';
import { DEFAULT_QUOTA_RULES, wecomQuotaRules, windowsFor, type QuotaRules } from './rules.ts';
import type { QuotaStore } from './store.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const START = Date.UTC(2030, 0, 7, 2, 0, 0); // a whole minute, 10:00 in Beijing

/** A fake clock with timers: `advance(ms)` moves time and fires due timers in order. */
function fakeTime(start = START) {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { at: number; cb: () => void }>();
  const timers: Timers = {
    setTimeout(cb, ms) {
      const id = ++seq;
      pending.set(id, { at: now + ms, cb });
      return id;
    },
    clearTimeout(id) {
      pending.delete(id as number);
    },
  };
  const flush = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    timers,
    now: () => now,
    flush,
    async advance(ms: number) {
      const target = now + ms;
      await flush();
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].cb();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}

/** Counts the store's round trips. */
function countingStore(store: QuotaStore = new MemoryQuotaStore()) {
  const calls = { take: 0, release: 0 };
  const counted: QuotaStore = {
    take: (r, now) => (calls.take++, store.take(r, now)),
    release: (r, now) => (calls.release++, store.release(r, now)),
    block: (...a) => store.block(...a),
    peek: (...a) => store.peek(...a),
  };
  return { store: counted, calls };
}

function limiter(options: { maxWaitMs?: number; rules?: QuotaRules; store?: QuotaStore; time?: ReturnType<typeof fakeTime> } = {}) {
  const time = options.time ?? fakeTime();
  const l = new QuotaLimiter({ now: time.now, timers: time.timers, scope: { corpId: 'wwtest', agentId: 1 }, ...options });
  return { time, limiter: l };
}

/** Starts acquisitions and reports which have resolved (or rejected) so far. */
function track(promises: Promise<unknown>[]) {
  const done = new Set<number>();
  const failed = new Map<number, unknown>();
  promises.forEach((p, i) =>
    p.then(
      () => done.add(i),
      (error: unknown) => failed.set(i, error),
    ),
  );
  return { done, failed };
}

const remaining = async (l: QuotaLimiter, quota: string) => (await l.usage(quota)).map((u) => u.remaining);

describe('quota rules', () => {
  it.each([
    ['api:/cgi-bin/message/send', [10_000, MINUTE, 150_000, HOUR]],
    ['ip:/cgi-bin/message/send', [20_000, MINUTE, 600_000, HOUR]],
    ['member:zhangsan', [30, MINUTE, 1_000, HOUR]],
    ['robot:0123abcd', [20, MINUTE]],
    ['corp-ticket:jsapi', [400, HOUR]],
    ['app-ticket:agent_config', [100, HOUR]],
    ['chat-send:corp', [20_000, MINUTE, 300_000, HOUR]],
    ['chat-create:corp', [1_000, 86_400_000]],
    ['chat-update:corp', [1_000, HOUR]],
  ])('%s follows §5', (quota, expected) => {
    expect(windowsFor(DEFAULT_QUOTA_RULES, quota).flatMap((w) => [w.limit, w.windowMs])).toEqual(expected);
  });

  it('the daily message quota is seat limit × 200 person-times, unenforced without a seat limit', () => {
    expect(windowsFor(DEFAULT_QUOTA_RULES, 'day:message')).toEqual([]);
    expect(windowsFor(wecomQuotaRules({ seatLimit: 500 }), 'day:message')).toMatchObject([{ limit: 100_000, kind: 'calendar' }]);
    expect(() => wecomQuotaRules({ seatLimit: 0 })).toThrow(/seatLimit must be a whole number/);
  });

  it.each(['nope:x', 'member:', 'member', ''])('refuses %o with the known prefixes', async (quota) => {
    const { limiter: l } = limiter();
    await expect(l.acquire([quota])).rejects.toThrow(/quota names are <prefix>:<id> with prefix one of api, ip, member, day/);
  });
});

describe('QuotaLimiter on a memory store', () => {
  it('grants at once while a quota has room', async () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 30; i++) expect(await l.acquire(['member:a'])).toBe(0);
    expect(await remaining(l, 'member:a')).toEqual([0, 970]);
    expect(await remaining(l, 'member:b')).toEqual([30, 1000]);
  });

  it('member quota: the 31st message waits until the minute, its margin and the slice have passed (WeCom would drop it)', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 30; i++) await l.acquire(['member:a']);
    const { done } = track([l.acquire(['member:a'])]);
    await time.advance(61_499);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });

  it('member quota: 1,000 per hour even when each minute stays under 30', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 1_000; i++) {
      await l.acquire(['member:a']);
      await time.advance(2_100); // 28.6/min, 1000 in 35 minutes
    }
    const { done } = track([l.acquire(['member:a'])]);
    // The first grant's 30-second slice counts until an hour and a second after its end, rounded up to a slice.
    await time.advance(START + 3_660_000 - time.now() - 1);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });

  it('robot quota: 20 per minute', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    const { done } = track([l.acquire(['robot:k'])]);
    await time.advance(61_499);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });

  it('is all-or-nothing: a call waiting on one member holds no unit of the others', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 30; i++) await l.acquire(['member:busy']);
    const waiting = track([l.acquire(['api:/cgi-bin/message/send', 'member:busy', 'member:idle'])]);
    await time.advance(10);
    expect(waiting.done.size).toBe(0);
    expect(await remaining(l, 'member:idle')).toEqual([30, 1000]);
    // Others sending to the idle member go straight through meanwhile.
    expect(await l.acquire(['api:/cgi-bin/message/send', 'member:idle'])).toBe(0);
    await time.advance(61_500 - 10);
    expect(waiting.done.size).toBe(1);
    // The idle member's first unit (t = 10 ms) has just left the minute; both are in the hour.
    expect(await remaining(l, 'member:idle')).toEqual([29, 998]);
  });

  it('serves waiters on the same quota in arrival order and reports how long each waited', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    const order: number[] = [];
    const waits = Array.from({ length: 3 }, (_, i) =>
      l.acquire(['robot:k']).then((waited) => {
        order.push(i);
        return waited;
      }),
    );
    await time.advance(62_000);
    expect(order).toEqual([0, 1, 2]);
    expect(await Promise.all(waits)).toEqual([61_500, 61_500, 61_500]);
  });

  it('priority: when a quota is short, urgent waiters go first, then normal, low and bulk, each in arrival order', async () => {
    const rules: QuotaRules = { robot: { scope: 'global', windows: [{ limit: 2, windowMs: MINUTE }] } };
    const { limiter: l, time } = limiter({ rules });
    await l.acquire(['robot:k']);
    await l.acquire(['robot:k']);
    const order: string[] = [];
    const ask = (label: string, priority: 'urgent' | 'normal' | 'low' | 'bulk') => l.acquire(['robot:k'], { priority }).then(() => order.push(label));
    const all = [ask('bulk 1', 'bulk'), ask('low 1', 'low'), ask('normal 1', 'normal'), ask('urgent 1', 'urgent'), ask('bulk 2', 'bulk'), ask('urgent 2', 'urgent')];
    for (let minute = 0; minute < 3; minute++) await time.advance(61_500);
    await Promise.all(all);
    expect(order).toEqual(['urgent 1', 'urgent 2', 'normal 1', 'low 1', 'bulk 1', 'bulk 2']);
  });

  it('an aborted wait rejects with the reason, takes nothing and lets the next waiter through', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    const controller = new AbortController();
    const first = l.acquire(['robot:k'], controller.signal);
    const second = track([l.acquire(['robot:k'])]);
    controller.abort(new Error('shutting down'));
    await expect(first).rejects.toThrow('shutting down');
    expect(l.waiting).toBe(1);
    await time.advance(61_500);
    expect(second.done.size).toBe(1);
    expect(await remaining(l, 'robot:k')).toEqual([19]);
  });

  it('rejects at once when already aborted', async () => {
    const { limiter: l } = limiter();
    await expect(l.acquire(['robot:k'], AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
    expect(await remaining(l, 'robot:k')).toEqual([20]);
  });

  it('with maxWaitMs, refuses a wait that would be longer and says when to come back', async () => {
    const { limiter: l, time } = limiter({ maxWaitMs: 5_000 });
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    const error = await l.acquire(['robot:k']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect((error as RateLimitWaitError).retryAt).toBe(START + 61_500);
    expect((error as RateLimitWaitError).quotas).toEqual(['robot:k']);
    expect(l.waiting).toBe(0);
    // A per-call maxWaitMs overrides the limiter's.
    const patient = track([l.acquire(['robot:k'], { maxWaitMs: 70_000 })]);
    await time.advance(61_500);
    expect(patient.done.size).toBe(1);
  });

  it('refuses at once what a quota can never hold', async () => {
    const { limiter: l } = limiter({ rules: wecomQuotaRules({ seatLimit: 1 }) });
    await expect(l.acquire([{ quota: 'day:message', units: 201 }])).rejects.toThrow(/can never grant 201 units at once: at most 200/);
    await expect(l.acquire([{ quota: 'day:message', units: 161 }], { priority: 'bulk' })).rejects.toThrow(/at most 160 for a bulk request/);
  });

  it('counts a quota named twice in one call once', async () => {
    const { limiter: l } = limiter();
    await l.acquire(['member:a', 'member:a']);
    expect(await remaining(l, 'member:a')).toEqual([29, 999]);
  });

  it('the daily quota: bulk sends leave the last 20% to the others and wait for the next natural day', async () => {
    const { limiter: l, time } = limiter({ rules: wecomQuotaRules({ seatLimit: 1 }) }); // 200 person-times a day
    await l.acquire([{ quota: 'day:message', units: 150 }], { priority: 'bulk' });
    const digest = l.acquire([{ quota: 'day:message', units: 20 }], { priority: 'bulk', maxWaitMs: 60_000 }).catch((e: unknown) => e);
    expect(await digest).toMatchObject({ name: 'RateLimitWaitError', retryAt: Date.UTC(2030, 0, 7, 16) }); // Beijing midnight
    expect(await l.acquire([{ quota: 'day:message', units: 50 }], { priority: 'urgent' })).toBe(0);
    const tomorrow = track([l.acquire([{ quota: 'day:message', units: 20 }], { priority: 'bulk' })]);
    await time.advance(Date.UTC(2030, 0, 7, 16) - time.now() - 1);
    expect(tomorrow.done.size).toBe(0);
    await time.advance(1);
    expect(tomorrow.done.size).toBe(1);
  });

  it('a smooth quota: an even pace just under its limit, instead of a minute\'s quota in seconds and then nothing', async () => {
    const { store, calls } = countingStore();
    const rules: QuotaRules = { api: { scope: 'corp', lease: 8, windows: [{ limit: 600, windowMs: MINUTE, kind: 'smooth', burst: 10 }] } };
    const { limiter: l, time } = limiter({ store, rules });
    const grantsAt: number[] = [];
    const pending = Array.from({ length: 700 }, () => l.acquire(['api:/cgi-bin/user/get']).then(() => grantsAt.push(time.now())));
    await time.advance(61_000);
    // 10 at once (the bucket), then 590 per 61 s.
    expect(grantsAt.length).toBeGreaterThanOrEqual(595);
    expect(grantsAt.length).toBeLessThanOrEqual(600);
    expect(grantsAt.filter((t) => t < START + 30_500).length).toBeLessThanOrEqual(10 + 295 + 8);
    await time.advance(20_000);
    await Promise.all(pending);
    let most = 0;
    for (let i = 0, j = 0; i < grantsAt.length; i++) {
      while (grantsAt[j]! <= grantsAt[i]! - 61_000) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(600);
    // Taken from the store in lots, not one round trip per call.
    expect(calls.take).toBeLessThan(700 / 2);
  });

  it('a hot quota is taken in lots, held briefly, and what is not used goes back', async () => {
    const { store, calls } = countingStore();
    const rules: QuotaRules = { day: { scope: 'app', lease: 32, windows: [{ limit: 2_000, windowMs: 86_400_000, kind: 'calendar' }] } };
    const { limiter: l, time } = limiter({ store, rules });
    await Promise.all(Array.from({ length: 10 }, () => l.acquire([{ quota: 'day:message', units: 1 }])));
    expect(calls.take).toBe(1);
    // The first call's request took one unit and 32 ahead; the store counts all of them until the rest go back.
    expect((await l.usage('day:message'))[0]!.used).toBe(1 + 32);
    await time.advance(500); // the lease is over: the 32 go back
    expect(calls.release).toBe(1);
    expect((await l.usage('day:message'))[0]!.used).toBe(10);
  });

  it('two limiters on one store (two processes) share every quota', async () => {
    const time = fakeTime();
    const store = new MemoryQuotaStore();
    const a = limiter({ store, time }).limiter;
    const b = limiter({ store, time }).limiter;
    const sends = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire(['member:shared']));
    const { done } = track(sends);
    await time.flush();
    expect(done.size).toBe(30);
    await time.advance(61_500);
    expect(done.size).toBe(40);
  });

  it('penalize: after a 45009 nothing of that quota is granted for the block, in any process sharing the store', async () => {
    const time = fakeTime();
    const store = new MemoryQuotaStore();
    const a = limiter({ store, time }).limiter;
    const b = limiter({ store, time }).limiter;
    await a.acquire(['api:/cgi-bin/message/send']);
    await a.penalize(['api:/cgi-bin/message/send'], 60_000);
    const waiting = track([a.acquire(['api:/cgi-bin/message/send']), b.acquire(['api:/cgi-bin/message/send'])]);
    await time.advance(59_999);
    expect(waiting.done.size).toBe(0);
    await time.advance(1);
    expect(waiting.done.size).toBe(2);
  });

  it('a store that fails rejects the waiting calls with its error (the caller retries later)', async () => {
    const broken: QuotaStore = {
      take: async () => {
        throw new Error('database is down');
      },
      release: async () => undefined,
      block: async () => undefined,
      peek: async () => [],
    };
    const { limiter: l } = limiter({ store: broken });
    await expect(l.acquire(['member:a'])).rejects.toThrow('database is down');
    expect(l.waiting).toBe(0);
  });

  it('units taken ahead for an urgent send never let a bulk one past its reserve', async () => {
    const rules: QuotaRules = { day: { scope: 'app', lease: 50, windows: [{ limit: 100, windowMs: 86_400_000, kind: 'calendar', reserve: { bulk: 0.2 } }] } };
    const { limiter: l } = limiter({ rules, maxWaitMs: 1_000 });
    await l.acquire([{ quota: 'day:message', units: 85 }], { priority: 'urgent' }); // takes 85 + up to 50 ahead: all 100
    // 15 are held here, taken under the urgent request's (empty) reserve: a bulk send may not use them — they go
    // back, and the store says the day has no more for bulk (85 used, 20 held back).
    await expect(l.acquire([{ quota: 'day:message', units: 1 }], { priority: 'bulk' })).rejects.toBeInstanceOf(RateLimitWaitError);
    expect(await l.acquire([{ quota: 'day:message', units: 15 }], { priority: 'urgent' })).toBe(0);
  });

  it('MemoryRateLimiter is the limiter on its own memory store', async () => {
    const l = new MemoryRateLimiter();
    expect(await l.acquire(['member:x', 'api:/cgi-bin/message/send'])).toBe(0);
    await l.close();
    await expect(l.acquire(['member:x'])).rejects.toThrow(/closed/);
  });
});
