export type { AcquireOptions, AcquireResult, QuotaClaim, RateLimiter } from './types.ts';
export { QuotaLimiter, RateLimitWaitError, type QuotaLimiterOptions, type QuotaScopeIds, type Timers } from './limiter.ts';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory.ts';
export { MemoryQuotaStore } from './memory-store.ts';
export { PostgresQuotaStore, type PostgresQuotaStoreOptions } from './postgres-store.ts';
export { RedisQuotaStore, type RedisQuotaStoreOptions, type RedisScriptClient } from './redis-store.ts';
export type { QuotaStore, ReleaseRequest } from './store.ts';
export type { ResolvedWindow, TakeRequest, TakeResult, WindowUsage } from './windows.ts';
export {
  DEFAULT_QUOTA_RULES,
  PERSON_TIMES_PER_SEAT,
  QUOTA_PRIORITIES,
  checkQuotaRules,
  ruleFor,
  wecomQuotaRules,
  windowsFor,
  type QuotaPriority,
  type QuotaRule,
  type QuotaRules,
  type QuotaScope,
  type QuotaWindow,
  type WeComQuotaOptions,
} from './rules.ts';
