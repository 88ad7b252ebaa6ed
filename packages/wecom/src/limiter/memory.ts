/**
 * The in-process RateLimiter: exact sliding windows (a log of grant times per quota), all-or-nothing acquire,
 * first come first served among waiters, abortable waits, injectable clock and timers.
 *
 * A sliding log is the conservative choice: it never lets more than `limit` units into ANY window of
 * `windowMs`, so it stays under WeCom's quota whether WeCom counts in fixed or sliding windows (§5 does not say).
 */
import { DEFAULT_QUOTA_RULES, checkQuotaRules, windowsFor, type QuotaRules } from './rules.ts';
import type { QuotaWindow, RateLimiter } from './types.ts';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MemoryRateLimiterOptions {
  /** Quota prefix → windows. Default: the documented WeCom quotas (DEFAULT_QUOTA_RULES). */
  rules?: QuotaRules;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Default the global timers. */
  timers?: Timers;
  /** Reject instead of waiting longer than this (RateLimitWaitError). Default: wait as long as the quota needs. */
  maxWaitMs?: number;
}

/** Raised when a quota would be free only after `maxWaitMs`. */
export class RateLimitWaitError extends Error {
  readonly quotas: readonly string[];
  readonly waitMs: number;
  constructor(quotas: readonly string[], waitMs: number, maxWaitMs: number) {
    super(`quota ${quotas.join(', ')} is used up for ${Math.ceil(waitMs)} ms, longer than maxWaitMs ${maxWaitMs}`);
    this.name = 'RateLimitWaitError';
    this.quotas = quotas;
    this.waitMs = waitMs;
  }
}

/** Grant times of one quota, ascending, trimmed to its longest window. */
class GrantLog {
  readonly windows: readonly QuotaWindow[];
  readonly longest: number;
  #times: number[] = [];
  #head = 0;

  constructor(windows: readonly QuotaWindow[]) {
    this.windows = windows;
    this.longest = Math.max(...windows.map((w) => w.windowMs));
  }

  get size(): number {
    return this.#times.length - this.#head;
  }

  trim(now: number): void {
    const horizon = now - this.longest;
    while (this.#head < this.#times.length && this.#times[this.#head]! <= horizon) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Milliseconds until one more unit fits in every window (0 = now). */
  waitAt(now: number): number {
    let wait = 0;
    const len = this.#times.length;
    for (const { limit, windowMs } of this.windows) {
      if (this.size < limit) continue;
      // The unit frees when the limit-th most recent grant leaves the window.
      const blocking = this.#times[len - limit]!;
      wait = Math.max(wait, blocking + windowMs - now);
    }
    return wait;
  }

  /** Grants after `since` (binary search; the log is ascending). */
  countSince(since: number): number {
    let lo = this.#head;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#times[mid]! <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.#times.length - lo;
  }

  record(now: number): void {
    this.#times.push(now);
  }
}

interface Waiter {
  quotas: readonly string[];
  enqueuedAt: number;
  resolve(waitedMs: number): void;
  reject(error: unknown): void;
  detach(): void;
}

const SWEEP_EVERY_MS = 60_000;

export class MemoryRateLimiter implements RateLimiter {
  readonly #rules: QuotaRules;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #maxWaitMs: number;
  readonly #logs = new Map<string, GrantLog>();
  #waiters: Waiter[] = [];
  #timer: unknown;
  #lastSweep = 0;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#rules = checkQuotaRules(options.rules ?? DEFAULT_QUOTA_RULES);
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? { setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
  }

  /** Resolves with the milliseconds waited once one unit of every quota is taken; rejects on abort. */
  acquire(quotas: readonly string[], signal?: AbortSignal): Promise<number> {
    let names: string[];
    try {
      names = [...new Set(quotas)];
      for (const name of names) windowsFor(this.#rules, name);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.#now();
    this.#sweep(now);
    if (names.length === 0) return Promise.resolve(0);

    // Fast path: free now, and nobody older is queued for one of these quotas.
    if (!this.#waiters.some((w) => w.quotas.some((q) => names.includes(q))) && this.#waitFor(names, now) <= 0) {
      this.#take(names, now);
      return Promise.resolve(0);
    }

    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal!.reason);
        this.#pump();
      };
      const waiter: Waiter = {
        quotas: names,
        enqueuedAt: now,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /** Units left right now in the tightest window of a quota (for diagnostics and tests). */
  remaining(quota: string): number {
    const windows = windowsFor(this.#rules, quota);
    const log = this.#logs.get(quota);
    if (!log) return Math.min(...windows.map((w) => w.limit));
    const now = this.#now();
    log.trim(now);
    return Math.min(...windows.map((w) => w.limit - log.countSince(now - w.windowMs)));
  }

  /** How many callers are waiting. */
  get waiting(): number {
    return this.#waiters.length;
  }

  #waitFor(quotas: readonly string[], now: number): number {
    let wait = 0;
    for (const quota of quotas) {
      const log = this.#logs.get(quota);
      if (!log) continue;
      log.trim(now);
      wait = Math.max(wait, log.waitAt(now));
    }
    return wait;
  }

  #take(quotas: readonly string[], now: number): void {
    for (const quota of quotas) {
      let log = this.#logs.get(quota);
      if (!log) this.#logs.set(quota, (log = new GrantLog(windowsFor(this.#rules, quota))));
      log.record(now);
    }
  }

  /** Grants waiters in arrival order whenever their quotas are free; sleeps until the next one could be. */
  #pump(): void {
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const now = this.#now();
    let next = Number.POSITIVE_INFINITY;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      const wait = this.#waitFor(waiter.quotas, now);
      if (wait <= 0) {
        this.#take(waiter.quotas, now);
        waiter.detach();
        waiter.resolve(now - waiter.enqueuedAt);
      } else if (now + wait - waiter.enqueuedAt > this.#maxWaitMs) {
        waiter.detach();
        waiter.reject(new RateLimitWaitError(waiter.quotas, now + wait - waiter.enqueuedAt, this.#maxWaitMs));
      } else {
        still.push(waiter);
        next = Math.min(next, wait);
      }
    }
    this.#waiters = still;
    if (still.length > 0) this.#timer = this.#timers.setTimeout(() => this.#pump(), Math.max(1, Math.ceil(next)));
  }

  /** Forgets quotas with no grant inside their longest window (e.g. members not messaged for an hour). */
  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    for (const [quota, log] of this.#logs) {
      log.trim(now);
      if (log.size === 0) this.#logs.delete(quota);
    }
  }
}
