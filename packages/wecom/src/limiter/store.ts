/**
 * Where quota state lives. One interface, three implementations that pass the same contract test
 * (store.contract.ts): memory (one process), PostgreSQL (the default for a cluster: every process that shares the
 * database shares the quota) and Redis (for a large cluster that already has one).
 *
 * A store answers batches: the limiter gathers what its waiting sends need and asks once, so a round trip serves
 * many sends. Every operation in a batch is about one key (a quota of one corp, app, IP or robot) and its windows,
 * and is all or nothing for that key.
 */
import type { ResolvedWindow, TakeRequest, TakeResult, WindowUsage } from './windows.ts';

export type { ResolvedWindow, TakeRequest, TakeResult, WindowUsage } from './windows.ts';

export interface ReleaseRequest {
  key: string;
  windows: readonly ResolvedWindow[];
  units: number;
  /** When the units were granted (a sliding window gives them back to that slice). */
  takenAt: number;
}

export interface QuotaStore {
  /**
   * Grants each request between `min` and `max` units of all its windows, or says when to ask again. `releases`,
   * when given, are applied first in the same round trip (units given back, so the takes can have them).
   */
  take(requests: readonly TakeRequest[], now: number, releases?: readonly ReleaseRequest[]): Promise<TakeResult[]>;
  /** Gives back units that were granted and never used. */
  release(requests: readonly ReleaseRequest[], now: number): Promise<void>;
  /** Grants nothing of `key` before `until` (WeCom answered 45009: its block lasts 60 s). */
  block(key: string, windows: readonly ResolvedWindow[], until: number, now: number): Promise<void>;
  /** What each window of `key` has left (health pages); changes nothing that matters. */
  peek(key: string, windows: readonly ResolvedWindow[], now: number): Promise<WindowUsage[]>;
  close?(): Promise<void>;
}
