/**
 * The in-process RateLimiter: the QuotaLimiter on a MemoryQuotaStore. Right for one process; a cluster shares one
 * quota through PostgresQuotaStore or RedisQuotaStore (`new QuotaLimiter({ store, scope })`).
 */
import { QuotaLimiter, type QuotaLimiterOptions } from './limiter.ts';
import { MemoryQuotaStore } from './memory-store.ts';

export { RateLimitWaitError, type Timers } from './limiter.ts';

export type MemoryRateLimiterOptions = Omit<QuotaLimiterOptions, 'store'>;

export class MemoryRateLimiter extends QuotaLimiter {
  constructor(options: MemoryRateLimiterOptions = {}) {
    super({ ...options, store: new MemoryQuotaStore() });
  }
}
