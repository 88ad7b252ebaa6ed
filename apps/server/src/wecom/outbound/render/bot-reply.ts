/**
 * bot_reply → the member who messaged the app: `today`/`今天` and `week`/`本周` list their interviews (markdown),
 * `pending`/`待面评` the scorecards they owe, `help`/`帮助` the commands; anything else says so and shows them.
 * The inbound glue decides the command and writes the notification; the data comes in as plain lines.
 */
import { markdown, text, type Message } from '@pairview/wecom';
import { anchor, formatDate, mdLink, pages, type RenderEnv } from '../format.ts';
import type { InterviewLine } from '../view.ts';
import { interviewLine, markdownList } from './lists.ts';

export type BotReplyData =
  | { command: 'today'; day: Date; lines: InterviewLine[] }
  | { command: 'week'; from: Date; to: Date; lines: InterviewLine[] }
  | { command: 'pending'; lines: InterviewLine[] }
  | { command: 'help' }
  | { command: 'unknown' };

/** "发送以下指令：\n今天 / today — 今天的面试\n…" */
export function commandHelp(env: RenderEnv): string {
  const s = env.strings.bot;
  return [s.helpTitle, ...s.commands.map((c) => `${c.command} — ${c.does}`)].join('\n');
}

export function renderBotReply(data: BotReplyData, env: RenderEnv): Message {
  const s = env.strings.bot;
  const open = pages.myInterviews(env);
  const footer = mdLink(s.openPairview, open);
  switch (data.command) {
    case 'today': {
      const title = s.todayTitle(formatDate(data.day, env));
      if (data.lines.length === 0) return text(`${s.noneToday}\n${anchor(open, s.openPairview)}`);
      return markdown(markdownList(title, data.lines.map((l) => interviewLine(l, env, { withDate: false, url: pages.room(env, l.id) })), footer));
    }
    case 'week': {
      // `to` is the next Monday 00:00: the week ends the day before.
      const title = s.weekTitle(formatDate(data.from, env), formatDate(new Date(data.to.getTime() - 1), env));
      if (data.lines.length === 0) return text(`${s.noneThisWeek}\n${anchor(open, s.openPairview)}`);
      return markdown(markdownList(title, data.lines.map((l) => interviewLine(l, env, { withDate: true, url: pages.room(env, l.id) })), footer));
    }
    case 'pending': {
      if (data.lines.length === 0) return text(`${s.nonePending}\n${anchor(open, s.openPairview)}`);
      return markdown(markdownList(s.pendingTitle, data.lines.map((l) => interviewLine(l, env, { withDate: true, url: pages.interview(env, l.id) })), footer));
    }
    case 'help':
      return text(`${commandHelp(env)}\n\n${anchor(open, s.openPairview)}`);
    case 'unknown':
      return text(`${s.unknown}\n${commandHelp(env)}\n\n${anchor(open, s.openPairview)}`);
  }
}
