/** interviewer_declined → the recruiter: who declined, with a link to the edit page to pick a replacement. */
import { text, type MessageOf } from '@pairview/wecom';
import { clean, displayName, formatSlot, pages, type PersonName, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

export function renderDeclined(view: InterviewView, interviewer: PersonName, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  const body = s.declined({
    interviewer: displayName(interviewer, env.locale),
    candidate: clean(view.candidateName),
    position: clean(view.position),
    when: formatSlot(view.startsAt, view.durationMinutes, env),
  });
  return text(withLink(body, pages.editInterview(env, view.id), s.pickReplacement));
}
