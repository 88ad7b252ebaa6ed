/** interview_rescheduled → affected interviewers: a new invitation card showing the old and new time. */
import type { MessageOf } from '@pairview/wecom';
import type { RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';
import { renderInvitation } from './interview-scheduled.ts';

export function renderRescheduled(view: InterviewView, env: RenderEnv, card: { taskId: string; previousStartsAt: Date }): MessageOf<'template_card'> {
  return renderInvitation(view, env, { taskId: card.taskId, movedFrom: card.previousStartsAt });
}
