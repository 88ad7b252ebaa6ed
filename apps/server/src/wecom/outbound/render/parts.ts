/** Pieces several renderers share: the interview's detail rows and a textcard description. */
import type { CardHorizontalContent } from '@pairview/wecom';
import { clean, clip, displayName, formatSlot, type RenderEnv } from '../format.ts';
import type { InterviewView } from '../view.ts';

/** WeCom shows at most 30 characters of a horizontal_content_list value (§3.2). */
const VALUE_MAX = 30;

/** Candidate, position, time, duration and panel as a card's key–value rows (≤6, §3.2). */
export function detailRows(view: InterviewView, env: RenderEnv): CardHorizontalContent[] {
  const s = env.strings;
  const row = (keyname: string, value: string): CardHorizontalContent => ({ keyname, value: clip(value, VALUE_MAX) });
  return [
    row(s.field.candidate, clean(view.candidateName)),
    row(s.field.position, clean(view.position)),
    row(s.field.time, formatSlot(view.startsAt, view.durationMinutes, env)),
    row(s.field.duration, s.minutes(view.durationMinutes)),
    row(s.field.interviewers, s.list(view.panel.map((p) => displayName(p, env.locale)))),
  ];
}

/**
 * A textcard description (§3.2: ≤512 bytes, `<div class="gray|normal|highlight">`). Each part is clipped on its
 * own, so the markup is never cut: 40 + 50 + 50 characters of at most 3 bytes each, plus the tags, fit.
 */
export function textCardDescription(parts: { gray: string; normal: string; highlight?: string }): string {
  const out = [`<div class="gray">${clip(parts.gray, 40)}</div>`, `<div class="normal">${clip(parts.normal, 50)}</div>`];
  if (parts.highlight) out.push(`<div class="highlight">${clip(parts.highlight, 50)}</div>`);
  return out.join('');
}

/** "候选人 · 职位" */
export function candidateAndPosition(view: InterviewView): string {
  return `${clean(view.candidateName)} · ${clean(view.position)}`;
}
