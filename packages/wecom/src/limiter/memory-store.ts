/** Quota state in this process's memory: exact for one process, shared by nothing else. */
import type { QuotaStore, ReleaseRequest } from './store.ts';
import { emptyState, release, takeFrom, usage, type ResolvedWindow, type TakeRequest, type TakeResult, type WindowState, type WindowUsage } from './windows.ts';

const SWEEP_EVERY = 10_000;

export class MemoryQuotaStore implements QuotaStore {
  readonly #states = new Map<string, { state: WindowState; touched: number; windowMs: number }>();
  #operations = 0;

  #state(key: string, window: ResolvedWindow, now: number): WindowState {
    const id = `${key}\u0000${window.id}`;
    let entry = this.#states.get(id);
    if (!entry) this.#states.set(id, (entry = { state: emptyState(), touched: now, windowMs: window.windowMs + window.marginMs }));
    entry.touched = now;
    return entry.state;
  }

  async take(requests: readonly TakeRequest[], now: number, releases: readonly ReleaseRequest[] = []): Promise<TakeResult[]> {
    this.#sweep(now);
    if (releases.length > 0) await this.release(releases, now);
    return requests.map((r) => takeFrom(r, r.windows.map((w) => this.#state(r.key, w, now)), now));
  }

  async release(requests: readonly ReleaseRequest[], now: number): Promise<void> {
    for (const r of requests) r.windows.forEach((w) => release(w, this.#state(r.key, w, now), r.units, r.takenAt, now));
  }

  async block(key: string, windows: readonly ResolvedWindow[], until: number, now: number): Promise<void> {
    for (const w of windows) {
      const state = this.#state(key, w, now);
      state.blockedUntil = Math.max(state.blockedUntil, until);
    }
  }

  async peek(key: string, windows: readonly ResolvedWindow[], now: number): Promise<WindowUsage[]> {
    return windows.map((w) => usage(w, this.#state(key, w, now), now));
  }

  /** Forgets windows nobody used for longer than they last (members not messaged for an hour). */
  #sweep(now: number): void {
    if (++this.#operations % SWEEP_EVERY !== 0) return;
    for (const [id, entry] of this.#states) {
      if (now - entry.touched > entry.windowMs && entry.state.blockedUntil <= now) this.#states.delete(id);
    }
  }
}
