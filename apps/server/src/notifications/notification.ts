/**
 * Domain notifications: WHAT happened and WHO must hear of it, by Pairview ids. They are stored in the outbox as
 * they are; the WeCom glue reads the current interview, renders the message in the configured locale (zh/en)
 * and picks the WeCom message type. No message text and no WeCom payload lives here.
 *
 * One kind per row of product.md's "The WeCom loop".
 */
import type { DecisionValue } from '../db/schema.ts';

interface Base {
  /** People (people.id) who receive it. Never empty: nothing is written when nobody must hear of it. */
  recipients: string[];
}

export type DomainNotification =
  /** Each interviewer: the interview card (Accept / Decline, Join). */
  | (Base & { kind: 'interview_scheduled'; interviewId: string })
  /** Affected interviewers: moved from `previousStartsAt` (ISO) to the interview's current start. */
  | (Base & { kind: 'interview_rescheduled'; interviewId: string; previousStartsAt: string })
  /** Interviewers: position, duration or hiring manager changed (no new time). */
  | (Base & { kind: 'interview_updated'; interviewId: string })
  | (Base & { kind: 'interview_cancelled'; interviewId: string; reason: string | null })
  /** The removed interviewers: their card is void. */
  | (Base & { kind: 'interviewer_removed'; interviewId: string })
  /** The recruiter: `interviewerId` accepted (product.md, "Who uses it": the recruiter sees the answers in WeCom). */
  | (Base & { kind: 'interviewer_accepted'; interviewId: string; interviewerId: string })
  /** The recruiter: `interviewerId` declined; link to pick a replacement. */
  | (Base & { kind: 'interviewer_declined'; interviewId: string; interviewerId: string })
  /** Interviewers, 15 min before the start. */
  | (Base & { kind: 'interview_reminder'; interviewId: string })
  /** Interviewers: the candidate opened the room. */
  | (Base & { kind: 'candidate_joined'; interviewId: string })
  /** Interviewers and recruiter: no candidate 5 min after the start. */
  | (Base & { kind: 'candidate_late'; interviewId: string })
  /** One interviewer without a scorecard, 1 h after the end, then daily; `round` 1…5. */
  | (Base & { kind: 'feedback_reminder'; interviewId: string; round: number })
  /** Recruiter and hiring manager: a scorecard came in; card with Advance / Another round / Reject. */
  | (Base & { kind: 'scorecard_submitted'; interviewId: string; scorecardId: string; interviewerId: string })
  /** Recruiter and hiring manager: the decision was taken (the glue updates the decision cards). */
  | (Base & { kind: 'decision_recorded'; interviewId: string; decision: DecisionValue; decidedBy: string })
  /** One interviewer, 09:00 on a working day: their interviews of `date` (YYYY-MM-DD in PAIRVIEW_TIME_ZONE). */
  | (Base & { kind: 'daily_digest'; date: string; interviewIds: string[] })
  /** A member entered the app for the first time. */
  | (Base & { kind: 'welcome' })
  /** The answer to a bot command (`today`, `week`, `pending`, `help`) or to an unknown message. */
  | (Base & { kind: 'bot_reply'; command: 'today' | 'week' | 'pending' | 'help' | 'unknown' });

export type NotificationKind = DomainNotification['kind'];

export const NOTIFICATION_KINDS = [
  'interview_scheduled',
  'interview_rescheduled',
  'interview_updated',
  'interview_cancelled',
  'interviewer_removed',
  'interviewer_accepted',
  'interviewer_declined',
  'interview_reminder',
  'candidate_joined',
  'candidate_late',
  'feedback_reminder',
  'scorecard_submitted',
  'decision_recorded',
  'daily_digest',
  'welcome',
  'bot_reply',
] as const satisfies readonly NotificationKind[];

/** The interview a notification is about, for the message log's filter. */
export function interviewOf(notification: DomainNotification): string | null {
  return 'interviewId' in notification ? notification.interviewId : null;
}
