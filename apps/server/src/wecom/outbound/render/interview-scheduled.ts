/**
 * interview_scheduled → each interviewer: a button_interaction card (§3.2) with the interview's details,
 * Accept / Decline (keys `invite:accept|decline:<id>`, handled by the inbound glue) and a Join room link.
 * interview_rescheduled sends the same card again with the move spelled out (the answers were reset).
 */
import { templateCard, type MessageOf } from '@pairview/wecom';
import { inviteKey } from '../card-keys.ts';
import { clean, clip, formatSlot, pages, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { detailRows } from './parts.ts';

export function renderInvitation(
  view: InterviewView,
  env: RenderEnv,
  card: { taskId: string; movedFrom?: Date | undefined },
): MessageOf<'template_card'> {
  const s = env.strings;
  const candidate = clean(view.candidateName);
  const room = pages.room(env, view.id);
  const moved = card.movedFrom !== undefined;
  return templateCard.buttonInteraction({
    task_id: card.taskId,
    source: { desc: s.source },
    main_title: {
      title: clip(moved ? s.invite.rescheduledTitle(candidate) : s.invite.title(candidate), 36),
      desc: clip(clean(view.position), 44),
    },
    sub_title_text: clip(
      moved
        ? s.invite.rescheduledSubtitle(formatSlot(card.movedFrom!, view.durationMinutes, env), formatSlot(view.startsAt, view.durationMinutes, env))
        : s.invite.subtitle,
      160,
    ),
    horizontal_content_list: detailRows(view, env),
    card_action: { type: 1, url: room },
    button_list: [
      { text: s.invite.accept, style: 1, key: inviteKey('accept', view.id) },
      { text: s.invite.decline, style: 2, key: inviteKey('decline', view.id) },
      { type: 1, text: s.invite.join, style: 4, url: room },
    ],
  });
}
