/**
 * Frequency windows (wecom-protocol.md §5), read from the emulator's clock so `advanceClock(60)` opens a
 * per-minute window again. As WeCom does, a quota that blocks keeps refusing for its block period once exceeded
 * — 60 s after a per-minute limit, 60 min after a per-hour one, until the end of the natural day after a daily
 * one — and the refused calls do not count. `timeScale` shrinks every window and block alike, so a test can run
 * "a minute" in a second.
 */
import type { Clock } from './clock.ts';

/** WeCom's natural day is Beijing time (UTC+8). */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** A sliding window of (time, units) per key. */
export class SlidingWindow {
  readonly #clock: Clock;
  readonly #windowMs: () => number;
  /** Per key: hits in order, their running total, and the index of the first one still inside the window. */
  readonly #hits = new Map<string, { times: number[]; units: number[]; head: number; total: number }>();

  constructor(clock: Clock, windowMs: () => number) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /** Units for `key` inside the window ending now. */
  count(key: string): number {
    return this.#prune(key)?.total ?? 0;
  }

  record(key: string, units = 1): void {
    const hits = this.#prune(key) ?? { times: [], units: [], head: 0, total: 0 };
    hits.times.push(this.#clock.now());
    hits.units.push(units);
    hits.total += units;
    this.#hits.set(key, hits);
  }

  clear(): void {
    this.#hits.clear();
  }

  #prune(key: string) {
    const hits = this.#hits.get(key);
    if (!hits) return undefined;
    const from = this.#clock.now() - this.#windowMs();
    while (hits.head < hits.times.length && hits.times[hits.head]! <= from) hits.total -= hits.units[hits.head++]!;
    // Compact once the expired prefix dominates, so long runs (benchmarks) stay O(1) amortised.
    if (hits.head > 1024 && hits.head * 2 > hits.times.length) {
      hits.times = hits.times.slice(hits.head);
      hits.units = hits.units.slice(hits.head);
      hits.head = 0;
    }
    return hits;
  }
}

/** Units per key per natural day (Beijing), for the daily quotas. */
class DayCounter {
  readonly #clock: Clock;
  readonly #dayMs: () => number;
  readonly #used = new Map<string, { day: number; units: number }>();

  constructor(clock: Clock, dayMs: () => number) {
    this.#clock = clock;
    this.#dayMs = dayMs;
  }

  day(): number {
    return Math.floor((this.#clock.now() + BEIJING_OFFSET_MS) / this.#dayMs());
  }

  /** When the current day ends (emulator clock). */
  endOfDay(): number {
    return (this.day() + 1) * this.#dayMs() - BEIJING_OFFSET_MS;
  }

  count(key: string): number {
    const entry = this.#used.get(key);
    return entry && entry.day === this.day() ? entry.units : 0;
  }

  record(key: string, units = 1): void {
    this.#used.set(key, { day: this.day(), units: this.count(key) + units });
  }

  clear(): void {
    this.#used.clear();
  }
}

export interface WindowLimit {
  /** Window length in seconds (before the time scale); `day` for a natural day. */
  seconds: number | 'day';
  limit: () => number;
  /**
   * Seconds every call is refused once the window was exceeded (before the time scale): 60 after a per-minute
   * limit, 3600 after a per-hour one (§5). A `day` window blocks until the day ends. Unset: no block, the excess
   * alone is refused (or dropped, for the quotas that drop).
   */
  blockSeconds?: () => number;
}

export interface TakeOutcome {
  /** -1 when taken; else the index of the window that is full (or blocks). */
  full: number;
  /** Set when the call is refused because of a block: when it ends (emulator clock). */
  blockedUntil?: number;
}

/**
 * Several windows checked together, e.g. per API 10,000/min and 150,000/hour: `take` records the units only when
 * every window has room, and starts the exceeded window's block otherwise.
 */
export class Quota {
  readonly #clock: Clock;
  readonly #windows: { window: SlidingWindow | DayCounter; spec: WindowLimit }[];
  readonly #scale: () => number;
  readonly #blocked = new Map<string, { until: number; window: number }>();

  constructor(clock: Clock, limits: WindowLimit[], timeScale: () => number = () => 1) {
    this.#clock = clock;
    this.#scale = timeScale;
    this.#windows = limits.map((spec) => ({
      spec,
      window:
        spec.seconds === 'day'
          ? new DayCounter(clock, () => 86_400_000 * timeScale())
          : new SlidingWindow(clock, () => (spec.seconds as number) * 1000 * timeScale()),
    }));
  }

  /** Which window is full (its index), or -1 after recording the hit. Kept for the callers that drop silently. */
  tryTake(key: string, units = 1): number {
    return this.take(key, units).full;
  }

  take(key: string, units = 1): TakeOutcome {
    const now = this.#clock.now();
    const blocked = this.#blocked.get(key);
    if (blocked && blocked.until > now) return { full: blocked.window, blockedUntil: blocked.until };
    if (blocked) this.#blocked.delete(key);
    const full = this.#windows.findIndex(({ window, spec }) => window.count(key) + units > spec.limit());
    if (full !== -1) {
      const { window, spec } = this.#windows[full]!;
      if (window instanceof DayCounter) {
        this.#blocked.set(key, { until: window.endOfDay(), window: full });
      } else if (spec.blockSeconds) {
        this.#blocked.set(key, { until: now + spec.blockSeconds() * 1000 * this.#scale(), window: full });
      }
      return { full, ...(this.#blocked.has(key) && { blockedUntil: this.#blocked.get(key)!.until }) };
    }
    for (const { window } of this.#windows) window.record(key, units);
    return { full: -1 };
  }

  /** Units used in each window for `key` (the control API's quota report). */
  used(key: string): number[] {
    return this.#windows.map(({ window }) => window.count(key));
  }

  blockedUntil(key: string): number | undefined {
    const blocked = this.#blocked.get(key);
    return blocked && blocked.until > this.#clock.now() ? blocked.until : undefined;
  }

  clear(): void {
    for (const { window } of this.#windows) window.clear();
    this.#blocked.clear();
  }
}
