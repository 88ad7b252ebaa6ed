/** Lists of interviews in WeCom markdown (§3.2 subset: bold, quotes, links), kept under the 2048-byte limit. */
import { clean, formatSlot, formatTime, mdLink, type RenderEnv } from '../format.ts';
import type { InterviewLine } from '../view.ts';

/** markdown.content ≤2048 bytes (§3.2); lines that do not fit are summed up as "…". */
const MARKDOWN_MAX_BYTES = 2048;

export function interviewLine(line: InterviewLine, env: RenderEnv, options: { withDate: boolean; url: string }): string {
  const end = new Date(line.startsAt.getTime() + line.durationMinutes * 60_000);
  const when = options.withDate
    ? formatSlot(line.startsAt, line.durationMinutes, env)
    : `${formatTime(line.startsAt, env.timeZone)}–${formatTime(end, env.timeZone)}`;
  return `> ${when} ${mdLink(`${clean(line.candidateName)} · ${clean(line.position)}`, options.url)}`;
}

/** A bold title, then the lines, then an optional footer, cut by whole lines to fit WeCom's limit. */
export function markdownList(title: string, lines: readonly string[], footer?: string): string {
  const head = `**${title}**`;
  const tail = footer ? `\n\n${footer}` : '';
  let body = head;
  for (const [i, line] of lines.entries()) {
    const more = lines.length - i - 1;
    const candidate = `${body}\n${line}`;
    // Keep room for the "…" line and the footer.
    if (Buffer.byteLength(candidate + (more ? '\n> …' : '') + tail) > MARKDOWN_MAX_BYTES) {
      body += '\n> …';
      break;
    }
    body = candidate;
  }
  return body + tail;
}
