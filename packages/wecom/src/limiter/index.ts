export type { AcquireResult, QuotaWindow, RateLimiter } from './types.ts';
export { MemoryRateLimiter, RateLimitWaitError, type MemoryRateLimiterOptions, type Timers } from './memory.ts';
export { DEFAULT_QUOTA_RULES, checkQuotaRules, windowsFor, type QuotaRules } from './rules.ts';
