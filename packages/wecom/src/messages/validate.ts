/**
 * Checks a message against WeCom's documented limits before it is sent (wecom-protocol.md §3.1–3.2). Above some
 * limits WeCom answers an errcode; above others it truncates or drops silently — either way the caller learns
 * more from an error that names the field and the limit.
 */
import { Checker, MessageValidationError } from './checker.ts';
import { checkTemplateCard } from './validate-card.ts';
import { MSG_TYPES, type Message, type MsgType, type Recipients } from './types.ts';

/** §3.2: text and markdown content ≤2048 bytes UTF-8 (WeCom truncates the rest; 45002 for larger bodies). */
export const TEXT_MAX_BYTES = 2048;
/** §3.1: touser ≤1000 userids per message (40032). */
export const MAX_USERS = 1000;
/** §3.1: toparty and totag ≤100 ids each (82002 / 82003). */
export const MAX_PARTIES = 100;
export const MAX_TAGS = 100;
/** §3.1: duplicate_check_interval, seconds, default 1800, at most 4 hours. */
export const MAX_DUPLICATE_CHECK_INTERVAL = 14_400;
/** §3.2 mpnews content ≤666 KB (45002). */
const MPNEWS_CONTENT_MAX_BYTES = 666 * 1024;
/** §1.11: userid is 1–64 bytes of `[0-9A-Za-z_\-@.]` (case-insensitive). */
const USERID = /^[0-9A-Za-z_\-@.]{1,64}$/;

/** Where a message goes: message/send allows every msgtype; appchat/send all but miniprogram_notice and template_card (§9.1). */
export type MessageTarget = 'message/send' | 'appchat/send';

const APPCHAT_TYPES: readonly MsgType[] = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown'];

/** Collects every problem of `message` into `c` (paths are wire paths, e.g. `news.articles[3].url`). */
export function checkMessage(c: Checker, message: unknown, target: MessageTarget = 'message/send'): void {
  if (!c.isObject('message', message)) return;
  const allowed = target === 'appchat/send' ? APPCHAT_TYPES : MSG_TYPES;
  if (!c.oneOf('msgtype', message.msgtype, allowed, true)) return;
  const type = message.msgtype as MsgType;
  const body = message[type];
  if (!c.isObject(type, body)) return;

  switch (type) {
    case 'text':
    case 'markdown':
      // 44004 empty content
      c.string(`${type}.content`, body.content, { required: true, maxBytes: TEXT_MAX_BYTES });
      break;
    case 'image':
    case 'voice':
    case 'file':
      c.string(`${type}.media_id`, body.media_id, { required: true, hint: 'upload the file with media.upload first' });
      break;
    case 'video':
      c.string('video.media_id', body.media_id, { required: true, hint: 'upload the file with media.upload first' });
      c.string('video.title', body.title, { maxBytes: 128 });
      c.string('video.description', body.description, { maxBytes: 512 });
      break;
    case 'textcard':
      c.string('textcard.title', body.title, { required: true, maxBytes: 128 });
      c.string('textcard.description', body.description, { required: true, maxBytes: 512 }); // 41033
      c.url('textcard.url', body.url, { required: true, maxBytes: 2048 });
      c.string('textcard.btntxt', body.btntxt, { maxChars: 4 });
      break;
    case 'news':
      // 45008 above 8 articles; 41016 title missing
      c.array('news.articles', body.articles, { min: 1, max: 8, what: 'articles' }).forEach((article, i) => {
        const p = `news.articles[${i}]`;
        if (!c.isObject(p, article)) return;
        c.string(`${p}.title`, article.title, { required: true, maxBytes: 128 });
        c.string(`${p}.description`, article.description, { maxBytes: 512 });
        c.url(`${p}.url`, article.url, { maxBytes: 2048 });
        c.url(`${p}.picurl`, article.picurl);
        const miniProgram = article.appid !== undefined || article.pagepath !== undefined;
        if (miniProgram) {
          c.string(`${p}.appid`, article.appid, { required: true, hint: 'a mini program article needs appid and pagepath' });
          c.string(`${p}.pagepath`, article.pagepath, { required: true, hint: 'a mini program article needs appid and pagepath' });
        } else if (article.url === undefined) {
          c.add(`${p}.url`, `${p}.url is required (or appid + pagepath for a mini program)`);
        }
      });
      break;
    case 'mpnews':
      if ('media_id' in body && !('articles' in body)) {
        c.string('mpnews.media_id', body.media_id, { required: true });
        break;
      }
      c.array('mpnews.articles', body.articles, { min: 1, max: 8, what: 'articles' }).forEach((article, i) => {
        const p = `mpnews.articles[${i}]`;
        if (!c.isObject(p, article)) return;
        c.string(`${p}.title`, article.title, { required: true, maxBytes: 128 });
        c.string(`${p}.thumb_media_id`, article.thumb_media_id, { required: true, hint: 'upload the cover image with media.upload first' });
        c.string(`${p}.author`, article.author, { maxBytes: 64 }); // 45032
        c.string(`${p}.content`, article.content, { required: true, maxBytes: MPNEWS_CONTENT_MAX_BYTES });
        c.string(`${p}.digest`, article.digest, { maxBytes: 512 });
        c.url(`${p}.content_source_url`, article.content_source_url);
      });
      break;
    case 'miniprogram_notice': {
      c.string('miniprogram_notice.appid', body.appid, { required: true, hint: 'the mini program bound to the app' });
      c.string('miniprogram_notice.page', body.page, { maxBytes: 1024 });
      c.string('miniprogram_notice.title', body.title, { required: true, minChars: 4, maxChars: 12 });
      c.string('miniprogram_notice.description', body.description, { minChars: 4, maxChars: 12 });
      if (body.emphasis_first_item !== undefined && typeof body.emphasis_first_item !== 'boolean') {
        c.add('miniprogram_notice.emphasis_first_item', 'miniprogram_notice.emphasis_first_item must be true or false');
      }
      c.array('miniprogram_notice.content_item', body.content_item, { max: 10, what: 'items' }).forEach((item, i) => {
        const p = `miniprogram_notice.content_item[${i}]`;
        if (!c.isObject(p, item)) return;
        c.string(`${p}.key`, item.key, { required: true, maxChars: 10 });
        c.string(`${p}.value`, item.value, { required: true, maxChars: 30 });
      });
      break;
    }
    case 'template_card':
      checkTemplateCard(c, 'template_card', body);
      break;
  }
}

