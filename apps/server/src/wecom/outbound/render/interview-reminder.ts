/** interview_reminder → the panel, 15 minutes before: a textcard whose button joins the room. */
import { textCard, type MessageOf } from '@pairview/wecom';
import { clean, clip, displayName, formatSlot, pages, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { candidateAndPosition, textCardDescription } from './parts.ts';

export function renderReminder(view: InterviewView, env: RenderEnv): MessageOf<'textcard'> {
  const s = env.strings;
  return textCard({
    title: clip(s.reminder.title(clean(view.candidateName)), 40),
    description: textCardDescription({
      gray: formatSlot(view.startsAt, view.durationMinutes, env),
      normal: `${candidateAndPosition(view)} · ${s.list(view.panel.map((p) => displayName(p, env.locale)))}`,
      highlight: s.reminder.body,
    }),
    url: pages.room(env, view.id),
    btntxt: s.reminder.button,
  });
}
