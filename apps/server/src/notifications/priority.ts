/**
 * Which notifications go first when WeCom's quotas are short (issue 10): what is about to happen or happening now
 * (the 15-minute reminder, "candidate late", "candidate joined", a bot answer someone is waiting for), then
 * decisions and the interview's own news, then the feedback chasers, then the 09:00 digest. The order holds twice:
 * graphile-worker takes delivery jobs by this priority across every process, and the SDK's limiter serves waiting
 * sends in it — and keeps the last part of the day's quota from chasers (10%) and the digest (20%), so a reminder
 * late in a busy day still goes out while the digest waits for tomorrow.
 */
import type { QuotaPriority } from '@pairview/wecom';
import type { NotificationKind } from './notification.ts';

const PRIORITY: Record<NotificationKind, QuotaPriority> = {
  interview_reminder: 'urgent',
  candidate_late: 'urgent',
  candidate_joined: 'urgent',
  bot_reply: 'urgent',
  scorecard_submitted: 'normal',
  decision_recorded: 'normal',
  interview_scheduled: 'normal',
  interview_rescheduled: 'normal',
  interview_updated: 'normal',
  interview_cancelled: 'normal',
  interviewer_removed: 'normal',
  interviewer_accepted: 'normal',
  interviewer_declined: 'normal',
  welcome: 'normal',
  feedback_reminder: 'low',
  daily_digest: 'bulk',
};

export function deliveryPriority(kind: NotificationKind): QuotaPriority {
  return PRIORITY[kind] ?? 'normal';
}

/** graphile-worker's job priority (smaller runs first): urgent 0 … bulk 3. */
export function jobPriority(kind: NotificationKind): number {
  return ['urgent', 'normal', 'low', 'bulk'].indexOf(deliveryPriority(kind));
}