export interface RecipientCheckOptions {
  /** miniprogram_notice cannot go to `@all` (§3.2). */
  allowAll?: boolean;
}

/** Collects the problems of a recipient set (§3.1: ≤1000 users, ≤100 parties, ≤100 tags, at least one, 82001). */
export function checkRecipients(c: Checker, recipients: unknown, options: RecipientCheckOptions = {}): void {
  if (!c.isObject('recipients', recipients)) return;
  const { toUser, toParty, toTag } = recipients as Recipients;
  let any = false;

  if (toUser === '@all') {
    any = true;
    if (options.allowAll === false) c.add('touser', 'touser is "@all", which miniprogram_notice does not allow; list the members');
  } else if (toUser !== undefined) {
    const users = c.array('touser', toUser, { max: Infinity });
    const unique = uniqueUserIds(users.filter((u): u is string => typeof u === 'string'));
    if (unique.length > MAX_USERS) {
      c.add('touser', `touser lists ${unique.length} members; at most ${MAX_USERS} per message — split the send`);
    }
    users.forEach((user, i) => {
      if (typeof user !== 'string' || !USERID.test(user)) {
        c.add(`touser[${i}]`, `touser[${i}] ${JSON.stringify(user)} is not a userid (1–64 characters of 0-9, A-Z, a-z, _, -, @ and .)`);
      }
    });
    any ||= users.length > 0;
  }
  any = checkIds(c, 'toparty', toParty, MAX_PARTIES, 'departments') || any;
  any = checkIds(c, 'totag', toTag, MAX_TAGS, 'tags') || any;
  if (!any) c.add('recipients', 'no recipients: set at least one of toUser, toParty or toTag (WeCom answers 82001)');
}

function checkIds(c: Checker, path: string, ids: unknown, max: number, what: string): boolean {
  if (ids === undefined) return false;
  const list = c.array(path, ids, { max: Infinity });
  const unique = new Set(list.map(String));
  if (unique.size > max) c.add(path, `${path} lists ${unique.size} ${what}; at most ${max} per message — split the send`);
  list.forEach((id, i) => {
    const ok = (typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 0xffffffff) || (typeof id === 'string' && /^[1-9]\d{0,9}$/.test(id.trim()));
    if (!ok) c.add(`${path}[${i}]`, `${path}[${i}] ${JSON.stringify(id)} is not a ${what === 'tags' ? 'tag' : 'department'} id (a positive integer)`);
  });
  return list.length > 0;
}

/** userids are case-insensitive (§1.11): keep the first spelling of each. */
export function uniqueUserIds(users: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const user of users) {
    const key = user.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(user);
    }
  }
  return out;
}

/** Throws a MessageValidationError listing every problem of `message`; returns it typed when valid. */
export function validateMessage(message: unknown, target: MessageTarget = 'message/send'): Message {
  const c = new Checker();
  checkMessage(c, message, target);
  c.throwIfAny();
  return message as Message;
}

/** Throws a MessageValidationError listing every problem of the recipient set. */
export function validateRecipients(recipients: unknown, options?: RecipientCheckOptions): Recipients {
  const c = new Checker();
  checkRecipients(c, recipients, options);
  c.throwIfAny('recipients');
  return recipients as Recipients;
}

export { MessageValidationError };
