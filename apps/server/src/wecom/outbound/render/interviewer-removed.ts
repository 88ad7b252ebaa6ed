/** interviewer_removed → the removed interviewer: a text notice (their card is greyed out too). */
import { text, type MessageOf } from '@pairview/wecom';
import { clean, formatSlot, pages, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

export function renderRemoved(view: InterviewView, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  const body = s.removed({ candidate: clean(view.candidateName), position: clean(view.position), when: formatSlot(view.startsAt, view.durationMinutes, env) });
  return text(withLink(body, pages.myInterviews(env), s.bot.openPairview));
}
