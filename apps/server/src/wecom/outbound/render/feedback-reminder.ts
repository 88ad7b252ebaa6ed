/** feedback_reminder → one interviewer without a scorecard: "write your feedback", round n of 5. */
import { textCard, type MessageOf } from '@pairview/wecom';
import { FEEDBACK_MAX_ROUNDS } from '../../../notifications/schedule.ts';
import { clean, clip, formatSlot, pages, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { candidateAndPosition, textCardDescription } from './parts.ts';

export function renderFeedbackReminder(view: InterviewView, round: number, env: RenderEnv): MessageOf<'textcard'> {
  const s = env.strings;
  return textCard({
    title: clip(s.feedback.title(clean(view.candidateName)), 40),
    description: textCardDescription({
      gray: formatSlot(view.startsAt, view.durationMinutes, env),
      normal: candidateAndPosition(view),
      highlight: s.feedback.round(round, FEEDBACK_MAX_ROUNDS),
    }),
    url: pages.interview(env, view.id),
    btntxt: s.feedback.button,
  });
}
