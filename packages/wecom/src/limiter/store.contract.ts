/**
 * The contract every QuotaStore passes (style habit 11: one spec, every implementation): memory, PostgreSQL and
 * Redis answer the same batches with the same numbers, and a shared store never grants more than a window holds
 * however many processes ask at once. Times are given explicitly, so the arithmetic is exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { QuotaStore } from './store.ts';
import { resolveWindow, type ResolvedWindow } from './windows.ts';

export interface QuotaStoreSubject {
  /** Opens a store; for shared stores every call is a new instance (a separate process's view). */
  open(): Promise<QuotaStore>;
  shared: boolean;
}

let seq = 0;
const freshKey = (label: string) => `contract|${process.pid}|${label}|${++seq}`;

const T0 = Date.UTC(2030, 0, 7, 2, 0, 0); // 10:00 in Beijing
const MINUTE = 60_000;

const member = () => [resolveWindow({ limit: 30, windowMs: MINUTE }), resolveWindow({ limit: 1000, windowMs: 3_600_000 })];
const api = (priority: 'normal' | 'bulk' = 'normal') =>
  [resolveWindow({ limit: 10_000, windowMs: MINUTE, kind: 'smooth', burst: 100, reserve: { bulk: 0.5 } }, priority)] as const;
const day = (priority: 'normal' | 'bulk' = 'normal') => [resolveWindow({ limit: 1000, windowMs: 86_400_000, kind: 'calendar', reserve: { bulk: 0.2 } }, priority)] as const;

