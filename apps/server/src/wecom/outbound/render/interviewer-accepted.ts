/** interviewer_accepted → the recruiter: who accepted, with a link to the interview. */
import { text, type MessageOf } from '@pairview/wecom';
import { clean, displayName, formatSlot, pages, type PersonName, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

export function renderAccepted(view: InterviewView, interviewer: PersonName, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  const body = s.accepted({
    interviewer: displayName(interviewer, env.locale),
    candidate: clean(view.candidateName),
    position: clean(view.position),
    when: formatSlot(view.startsAt, view.durationMinutes, env),
  });
  return text(withLink(body, pages.interview(env, view.id), s.openInterview));
}
