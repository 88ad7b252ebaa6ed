/**
 * Quotas. WeCom drops excess app messages silently (30/min and 1000/h per member), so the SDK waits instead of
 * sending into the void (wecom-protocol.md §5). The in-memory limiter serves one process; a cluster-wide one
 * (e.g. PostgreSQL) implements the same interface.
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
  acquire(quotas: readonly string[], signal?: AbortSignal): Promise<void>;
}
