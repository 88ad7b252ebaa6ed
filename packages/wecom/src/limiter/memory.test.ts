import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter, RateLimitWaitError, type Timers } from './memory.ts';
import { DEFAULT_QUOTA_RULES, windowsFor } from './rules.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A fake clock with timers: `advance(ms)` moves time and fires due timers in order. */
function fakeTime(start = 1_700_000_000_000) {
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
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    timers,
    now: () => now,
    async advance(ms: number) {
      const target = now + ms;
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

function limiter(options: { maxWaitMs?: number } = {}) {
  const time = fakeTime();
  const l = new MemoryRateLimiter({ now: time.now, timers: time.timers, ...options });
  return { time, limiter: l };
}

/** Starts `n` acquisitions and reports which have resolved so far. */
function track(promises: Promise<unknown>[]) {
  const done = new Set<number>();
  promises.forEach((p, i) => p.then(() => done.add(i), () => undefined));
  return done;
}

describe('quota rules', () => {
  it.each([
    ['api:/cgi-bin/message/send', [10_000, MINUTE, 150_000, HOUR]],
    ['member:zhangsan', [30, MINUTE, 1_000, HOUR]],
    ['robot:0123abcd', [20, MINUTE]],
  ])('%s follows §5', (quota, expected) => {
    expect(windowsFor(DEFAULT_QUOTA_RULES, quota).flatMap((w) => [w.limit, w.windowMs])).toEqual(expected);
  });

  it.each(['nope:x', 'member:', 'member', ''])('refuses %o with the known prefixes', async (quota) => {
    const { limiter: l } = limiter();
    await expect(l.acquire([quota])).rejects.toThrow(/quota names are <prefix>:<id> with prefix one of api, member, robot/);
  });
});

describe('MemoryRateLimiter', () => {
  it('grants at once while a quota has room', async () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 30; i++) expect(await l.acquire(['member:a'])).toBe(0);
    expect(l.remaining('member:a')).toBe(0);
    expect(l.remaining('member:b')).toBe(30);
  });

  it('member quota: the 31st message in a minute waits until the first leaves the window (WeCom would drop it)', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 30; i++) {
      await l.acquire(['member:a']);
      await time.advance(1_000); // one per second
    }
    const done = track([l.acquire(['member:a'])]);
    await time.advance(29_999); // first grant was at t=0: frees at t=60 000; now t=59 999
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
    const done = track([l.acquire(['member:a'])]);
    await time.advance(HOUR - 1_000 * 2_100 - 1);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });

  it('robot quota: 20 per minute', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    const done = track([l.acquire(['robot:k'])]);
    await time.advance(MINUTE - 1);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });

  it('is all-or-nothing: a call waiting on one member holds no unit of the others', async () => {
    const { limiter: l, time } = limiter();
    for (let i = 0; i < 30; i++) await l.acquire(['member:busy']);
    const waiting = track([l.acquire(['api:/cgi-bin/message/send', 'member:busy', 'member:idle'])]);
    await time.advance(10);
    expect(waiting.size).toBe(0);
    expect(l.remaining('member:idle')).toBe(30);
    // Others sending to the idle member go straight through meanwhile.
    expect(await l.acquire(['api:/cgi-bin/message/send', 'member:idle'])).toBe(0);
    await time.advance(MINUTE - 10); // t = 60 000: the busy member's first grant (t = 0) leaves the window
    expect(waiting.size).toBe(1);
    expect(l.remaining('member:idle')).toBe(28);
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
    await time.advance(MINUTE);
    expect(order).toEqual([0, 1, 2]);
    expect(await Promise.all(waits)).toEqual([MINUTE, MINUTE, MINUTE]);
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
    await time.advance(MINUTE);
    expect(second.size).toBe(1);
    // The 20 grants of t = 0 have left the window; only the second waiter's unit is taken, none for the aborted one.
    expect(l.remaining('robot:k')).toBe(19);
  });

  it('rejects at once when already aborted', async () => {
    const { limiter: l } = limiter();
    await expect(l.acquire(['robot:k'], AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
    expect(l.remaining('robot:k')).toBe(20);
  });

  it('with maxWaitMs, refuses a wait that would be longer', async () => {
    const { limiter: l } = limiter({ maxWaitMs: 5_000 });
    for (let i = 0; i < 20; i++) await l.acquire(['robot:k']);
    await expect(l.acquire(['robot:k'])).rejects.toBeInstanceOf(RateLimitWaitError);
    expect(l.waiting).toBe(0);
  });

  it('counts a quota named twice in one call once', async () => {
    const { limiter: l } = limiter();
    await l.acquire(['member:a', 'member:a']);
    expect(l.remaining('member:a')).toBe(29);
  });

  it('per-API quota: 10,000 a minute', async () => {
    const { limiter: l, time } = limiter();
    const path = 'api:/cgi-bin/user/get';
    for (let i = 0; i < 10_000; i++) await l.acquire([path]);
    const done = track([l.acquire([path])]);
    await time.advance(MINUTE - 1);
    expect(done.size).toBe(0);
    await time.advance(1);
    expect(done.size).toBe(1);
  });
});
