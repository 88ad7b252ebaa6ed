/**
 * Bot commands: what a member types to the app (a `text` callback, wecom-protocol.md §6.10). Matched trimmed and
 * case-insensitively, in English or Chinese; anything else gets the `unknown` reply (which lists the commands).
 */
export type BotCommand = 'today' | 'week' | 'pending' | 'help' | 'unknown';

const COMMANDS: Record<string, Exclude<BotCommand, 'unknown'>> = {
  today: 'today',
  今天: 'today',
  week: 'week',
  本周: 'week',
  pending: 'pending',
  待面评: 'pending',
  help: 'help',
  帮助: 'help',
};

export function parseBotCommand(text: string): BotCommand {
  // NFKC folds full-width letters (ｔｏｄａｙ, typed with a Chinese input method) into ASCII.
  const word = text.normalize('NFKC').trim().toLowerCase();
  return Object.hasOwn(COMMANDS, word) ? COMMANDS[word]! : 'unknown';
}
