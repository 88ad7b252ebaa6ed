/**
 * scorecard_submitted → recruiter and hiring manager: a button_interaction card with the new scorecard, the
 * ratings so far and Advance / Another round / Reject (keys `decision:<value>:<id>`). When the decision is
 * already taken, the same content comes as a text_notice card without buttons, naming the decision.
 */
import { templateCard, type CardHorizontalContent, type MessageOf } from '@pairview/wecom';
import type { Rating } from '../../../db/schema.ts';
import { decisionKey } from '../card-keys.ts';
import { clean, clip, displayName, pages, type RenderEnv } from '../format.ts';
import type { InterviewView, ScorecardView } from '../view.ts';

const RATING_ORDER: readonly Rating[] = ['strong_yes', 'yes', 'no', 'strong_no'];

/** "强烈推荐 1 · 推荐 2" / "Strong yes 1 · Yes 2" */
export function ratingsSummary(scorecards: readonly ScorecardView[], env: RenderEnv): string {
  return RATING_ORDER.map((rating) => [rating, scorecards.filter((c) => c.rating === rating).length] as const)
    .filter(([, n]) => n > 0)
    .map(([rating, n]) => `${env.strings.rating[rating]} ${n}`)
    .join(' · ');
}

export function renderScorecardCard(
  view: InterviewView,
  scorecard: ScorecardView,
  env: RenderEnv,
  card: { taskId: string },
): MessageOf<'template_card'> {
  const s = env.strings;
  const expected = view.panel.filter((p) => p.response !== 'declined').length;
  const rows: CardHorizontalContent[] = [
    { keyname: s.field.interviewer, value: clip(displayName(scorecard.interviewer, env.locale), 30) },
    { keyname: s.field.rating, value: s.rating[scorecard.rating] },
    { keyname: s.field.feedback, value: clip(s.scorecard.progress(view.scorecards.length, Math.max(expected, view.scorecards.length)), 30) },
    { keyname: s.field.ratings, value: clip(ratingsSummary(view.scorecards, env), 30) },
  ];
  const common = {
    source: { desc: s.source },
    main_title: { title: clip(s.scorecard.title(clean(view.candidateName)), 36), desc: clip(clean(view.position), 44) },
    horizontal_content_list: rows,
    card_action: { type: 1 as const, url: pages.interview(env, view.id) },
  };
  const subtitle = s.scorecard.subtitle({
    interviewer: displayName(scorecard.interviewer, env.locale),
    rating: s.rating[scorecard.rating],
    summary: clip(clean(scorecard.summary), 100),
  });

  if (view.decision) {
    const label = s.decided(view.decision.decision, displayName(view.decision.decidedBy, env.locale));
    return templateCard.textNotice({ ...common, sub_title_text: clip(`${s.scorecard.decidedSubtitle(label)}\n${subtitle}`, 160) });
  }
  return templateCard.buttonInteraction({
    ...common,
    task_id: card.taskId,
    sub_title_text: clip(subtitle, 160),
    button_list: [
      { text: s.decision.advance, style: 1, key: decisionKey('advance', view.id) },
      { text: s.decision.another_round, style: 4, key: decisionKey('another_round', view.id) },
      { text: s.decision.reject, style: 2, key: decisionKey('reject', view.id) },
    ],
  });
}
