/**
 * Frequency windows (wecom-protocol.md §5). A sliding window of timestamps per key, read from the emulator's
 * clock, so `advanceClock(60)` opens a per-minute window again.
 */
import type { Clock } from './clock.ts';

export class SlidingWindow {
  readonly #clock: Clock;
  readonly #windowMs: number;
  /** Per key: hit times in order, and the index of the first one still inside the window. */
  readonly #hits = new Map<string, { times: number[]; head: number }>();

  constructor(clock: Clock, windowSeconds: number) {
    this.#clock = clock;
    this.#windowMs = windowSeconds * 1000;
  }

  /** Hits for `key` inside the window ending now. */
  count(key: string): number {
    const hits = this.#prune(key);
    return hits ? hits.times.length - hits.head : 0;
  }

  record(key: string): void {
    const hits = this.#prune(key) ?? { times: [], head: 0 };
    hits.times.push(this.#clock.now());
    this.#hits.set(key, hits);
  }

  clear(): void {
    this.#hits.clear();
  }

  #prune(key: string): { times: number[]; head: number } | undefined {
    const hits = this.#hits.get(key);
    if (!hits) return undefined;
    const from = this.#clock.now() - this.#windowMs;
    while (hits.head < hits.times.length && hits.times[hits.head]! <= from) hits.head++;
    // Compact once the expired prefix dominates, so long runs (benchmarks) stay O(1) amortised.
    if (hits.head > 1024 && hits.head * 2 > hits.times.length) {
      hits.times = hits.times.slice(hits.head);
      hits.head = 0;
    }
    return hits;
  }
}

/**
 * Several windows checked together, e.g. per API 10,000/min and 150,000/hour: `tryTake` records a hit only
 * when every window has room.
 */
export class Quota {
  readonly #windows: { window: SlidingWindow; limit: () => number }[];

  constructor(clock: Clock, limits: { seconds: number; limit: () => number }[]) {
    this.#windows = limits.map(({ seconds, limit }) => ({ window: new SlidingWindow(clock, seconds), limit }));
  }

  /** Which window is full (its index), or -1 after recording the hit. */
  tryTake(key: string): number {
    const full = this.#windows.findIndex(({ window, limit }) => window.count(key) >= limit());
    if (full !== -1) return full;
    for (const { window } of this.#windows) window.record(key);
    return -1;
  }

  clear(): void {
    for (const { window } of this.#windows) window.clear();
  }
}
