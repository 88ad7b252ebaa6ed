/** interview_cancelled → the panel: a text notice with the reason (their cards are greyed out too). */
import { text, type MessageOf } from '@pairview/wecom';
import { clean, clip, formatSlot, pages, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

export function renderCancelled(view: InterviewView, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  const body = s.cancelled({
    candidate: clean(view.candidateName),
    position: clean(view.position),
    when: formatSlot(view.startsAt, view.durationMinutes, env),
    reason: view.cancelReason ? clip(clean(view.cancelReason), 300) : null,
  });
  return text(withLink(body, pages.interview(env, view.id), s.openInterview));
}
