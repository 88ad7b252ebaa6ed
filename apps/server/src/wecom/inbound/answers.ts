/**
 * What the clicked button turns into on the clicker's card (the `update_button` passive reply or
 * update_template_card's `button.replace_name`, wecom-protocol.md §3.6, §6.6), in Pairview's locale.
 */
import type { Locale } from '../../config.ts';
import type { DecisionValue } from '../../db/schema.ts';
import type { InvitationAnswer } from './card-keys.ts';

export type ClickAnswer =
  | { kind: 'invitation'; response: InvitationAnswer }
  | { kind: 'decision'; decision: DecisionValue; by?: string }
  | { kind: 'not_allowed' }
  | { kind: 'interview_cancelled' }
  | { kind: 'interview_ended' }
  | { kind: 'interview_not_found' };

const TEXT = {
  zh: {
    accepted: '已接受',
    declined: '已拒绝',
    advance: '已推进',
    another_round: '再加一轮',
    reject: '不通过',
    not_allowed: '无权操作',
    interview_cancelled: '面试已取消',
    interview_ended: '面试已结束',
    interview_not_found: '面试不存在',
  },
  en: {
    accepted: 'Accepted',
    declined: 'Declined',
    advance: 'Advanced',
    another_round: 'Another round',
    reject: 'Rejected',
    not_allowed: 'Not allowed',
    interview_cancelled: 'Interview cancelled',
    interview_ended: 'Interview ended',
    interview_not_found: 'Interview not found',
  },
} as const;

export function answerText(answer: ClickAnswer, locale: Locale): string {
  const text = TEXT[locale];
  switch (answer.kind) {
    case 'invitation':
      return text[answer.response];
    case 'decision':
      if (answer.by === undefined) return text[answer.decision];
      return locale === 'zh' ? `${text[answer.decision]} · ${answer.by}` : `${text[answer.decision]} by ${answer.by}`;
    default:
      return text[answer.kind];
  }
}
