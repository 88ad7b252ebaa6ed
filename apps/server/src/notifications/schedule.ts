/**
 * Scheduled notifications are graphile-worker jobs with a run-at time and a job key per interview, so moving an
 * interview re-plans them (add_job with the same key replaces the waiting job) and cancelling removes them. When
 * a job fires, its task (tasks.ts) checks the interview again before writing anything to the outbox.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

export const REMINDER_BEFORE_MS = 15 * 60_000;
export const CANDIDATE_LATE_AFTER_MS = 5 * 60_000;
export const FEEDBACK_FIRST_AFTER_END_MS = 60 * 60_000;
export const FEEDBACK_REPEAT_MS = 24 * 3600_000;
/** Greenhouse's habit, product.md: 1 h after the end, then daily, at most 5 reminders. */
export const FEEDBACK_MAX_ROUNDS = 5;
export const DIGEST_HOUR = 9;

export const INTERVIEW_TASKS = ['interview_reminder', 'candidate_late', 'feedback_chaser'] as const;
export type InterviewTask = (typeof INTERVIEW_TASKS)[number];
export const DIGEST_TASK = 'daily_digest';

/** What a scheduled interview job carries: the start it was planned for, so a stale job does nothing. */
export interface InterviewJobPayload {
  interviewId: string;
  startsAt: string;
  /** feedback_chaser only: which reminder this is, 1…FEEDBACK_MAX_ROUNDS. */
  round?: number;
}

export function interviewJobKey(task: InterviewTask, interviewId: string): string {
  return `${task}:${interviewId}`;
}

export async function addJob(
  tx: Transaction<Database>,
  task: string,
  payload: object,
  options: { runAt: Date; jobKey: string; maxAttempts?: number; mode?: 'replace' | 'preserve_run_at' },
): Promise<void> {
  await sql`select graphile_worker.add_job(
    identifier => ${task},
    payload => ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt}::timestamptz,
    max_attempts => ${options.maxAttempts ?? 5},
    job_key => ${options.jobKey},
    job_key_mode => ${options.mode ?? 'replace'}
  )`.execute(tx);
}

export async function removeJob(tx: Transaction<Database>, jobKey: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${jobKey})`.execute(tx);
}

/**
 * (Re)plans the reminder, the candidate-late check and the first feedback chaser of a scheduled interview.
 * A reminder whose time has already passed (an interview booked 10 minutes ahead) is not planned: the
 * invitation itself is the reminder.
 */
export async function planInterviewJobs(
  tx: Transaction<Database>,
  interview: { id: string; startsAt: Date; durationMinutes: number },
  now: Date,
): Promise<void> {
  const start = interview.startsAt.getTime();
  const end = start + interview.durationMinutes * 60_000;
  const payload: InterviewJobPayload = { interviewId: interview.id, startsAt: interview.startsAt.toISOString() };
  const reminderAt = new Date(start - REMINDER_BEFORE_MS);
  if (reminderAt > now) {
    await addJob(tx, 'interview_reminder', payload, { runAt: reminderAt, jobKey: interviewJobKey('interview_reminder', interview.id) });
  } else {
    await removeJob(tx, interviewJobKey('interview_reminder', interview.id));
  }
  await addJob(tx, 'candidate_late', payload, {
    runAt: new Date(start + CANDIDATE_LATE_AFTER_MS),
    jobKey: interviewJobKey('candidate_late', interview.id),
  });
  await planFeedbackChaser(tx, interview, new Date(end));
}

/** The first feedback chaser, an hour after `endedAt` (the planned end, or the real one when the room ends). */
export async function planFeedbackChaser(tx: Transaction<Database>, interview: { id: string; startsAt: Date }, endedAt: Date): Promise<void> {
  const payload: InterviewJobPayload = { interviewId: interview.id, startsAt: interview.startsAt.toISOString(), round: 1 };
  await addJob(tx, 'feedback_chaser', payload, {
    runAt: new Date(endedAt.getTime() + FEEDBACK_FIRST_AFTER_END_MS),
    jobKey: interviewJobKey('feedback_chaser', interview.id),
  });
}

/** Cancelled interview: nothing scheduled about it may fire. */
export async function unplanInterviewJobs(tx: Transaction<Database>, interviewId: string): Promise<void> {
  for (const task of INTERVIEW_TASKS) await removeJob(tx, interviewJobKey(task, interviewId));
}
