/** candidate_late → the panel and the recruiter, 5 minutes after the start: a textcard to the room. */
import { textCard, type MessageOf } from '@pairview/wecom';
import { clean, clip, formatSlot, pages, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { candidateAndPosition, textCardDescription } from './parts.ts';

export function renderCandidateLate(view: InterviewView, env: RenderEnv): MessageOf<'textcard'> {
  const s = env.strings;
  const when = formatSlot(view.startsAt, view.durationMinutes, env);
  return textCard({
    title: clip(s.candidateLate.title(clean(view.candidateName)), 40),
    description: textCardDescription({ gray: when, normal: candidateAndPosition(view), highlight: s.candidateLate.body(when) }),
    url: pages.room(env, view.id),
    btntxt: s.candidateLate.button,
  });
}
