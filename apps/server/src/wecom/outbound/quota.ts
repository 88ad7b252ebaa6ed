/**
 * The app's daily message quota as /healthz and the admin WeCom page show it (issue 10): WeCom allows seat limit
 * × 200 person-times of app messages a day (wecom-protocol.md §5), counted by the SDK's limiter in PostgreSQL for
 * every Pairview process. "Low" is when the digest no longer gets any of it — the last 20% stays for reminders and
 * decisions (notifications/priority.ts) — so the page says so before anything important waits.
 */
import type { WeComClient } from '@pairview/wecom';
import { QuotaLimiter } from '@pairview/wecom';

/** The share of the day's quota left at which digests wait for tomorrow (the SDK's bulk reserve). */
export const DAILY_QUOTA_LOW_SHARE = 0.2;

export interface DailyQuotaStatus {
  /** Seat limit × 200 person-times. */
  limit: number;
  used: number;
  remaining: number;
  /** When WeCom's natural day (Beijing) ends and the quota is whole again. */
  resetsAt: string;
  /** The seat limit it comes from, and whether it was configured (WECOM_SEAT_LIMIT) or assumed. */
  seatLimit: number;
  seatLimitSource: 'config' | 'default';
  low: boolean;
}

/** The daily quota's state, or undefined when the client's limiter does not keep one. */
export async function dailyQuotaStatus(client: WeComClient, seatLimit: { value: number; configured: boolean }): Promise<DailyQuotaStatus | undefined> {
  if (!(client.limiter instanceof QuotaLimiter)) return undefined;
  const [day] = await client.limiter.usage('day:message');
  if (!day) return undefined;
  return {
    limit: day.limit,
    used: day.used,
    remaining: day.remaining,
    resetsAt: new Date(day.resetsAt ?? Date.now()).toISOString(),
    seatLimit: seatLimit.value,
    seatLimitSource: seatLimit.configured ? 'config' : 'default',
    low: day.remaining < day.limit * DAILY_QUOTA_LOW_SHARE,
  };
}