export function quotaStoreContract(name: string, subject: QuotaStoreSubject): void {
  describe(`${name} (QuotaStore contract)`, () => {
    const opened: QuotaStore[] = [];
    const open = async () => {
      const store = await subject.open();
      opened.push(store);
      return store;
    };
    afterAll(async () => {
      for (const store of new Set(opened)) await store.close?.();
    });
    const takeOne = async (store: QuotaStore, key: string, windows: readonly ResolvedWindow[], now: number, min = 1, max = min) =>
      (await store.take([{ key, windows, min, max }], now))[0]!;

    it('sliding: 30 a minute at once, the 31st when the first slice leaves the minute and its margin', async () => {
      const store = await open();
      const key = freshKey('member');
      expect(await takeOne(store, key, member(), T0, 30)).toEqual({ granted: 30, retryAt: T0 });
      const refused = await takeOne(store, key, member(), T0 + 1_000);
      expect(refused.granted).toBe(0);
      // Slices of 500 ms; the first one counts until 61 s (window + margin) after its end.
      expect(refused.retryAt).toBe(T0 + 61_500);
      expect((await takeOne(store, key, member(), T0 + 61_499)).granted).toBe(0);
      expect(await takeOne(store, key, member(), T0 + 61_500)).toEqual({ granted: 1, retryAt: T0 + 61_500 });
    });

    it('sliding: the hour window holds when each minute has room', async () => {
      const store = await open();
      const key = freshKey('member-hour');
      for (let minute = 0; minute < 33; minute++) expect((await takeOne(store, key, member(), T0 + minute * 62_000, 30)).granted).toBe(30);
      expect((await takeOne(store, key, member(), T0 + 33 * 62_000, 10)).granted).toBe(10);
      const refused = await takeOne(store, key, member(), T0 + 33 * 62_000 + 1_000);
      // The hour's slices are 30 s: minute 0's counts until an hour and the margin have passed since its end,
      // rounded up to a whole slice.
      expect(refused).toEqual({ granted: 0, retryAt: T0 + 3_660_000 });
      expect((await takeOne(store, key, member(), T0 + 3_659_999)).granted).toBe(0);
      expect((await takeOne(store, key, member(), T0 + 3_660_000)).granted).toBe(1);
    });

    it('takes between min and max, and nothing when min is not there', async () => {
      const store = await open();
      const key = freshKey('partial');
      expect(await takeOne(store, key, member(), T0, 1, 20)).toEqual({ granted: 20, retryAt: T0 });
      expect(await takeOne(store, key, member(), T0, 1, 20)).toEqual({ granted: 10, retryAt: T0 });
      expect((await takeOne(store, key, member(), T0, 1, 20)).granted).toBe(0);
    });

    it('smooth: a full bucket, then the refill rate of (limit − burst) per window and margin', async () => {
      const store = await open();
      const key = freshKey('api');
      expect((await takeOne(store, key, api(), T0, 100)).granted).toBe(100);
      const refused = await takeOne(store, key, api(), T0, 8);
      // 9,900 units per 61 s: 8 units take 49.3 ms.
      expect(refused).toEqual({ granted: 0, retryAt: T0 + Math.ceil(8 / (9_900 / 61_000)) });
      expect((await takeOne(store, key, api(), refused.retryAt, 8)).granted).toBe(8);
      // Idle for an hour: still only a bucketful at once.
      expect(await takeOne(store, key, api(), T0 + 3_600_000, 1, 500)).toEqual({ granted: 100, retryAt: T0 + 3_600_000 });
    });

    it('smooth: over any 61 s no more than the limit, however it is asked', async () => {
      const store = await open();
      const key = freshKey('api-pace');
      let granted = 0;
      for (let t = T0; t < T0 + 61_000; t += 37) granted += (await takeOne(store, key, api(), t, 1, 50)).granted;
      expect(granted).toBeLessThanOrEqual(10_000);
      expect(granted).toBeGreaterThan(9_800);
    });

    it('reserve: a bulk request leaves the last share for the others', async () => {
      const store = await open();
      const key = freshKey('day');
      expect((await takeOne(store, key, day('bulk'), T0, 1, 5_000)).granted).toBe(800);
      expect((await takeOne(store, key, day('bulk'), T0)).retryAt).toBe(Date.UTC(2030, 0, 7, 16)); // Beijing midnight
      expect((await takeOne(store, key, day('normal'), T0, 1, 5_000)).granted).toBe(200);
      const bucket = freshKey('api-bulk');
      expect((await takeOne(store, bucket, api('bulk'), T0, 1, 500)).granted).toBe(50);
      expect((await takeOne(store, bucket, api('normal'), T0, 1, 500)).granted).toBe(50);
    });

    it('calendar: a natural day in Beijing time, from midnight to midnight', async () => {
      const store = await open();
      const key = freshKey('day-reset');
      const midnight = Date.UTC(2030, 0, 7, 16);
      expect((await takeOne(store, key, day(), midnight - 1, 1000)).granted).toBe(1000);
      expect(await takeOne(store, key, day(), midnight - 1)).toEqual({ granted: 0, retryAt: midnight });
      expect((await takeOne(store, key, day(), midnight, 1000)).granted).toBe(1000);
    });

    it('never: a request larger than a window can ever hold says so (-1)', async () => {
      const store = await open();
      expect(await takeOne(store, freshKey('never'), member(), T0, 31)).toEqual({ granted: 0, retryAt: -1 });
      expect(await takeOne(store, freshKey('never-smooth'), api(), T0, 101)).toEqual({ granted: 0, retryAt: -1 });
    });

    it('release gives unused units back (to their slice, to the bucket, to the day)', async () => {
      const store = await open();
      const key = freshKey('release');
      await takeOne(store, key, member(), T0, 30);
      await store.release([{ key, windows: member(), units: 5, takenAt: T0 }], T0 + 10_000);
      expect((await takeOne(store, key, member(), T0 + 10_000, 1, 30)).granted).toBe(5);
      const bucket = freshKey('release-api');
      await takeOne(store, bucket, api(), T0, 100);
      await store.release([{ key: bucket, windows: api(), units: 40, takenAt: T0 }], T0);
      expect((await takeOne(store, bucket, api(), T0, 1, 100)).granted).toBe(40);
      const today = freshKey('release-day');
      await takeOne(store, today, day(), T0, 1000);
      await store.release([{ key: today, windows: day(), units: 3, takenAt: T0 }], T0 + 1);
      expect((await takeOne(store, today, day(), T0 + 2, 1, 10)).granted).toBe(3);
    });

    it('take with releases: the units given back first, in the same round trip', async () => {
      const store = await open();
      const key = freshKey('release-then-take');
      await takeOne(store, key, member(), T0, 30);
      const [result] = await store.take([{ key, windows: member(), min: 2, max: 2 }], T0 + 1, [{ key, windows: member(), units: 2, takenAt: T0 }]);
      expect(result).toEqual({ granted: 2, retryAt: T0 + 1 });
    });

    it('block: nothing before its end, then as before', async () => {
      const store = await open();
      const key = freshKey('block');
      await store.block(key, api(), T0 + 60_000, T0);
      expect(await takeOne(store, key, api(), T0 + 1)).toEqual({ granted: 0, retryAt: T0 + 60_000 });
      expect((await takeOne(store, key, api(), T0 + 60_000)).granted).toBe(1);
    });

    it('peek: used, remaining and the day\'s reset', async () => {
      const store = await open();
      const key = freshKey('peek');
      await takeOne(store, key, day(), T0, 250);
      expect(await store.peek(key, day(), T0 + 5)).toEqual([
        { id: 'calendar:86400000', kind: 'calendar', limit: 1000, used: 250, remaining: 750, resetsAt: Date.UTC(2030, 0, 7, 16) },
      ]);
      const fresh = await store.peek(freshKey('peek-fresh'), member(), T0);
      expect(fresh.map((u) => u.remaining)).toEqual([30, 1000]);
    });

    it('one batch: several requests, the same key twice in order, each all or nothing over its windows', async () => {
      const store = await open();
      const a = freshKey('batch-a');
      const b = freshKey('batch-b');
      const results = await store.take(
        [
          { key: a, windows: member(), min: 20, max: 20 },
          { key: b, windows: member(), min: 1, max: 1 },
          { key: a, windows: member(), min: 20, max: 20 },
          { key: a, windows: member(), min: 10, max: 10 },
        ],
        T0,
      );
      expect(results.map((r) => r.granted)).toEqual([20, 1, 0, 10]);
    });

    it('a clock that goes back never reopens a window', async () => {
      const store = await open();
      const key = freshKey('skew');
      await takeOne(store, key, member(), T0 + 10_000, 30);
      expect((await takeOne(store, key, member(), T0)).granted).toBe(0);
      expect((await takeOne(store, key, member(), T0 + 71_500)).granted).toBe(1);
    });

    it(subject.shared ? 'shared: 60 takes at once from 6 instances grant exactly the 30 a member may have' : 'concurrent takes grant exactly the limit', async () => {
      const stores = subject.shared ? await Promise.all(Array.from({ length: 6 }, open)) : [await open()];
      const key = freshKey('race');
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => takeOne(stores[i % stores.length]!, key, member(), T0 + (i % 3))));
      expect(results.reduce((n, r) => n + r.granted, 0)).toBe(30);
      const hot = freshKey('race-api');
      const leases = await Promise.all(Array.from({ length: 30 }, (_, i) => takeOne(stores[i % stores.length]!, hot, api(), T0, 1, 16)));
      expect(leases.reduce((n, r) => n + r.granted, 0)).toBe(100);
    });
  });
}
