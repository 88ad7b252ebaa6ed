/**
 * Message bodies (wecom-protocol.md §3.2): validation per msgtype with WeCom's errcodes, and the content as the
 * member receives it (text truncated at 2048 bytes, video title/description truncated). Shared by message/send
 * and appchat/send. Throws ApiError; returns a copy, never the caller's object.
 */
import type { Behaviour } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { MediaStore } from '../state/media.ts';

export const APP_MSGTYPES = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown', 'miniprogram_notice', 'template_card', 'taskcard'] as const;
/** appchat/send takes these (§9.1). */
export const CHAT_MSGTYPES = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown'] as const;

export interface ValidatedContent {
  content: Record<string, unknown>;
  /** The card can be updated by update_template_card (button/vote/multiple, or a card with action_menu). */
  updatable: boolean;
  /** A response_code comes back from message/send (§3.1). */
  needsResponseCode: boolean;
}

export interface ContentEnv {
  media: MediaStore;
  behaviour: Behaviour;
  /** Mini program appids the app is bound to; undefined accepts any. */
  miniprogramAppIds?: string[];
  /** safe from the request (news does not support it, 40074). */
  safe?: unknown;
}

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > max) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const chars = (text: string) => [...text].length;
const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/\S+$/i.test(value);

/**
 * A documented length limit without a truncation rule or an errcode of its own: WeCom refuses an over-long field
 * with 40058 "invalid Request Parameter" (§4). `unit` counts characters (the card and notice limits) or UTF-8 bytes.
 */
function checkLength(value: unknown, max: number, field: string, unit: 'chars' | 'bytes' = 'chars'): void {
  if (typeof value !== 'string') return;
  const length = unit === 'chars' ? chars(value) : utf8Length(value);
  if (length > max) throw new ApiError(40058, { text: `invalid Request Parameter, ${field} exceeds ${max} ${unit === 'chars' ? 'characters' : 'bytes'}` });
}

