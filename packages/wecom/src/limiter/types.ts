/**
 * Quotas. WeCom drops excess app messages silently (30/min and 1000/h per member), so the SDK waits instead of
 * sending into the void (wecom-protocol.md §5). The in-memory limiter serves one process; a cluster-wide one
 * (e.g. PostgreSQL) implements the same interface.
 *
 * Plugging in a cluster-wide limiter: implement `acquire` so that, across every process sharing the app,
 * - quota names are `<prefix>:<id>` and map to windows through a rules table (limiter/rules.ts:
 *   DEFAULT_QUOTA_RULES, `windowsFor`); reject unknown prefixes rather than letting them through;
 * - one call takes one unit of EVERY named quota, or none (never hold `api:` while waiting on `member:`);
 * - it waits (never fails) while a quota is used up, and stops waiting when `signal` aborts, taking nothing;
 * - names are per app: `member:zhangsan` means "this app → zhangsan"; a shared store should key them by
 *   corpId/agentId (and `api:` by corpId: that quota is per corp);
 * - it resolves with the milliseconds waited (or `undefined`), which the pipeline reports as `limiter:wait`.
 * Then pass it as `limiter` to the RequestSender.
 */

export interface QuotaWindow {
  /** How many units per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export interface RateLimiter {
  /**
   * Waits until one unit of every named quota is free, then takes them all at once (all or none, so a call
   * waiting on one member does not hold units of another). Quota names map to windows through the limiter's
   * rules, e.g. `api:/cgi-bin/message/send` → 10,000/min, `member:zhangsan` → 30/min and 1000/h.
   */
  acquire(quotas: readonly string[], signal?: AbortSignal): Promise<AcquireResult>;
}

/**
 * What `acquire` resolves with: the milliseconds it waited (0 when the quota was free at once), so the pipeline
 * can report `limiter:wait`. An implementation that does not measure may resolve `undefined`.
 */
export type AcquireResult = number | void;
