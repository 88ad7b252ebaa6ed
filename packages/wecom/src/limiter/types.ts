/**
 * Quotas. WeCom refuses calls beyond its frequency limits with 45009 (and blocks the API for 60 s or 60 min) and
 * drops app messages beyond 30/min and 1000/h per member silently (wecom-protocol.md §5), so the SDK waits for a
 * free slot instead of sending into a refusal or the void. The limiter (limiter.ts) keeps every documented quota;
 * where the quota state lives is its store: memory for one process, PostgreSQL or Redis for a cluster.
 *
 * Writing your own RateLimiter:
 * - quota names are `<prefix>:<id>` and map to rules through a table (rules.ts); reject unknown prefixes;
 * - one call takes the units of EVERY named quota, or none (never hold `api:` while waiting on `member:`);
 * - it waits while a quota is used up — more urgent callers first — and stops waiting when `signal` aborts or the
 *   wait would exceed `maxWaitMs` (then RateLimitWaitError, taking nothing);
 * - names are per app: `member:zhangsan` means "this app → zhangsan"; a shared store keys them by corpId/agentId
 *   (and `api:` by corpId: that quota is per corp);
 * - it resolves with the milliseconds waited (or `undefined`), which the pipeline reports as `limiter:wait`.
 */
import type { QuotaPriority } from './rules.ts';

export type { QuotaPriority, QuotaRule, QuotaRules, QuotaScope, QuotaWindow } from './rules.ts';

/** A quota name with a number of units: `{ quota: 'day:message', units: 25 }` for a send reaching 25 members. */
export interface QuotaClaim {
  quota: string;
  /** Default 1. */
  units?: number;
}

export interface AcquireOptions {
  signal?: AbortSignal | undefined;
  /** Who goes first when a quota is short. Default `normal`. */
  priority?: QuotaPriority | undefined;
  /**
   * Reject with RateLimitWaitError (which says when to come back) rather than wait longer than this. Default: the
   * limiter's own maxWaitMs (by default, as long as the quota needs).
   */
  maxWaitMs?: number | undefined;
}

export interface RateLimiter {
  /**
   * Waits until the units of every named quota are free, then takes them all at once (all or none, so a call
   * waiting on one member does not hold units of another). Quota names map to windows through the limiter's
   * rules, e.g. `api:/cgi-bin/message/send` → 10,000/min, `member:zhangsan` → 30/min and 1000/h.
   * The second argument may be an AbortSignal (the earlier form) or AcquireOptions.
   */
  acquire(quotas: readonly (string | QuotaClaim)[], options?: AbortSignal | AcquireOptions): Promise<AcquireResult>;
  /**
   * WeCom answered 45009 for these quotas anyway (another sender on the same corp, a stricter WeCom): grant nothing
   * of them for `ms`, in every process that shares the store, instead of calling into a block. Optional.
   */
  penalize?(quotas: readonly string[], ms: number): Promise<void>;
}

/**
 * What `acquire` resolves with: the milliseconds it waited (0 when the quota was free at once), so the pipeline
 * can report `limiter:wait`. An implementation that does not measure may resolve `undefined`.
 */
export type AcquireResult = number | void;
