/**
 * Group-robot webhook messages (wecom-protocol.md §9.2). A different, smaller set than app messages: text with
 * mentions, markdown (4096 bytes), markdown_v2, image as base64 + md5, news, file/voice from the robot's own
 * upload, and text_notice / news_notice cards.
 */
import { createHash } from 'node:crypto';
import { Checker } from './checker.ts';
import { checkTemplateCard } from './validate-card.ts';
import type { NewsNoticeCard, TextNoticeCard } from './types.ts';

export interface RobotTextBody {
  /** ≤2048 bytes. */
  content: string;
  /** userids to @-mention; `"@all"` mentions everyone. */
  mentioned_list?: string[];
  /** Phone numbers to @-mention; `"@all"` mentions everyone. */
  mentioned_mobile_list?: string[];
}

export interface RobotNewsArticle {
  /** ≤128 bytes. */
  title: string;
  /** ≤512 bytes. */
  description?: string;
  /** Required for robots. */
  url: string;
  picurl?: string;
}

export interface RobotMessageBodies {
  text: RobotTextBody;
  /** ≤4096 bytes; `<@userid>` mentions, `<font color>`. */
  markdown: { content: string };
  /** ≤4096 bytes; lists, tables, images, code blocks; no colour, no mentions. */
  markdown_v2: { content: string };
  /** base64 of the raw image (JPG/PNG, ≤2 MB before encoding) and md5 of the raw bytes. */
  image: { base64: string; md5: string };
  /** 1–8 articles. */
  news: { articles: RobotNewsArticle[] };
  /** media_id from this robot's webhook/upload_media (app media ids do not work). */
  file: { media_id: string };
  voice: { media_id: string };
  template_card: TextNoticeCard | NewsNoticeCard;
}

export type RobotMsgType = keyof RobotMessageBodies;
export type RobotMessage = { [K in RobotMsgType]: { msgtype: K } & { [P in K]: RobotMessageBodies[K] } }[RobotMsgType];

const ROBOT_TYPES: readonly RobotMsgType[] = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'];
const ROBOT_TEXT_MAX_BYTES = 2048;
const ROBOT_MARKDOWN_MAX_BYTES = 4096;
const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

export const robotMessage = {
  text(content: string, mentions: { users?: string[]; mobiles?: string[] } = {}): RobotMessage {
    const body: RobotTextBody = { content };
    if (mentions.users?.length) body.mentioned_list = mentions.users;
    if (mentions.mobiles?.length) body.mentioned_mobile_list = mentions.mobiles;
    return { msgtype: 'text', text: body };
  },
  markdown(content: string): RobotMessage {
    return { msgtype: 'markdown', markdown: { content } };
  },
  markdownV2(content: string): RobotMessage {
    return { msgtype: 'markdown_v2', markdown_v2: { content } };
  },
  /** From the raw image bytes; computes the base64 and md5 WeCom wants. */
  image(data: Uint8Array): RobotMessage {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return { msgtype: 'image', image: { base64: bytes.toString('base64'), md5: createHash('md5').update(bytes).digest('hex') } };
  },
  news(...articles: RobotNewsArticle[]): RobotMessage {
    return { msgtype: 'news', news: { articles } };
  },
  file(mediaId: string): RobotMessage {
    return { msgtype: 'file', file: { media_id: mediaId } };
  },
  voice(mediaId: string): RobotMessage {
    return { msgtype: 'voice', voice: { media_id: mediaId } };
  },
  templateCard(card: TextNoticeCard | NewsNoticeCard): RobotMessage {
    return { msgtype: 'template_card', template_card: card };
  },
};

export function checkRobotMessage(c: Checker, message: unknown): void {
  if (!c.isObject('message', message)) return;
  if (!c.oneOf('msgtype', message.msgtype, ROBOT_TYPES, true)) return;
  const type = message.msgtype as RobotMsgType;
  const body = message[type];
  if (!c.isObject(type, body)) return;
  switch (type) {
    case 'text':
      c.string('text.content', body.content, { required: true, maxBytes: ROBOT_TEXT_MAX_BYTES });
      for (const list of ['mentioned_list', 'mentioned_mobile_list'] as const) {
        c.array(`text.${list}`, body[list], { max: Infinity }).forEach((v, i) => c.string(`text.${list}[${i}]`, v, { required: true }));
      }
      break;
    case 'markdown':
    case 'markdown_v2':
      c.string(`${type}.content`, body.content, { required: true, maxBytes: ROBOT_MARKDOWN_MAX_BYTES });
      break;
    case 'image': {
      if (c.string('image.base64', body.base64, { required: true })) {
        const size = Buffer.from(body.base64, 'base64').length;
        if (size > ROBOT_IMAGE_MAX_BYTES) c.add('image.base64', `image is ${size} bytes; WeCom allows ${ROBOT_IMAGE_MAX_BYTES} bytes (2 MB) before encoding`);
      }
      if (c.string('image.md5', body.md5, { required: true }) && !/^[0-9a-f]{32}$/i.test(body.md5)) {
        c.add('image.md5', 'image.md5 must be the 32-character hex md5 of the raw image');
      }
      break;
    }
    case 'news':
      c.array('news.articles', body.articles, { min: 1, max: 8, what: 'articles' }).forEach((article, i) => {
        const p = `news.articles[${i}]`;
        if (!c.isObject(p, article)) return;
        c.string(`${p}.title`, article.title, { required: true, maxBytes: 128 });
        c.string(`${p}.description`, article.description, { maxBytes: 512 });
        // Robots require url; WeCom's own example uses "www.qq.com" without a scheme, so only presence is checked.
        c.string(`${p}.url`, article.url, { required: true, maxBytes: 2048 });
      });
      break;
    case 'file':
    case 'voice':
      c.string(`${type}.media_id`, body.media_id, { required: true, hint: "upload with the robot's uploadMedia first" });
      break;
    case 'template_card':
      checkTemplateCard(c, 'template_card', body, { allowedTypes: ['text_notice', 'news_notice'] });
      break;
  }
}

export function validateRobotMessage(message: unknown): RobotMessage {
  const c = new Checker();
  checkRobotMessage(c, message);
  c.throwIfAny();
  return message as RobotMessage;
}
