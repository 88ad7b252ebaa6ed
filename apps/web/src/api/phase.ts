/**
 * Where an interview stands in time, from its status and times. Its own module: the dictionaries (i18n) name each
 * phase, and the badges that show one read the dictionaries.
 */
import type { InterviewSummary } from './types.ts';

/** Where an interview stands in time: upcoming, in progress, ended, cancelled, completed. */
export type Phase = 'upcoming' | 'live' | 'ended' | 'cancelled' | 'completed';

export function phaseOf(interview: Pick<InterviewSummary, 'status' | 'startsAt' | 'endsAt'>, now = Date.now()): Phase {
  if (interview.status === 'cancelled') return 'cancelled';
  if (interview.status === 'completed') return 'completed';
  if (new Date(interview.endsAt).getTime() <= now) return 'ended';
  if (new Date(interview.startsAt).getTime() <= now) return 'live';
  return 'upcoming';
}
