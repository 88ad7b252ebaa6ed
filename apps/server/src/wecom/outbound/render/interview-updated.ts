/** interview_updated → the panel: a textcard with the interview as it is now (position, length, panel). */
import { textCard, type MessageOf } from '@pairview/wecom';
import { clean, clip, displayName, formatSlot, pages, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { candidateAndPosition, textCardDescription } from './parts.ts';

export function renderUpdated(view: InterviewView, env: RenderEnv): MessageOf<'textcard'> {
  const s = env.strings;
  const hiringManager = view.hiringManager ? ` · ${displayName(view.hiringManager, env.locale)}` : '';
  return textCard({
    title: clip(s.updated.title(clean(view.candidateName)), 40),
    description: textCardDescription({
      gray: `${formatSlot(view.startsAt, view.durationMinutes, env)} · ${s.minutes(view.durationMinutes)}`,
      normal: `${candidateAndPosition(view)}${hiringManager}`,
      highlight: s.updated.body,
    }),
    url: pages.interview(env, view.id),
    btntxt: s.view,
  });
}
