/** daily_digest → one interviewer at 09:00 on a working day: markdown with today's interviews and room links. */
import { markdown, text, type Message } from '@pairview/wecom';
import { anchor, formatDate, mdLink, pages, type RenderEnv } from '../format.ts';
import type { InterviewLine } from '../view.ts';
import { interviewLine, markdownList } from './lists.ts';

/** `date` is YYYY-MM-DD in the company's time zone; `lines` the day's interviews still taking place. */
export function renderDigest(date: string, lines: readonly InterviewLine[], env: RenderEnv): Message {
  const s = env.strings;
  // Noon UTC of that date is the same calendar day in every zone Pairview runs in (UTC−11…UTC+12).
  const day = formatDate(new Date(`${date}T12:00:00Z`), { ...env, timeZone: 'UTC' });
  if (lines.length === 0) return text(`${s.digest.none}\n${anchor(pages.myInterviews(env), s.bot.openPairview)}`);
  return markdown(
    markdownList(
      s.digest.title(day),
      lines.map((line) => interviewLine(line, env, { withDate: false, url: pages.room(env, line.id) })),
      mdLink(s.bot.openPairview, pages.myInterviews(env)),
    ),
  );
}
