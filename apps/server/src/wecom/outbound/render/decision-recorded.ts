/**
 * decision_recorded: the decision cards of the interview are updated for everyone who got one (their buttons
 * become "已推进 · 张三" / "Advanced by 张三", see ../cards.ts). A recipient without an updatable card (none sent,
 * or its response_code used up or expired) gets this text instead.
 */
import { text, type MessageOf } from '@pairview/wecom';
import type { DecisionValue } from '../../../db/schema.ts';
import { clean, displayName, pages, type PersonName, type RenderEnv, withLink } from '../format.ts';
import type { InterviewView } from '../view.ts';

/** The label the decision cards' buttons become. */
export function decisionLabel(decision: DecisionValue, decidedBy: PersonName, env: RenderEnv): string {
  return env.strings.decided(decision, displayName(decidedBy, env.locale));
}

export function renderDecisionNotice(view: InterviewView, decision: DecisionValue, decidedBy: PersonName, env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  const body = s.decisionNotice({ label: decisionLabel(decision, decidedBy, env), candidate: clean(view.candidateName), position: clean(view.position) });
  return text(withLink(body, pages.interview(env, view.id), s.openInterview));
}