/** Validates the body named by msgtype (which the caller has already checked is known). */
export function validateContent(msgtype: string, body: unknown, env: ContentEnv): ValidatedContent {
  const plain = (content: Record<string, unknown>): ValidatedContent => ({ content, updatable: false, needsResponseCode: false });
  switch (msgtype) {
    case 'text':
    case 'markdown': {
      // §3.2: content required (44004 empty content); ≤2048 bytes, truncated per the send doc or 45002 (§12.4).
      if (!isObject(body) || !nonEmpty(body.content)) throw new ApiError(44004);
      let content = body.content;
      if (utf8Length(content) > 2048) {
        if (env.behaviour.textOverLimit === 'reject') throw new ApiError(45002);
        content = truncateBytes(content, 2048);
      }
      return plain({ ...structuredClone(body), content });
    }
    case 'image':
    case 'voice':
    case 'file':
    case 'video': {
      // §3.2: media_id from media/upload, valid 3 days; unknown or expired → 40007.
      if (!isObject(body) || !nonEmpty(body.media_id) || !env.media.get(body.media_id)) throw new ApiError(40007);
      const content = structuredClone(body);
      if (msgtype === 'video') {
        // title ≤128 bytes, description ≤512 bytes, auto-truncated.
        if (typeof content.title === 'string') content.title = truncateBytes(content.title, 128);
        if (typeof content.description === 'string') content.description = truncateBytes(content.description, 512);
      }
      return plain(content);
    }
    case 'textcard': {
      // §3.2: title ≤128 B (41016 when missing), description required (41033), url required with scheme.
      if (!isObject(body) || !nonEmpty(body.title)) throw new ApiError(41016);
      if (!nonEmpty(body.description)) throw new ApiError(41033);
      if (body.url === undefined || body.url === '') throw new ApiError(41010);
      if (!isHttpUrl(body.url) || utf8Length(body.url) > 2048) throw new ApiError(40094);
      return plain({
        ...structuredClone(body),
        title: truncateBytes(body.title, 128),
        description: truncateBytes(body.description, 512),
        ...(typeof body.btntxt === 'string' ? { btntxt: [...body.btntxt].slice(0, 4).join('') } : {}),
      });
    }
    case 'news': {
      // §3.2: 1–8 articles (45008); title required (41016); url or appid+pagepath; no `safe` (40074).
      if (env.safe !== undefined && env.safe !== 0) throw new ApiError(40074);
      const articles = articlesOf(body);
      for (const article of articles) {
        if (!nonEmpty(article.title)) throw new ApiError(41016);
        const miniProgram = nonEmpty(article.appid) && nonEmpty(article.pagepath);
        if (!miniProgram && !nonEmpty(article.url)) throw new ApiError(41010);
        // url ≤2048 bytes (§3.2), as for textcard.
        if (typeof article.url === 'string' && utf8Length(article.url) > 2048) throw new ApiError(40094);
      }
      return plain({
        articles: articles.map((a) => ({
          ...a,
          title: truncateBytes(a.title as string, 128),
          ...(typeof a.description === 'string' ? { description: truncateBytes(a.description, 512) } : {}),
        })),
      });
    }
    case 'mpnews': {
      // §3.2: permanent material by media_id, or 1–8 articles each with title, thumb_media_id, content ≤666 KB.
      if (isObject(body) && nonEmpty(body.media_id) && body.articles === undefined) {
        if (!env.media.get(body.media_id)) throw new ApiError(40007);
        return plain(structuredClone(body));
      }
      const articles = articlesOf(body);
      for (const article of articles) {
        if (!nonEmpty(article.title)) throw new ApiError(41016);
        if (!nonEmpty(article.thumb_media_id) || !env.media.get(article.thumb_media_id)) throw new ApiError(40007);
        if (typeof article.author === 'string' && utf8Length(article.author) > 64) throw new ApiError(45032);
        if (typeof article.content !== 'string' || article.content === '') throw new ApiError(44004);
        if (utf8Length(article.content) > 666 * 1024) throw new ApiError(45002);
      }
      // title ≤128 B and digest ≤512 B, cut like news titles and descriptions.
      return plain({
        articles: articles.map((a) => ({
          ...a,
          title: truncateBytes(a.title as string, 128),
          ...(typeof a.digest === 'string' ? { digest: truncateBytes(a.digest, 512) } : {}),
        })),
      });
    }
    case 'miniprogram_notice': {
      // §3.2: appid of a bound mini program, title required, content_item ≤10.
      if (!isObject(body) || !nonEmpty(body.appid)) throw new ApiError(40063, { text: 'param is empty, miniprogram_notice.appid is required' });
      if (env.miniprogramAppIds && !env.miniprogramAppIds.includes(body.appid)) throw new ApiError(48002);
      if (!nonEmpty(body.title)) throw new ApiError(41016);
      if (body.content_item !== undefined && (!Array.isArray(body.content_item) || body.content_item.length > 10)) {
        throw new ApiError(40058, { text: 'miniprogram_notice.content_item exceed max size 10' });
      }
      // page ≤1024 B; content_item key ≤10 and value ≤30 characters (§3.2).
      checkLength(body.page, 1024, 'miniprogram_notice.page', 'bytes');
      for (const item of (body.content_item ?? []) as unknown[]) {
        if (!isObject(item) || !nonEmpty(item.key) || typeof item.value !== 'string') {
          throw new ApiError(40058, { text: 'invalid Request Parameter, miniprogram_notice.content_item needs key and value' });
        }
        checkLength(item.key, 10, 'miniprogram_notice.content_item.key');
        checkLength(item.value, 30, 'miniprogram_notice.content_item.value');
      }
      return plain(structuredClone(body));
    }
    case 'template_card':
      return validateTemplateCard(body, env.behaviour);
    case 'taskcard': {
      // Legacy task card (§3.2): title and task_id required; superseded by template_card.
      if (!isObject(body) || !nonEmpty(body.title)) throw new ApiError(41016);
      if (!nonEmpty(body.task_id)) throw new ApiError(42014);
      return plain(structuredClone(body));
    }
    default:
      throw new ApiError(40008);
  }
}

