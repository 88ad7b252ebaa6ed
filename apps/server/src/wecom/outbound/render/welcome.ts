/** welcome → a member entering the app for the first time: what Pairview does here and the commands. */
import { text, type MessageOf } from '@pairview/wecom';
import { anchor, pages, type RenderEnv } from '../format.ts';
import { commandHelp } from './bot-reply.ts';

export function renderWelcome(env: RenderEnv): MessageOf<'text'> {
  const s = env.strings;
  return text(`${s.bot.welcome}\n\n${commandHelp(env)}\n\n${anchor(pages.myInterviews(env), s.bot.openPairview)}`);
}
