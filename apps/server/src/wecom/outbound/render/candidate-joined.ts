/** candidate_joined → the panel: a short text with the room link. */
import { text, type MessageOf } from '@pairview/wecom';
import { clean, pages, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

export function renderCandidateJoined(view: InterviewView, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  return text(withLink(s.candidateJoined({ candidate: clean(view.candidateName), position: clean(view.position) }), pages.room(env, view.id), s.openRoom));
}