function articlesOf(body: unknown): Record<string, unknown>[] {
  const articles = isObject(body) ? body.articles : undefined;
  if (!Array.isArray(articles) || articles.length === 0 || articles.length > 8) throw new ApiError(45008);
  if (!articles.every(isObject)) throw new ApiError(40058);
  return structuredClone(articles);
}

const CARD_TYPES = ['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction'];
const INTERACTIVE = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;

/**
 * template_card (§3.2 card field table; errcodes 42014, 42027–42051 from Appendix A). Checks run roughly in the
 * order the fields appear in the doc.
 */
export function validateTemplateCard(body: unknown, behaviour: Pick<Behaviour, 'actionMenuCardsGetResponseCode'>): ValidatedContent {
  if (!isObject(body) || typeof body.card_type !== 'string' || !CARD_TYPES.includes(body.card_type)) throw new ApiError(42031);
  const card = structuredClone(body);
  const type = body.card_type;
  const interactive = INTERACTIVE.has(type);
  const hasMenu = card.action_menu !== undefined;

  if ((interactive || hasMenu) && (typeof card.task_id !== 'string' || !TASK_ID.test(card.task_id))) throw new ApiError(42014);

  if (hasMenu) {
    const menu = card.action_menu;
    const list = isObject(menu) ? menu.action_list : undefined;
    if (!Array.isArray(list) || list.length < 1 || list.length > 3) {
      throw new ApiError(40058, { text: 'template_card.action_menu.action_list size must be 1-3' });
    }
    const keys = new Set<string>();
    for (const action of list) {
      if (!isObject(action) || !nonEmpty(action.text) || !nonEmpty(action.key) || utf8Length(action.key) > 1024) {
        throw new ApiError(40058, { text: 'template_card.action_menu.action_list needs text and key (key ≤1024 bytes)' });
      }
      if (keys.has(action.key)) throw new ApiError(42051);
      keys.add(action.key);
    }
  }

  const mainTitle = isObject(card.main_title) ? card.main_title : undefined;
  if (type === 'text_notice') {
    if (!nonEmpty(mainTitle?.title) && !nonEmpty(card.sub_title_text)) throw new ApiError(42033);
  } else if (!nonEmpty(mainTitle?.title)) {
    throw new ApiError(42033);
  }

  // Documented lengths in characters (§3.2 card field table); the vertical list takes the larger of its revisions.
  checkLength(isObject(card.source) ? card.source.desc : undefined, 20, 'template_card.source.desc');
  checkLength(mainTitle?.title, 36, 'template_card.main_title.title');
  checkLength(mainTitle?.desc, 44, 'template_card.main_title.desc');
  checkLength(isObject(card.emphasis_content) ? card.emphasis_content.title : undefined, 14, 'template_card.emphasis_content.title');
  checkLength(isObject(card.emphasis_content) ? card.emphasis_content.desc : undefined, 22, 'template_card.emphasis_content.desc');
  checkLength(card.sub_title_text, 160, 'template_card.sub_title_text');

  if (card.horizontal_content_list !== undefined) {
    const list = card.horizontal_content_list;
    if (!Array.isArray(list) || list.length > 6) throw new ApiError(42035);
    for (const item of list) {
      if (!isObject(item) || !nonEmpty(item.keyname)) throw new ApiError(42027);
      checkLength(item.value, 30, 'template_card.horizontal_content_list.value');
      if (item.type === 1 && !nonEmpty(item.url)) throw new ApiError(42028);
      if (item.type === 2 && !nonEmpty(item.media_id)) throw new ApiError(42029);
      if (item.type === 3 && !nonEmpty(item.userid)) throw new ApiError(42050);
    }
  }

  if (card.jump_list !== undefined) {
    const list = card.jump_list;
    if (!Array.isArray(list) || list.length > 3) throw new ApiError(42042);
    for (const item of list) {
      if (!isObject(item) || !nonEmpty(item.title)) throw new ApiError(42033);
      checkLength(item.title, 18, 'template_card.jump_list.title');
      if (item.type === 1 && !nonEmpty(item.url)) throw new ApiError(42028);
      if (item.type === 2 && !nonEmpty(item.appid)) throw new ApiError(42030);
    }
  }

  // card_action: required with type 1 (url) or 2 (mini program) for text/news notices, optional elsewhere.
  const action = card.card_action;
  if (type === 'text_notice' || type === 'news_notice') {
    if (!isObject(action) || (action.type !== 1 && action.type !== 2)) throw new ApiError(42045);
  }
  if (action !== undefined) {
    if (!isObject(action)) throw new ApiError(42045);
    if (action.type === 1 && !nonEmpty(action.url)) throw new ApiError(42028);
    if (action.type === 2 && !nonEmpty(action.appid)) throw new ApiError(42030);
  }

  switch (type) {
    case 'news_notice': {
      const image = card.card_image;
      const area = card.image_text_area;
      if (image === undefined && area === undefined) throw new ApiError(42044);
      if (image !== undefined && (!isObject(image) || !nonEmpty(image.url))) throw new ApiError(42044);
      if (area !== undefined && (!isObject(area) || !nonEmpty(area.image_url))) throw new ApiError(42044);
      if (card.vertical_content_list !== undefined) {
        const list = card.vertical_content_list;
        if (!Array.isArray(list) || list.length > 4) throw new ApiError(42036);
        for (const item of list) {
          if (!isObject(item) || !nonEmpty(item.title)) throw new ApiError(42033);
          checkLength(item.title, 38, 'template_card.vertical_content_list.title');
          checkLength(item.desc, 160, 'template_card.vertical_content_list.desc');
        }
      }
      break;
    }
    case 'button_interaction': {
      const buttons = card.button_list;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) {
        throw new ApiError(42038, { text: 'template_card.button_list size must be 1-6' });
      }
      for (const button of buttons) {
        if (!isObject(button) || !nonEmpty(button.text) || chars(button.text) > 10) throw new ApiError(42038);
        if (button.type === 1) {
          if (!nonEmpty(button.url)) throw new ApiError(42028);
        } else if (!nonEmpty(button.key) || utf8Length(button.key) > 1024) {
          throw new ApiError(42039);
        }
      }
      if (card.button_selection !== undefined) checkQuestion(card.button_selection, 10);
      break;
    }
    case 'vote_interaction': {
      checkQuestion(card.checkbox, 20);
      checkSubmitButton(card.submit_button);
      break;
    }
    case 'multiple_interaction': {
      const selects = card.select_list;
      if (!Array.isArray(selects) || selects.length < 1 || selects.length > 3) throw new ApiError(42047);
      for (const select of selects) checkQuestion(select, 10);
      checkSubmitButton(card.submit_button);
      break;
    }
  }

  const updatable = interactive || hasMenu;
  return { content: card, updatable, needsResponseCode: interactive || (hasMenu && behaviour.actionMenuCardsGetResponseCode) };
}

/** button_selection / checkbox / select_list entry: question_key (42043), 1..max options (42037), ids (42040), texts (42041). */
function checkQuestion(question: unknown, maxOptions: number): void {
  if (!isObject(question) || !nonEmpty(question.question_key) || utf8Length(question.question_key) > 1024) throw new ApiError(42043);
  const options = question.option_list;
  if (!Array.isArray(options) || options.length < 1 || options.length > maxOptions) throw new ApiError(42037);
  for (const option of options) {
    if (!isObject(option) || !nonEmpty(option.id) || utf8Length(option.id) > 128) throw new ApiError(42040);
    if (!nonEmpty(option.text)) throw new ApiError(42041);
  }
}

/** submit_button: key required ≤1024 B (42046); text optional, ≤10 characters (42049). */
function checkSubmitButton(button: unknown): void {
  if (!isObject(button) || !nonEmpty(button.key) || utf8Length(button.key) > 1024) throw new ApiError(42046);
  if (button.text !== undefined && (typeof button.text !== 'string' || chars(button.text) > 10)) throw new ApiError(42049);
}
