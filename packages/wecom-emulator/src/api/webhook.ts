/**
 * The group robot webhook (wecom-protocol.md §9.2): no access_token, the `key` is the credential (unknown or
 * missing → 93000). 20 messages per minute per robot → 45009. upload_media checks the file before the key
 * (observed) and its ids work only for that robot.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../errors.ts';
import { truncateBytes, utf8Length, validateTemplateCard } from './content.ts';
import type { ApiContext, ApiRoute } from './pipeline.ts';
import { readUpload } from './upload.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function robotOf(ctx: ApiContext) {
  const key = ctx.query.key;
  const robot = key ? ctx.state.config.robots.find((r) => r.key === key) : undefined;
  if (!robot) throw new ApiError(93000);
  return robot;
}

/** WeCom answers over-long robot fields with 40058 and a detail text (OBS "text.content exceed max length 5120"). */
function tooLong(field: string, max: number): never {
  throw new ApiError(40058, { text: `invalid Request Parameter, ${field} exceed max length ${max}` });
}

function validateRobotMessage(ctx: ApiContext, key: string, body: Record<string, unknown>): { msgtype: string; content: Record<string, unknown> } {
  const msgtype = body.msgtype;
  const content = body[typeof msgtype === 'string' ? msgtype : ''];
  switch (msgtype) {
    case 'text': {
      // content ≤2048 bytes (doc); mentioned_list / mentioned_mobile_list pass through.
      if (!isObject(content) || !nonEmpty(content.content)) throw new ApiError(44004);
      if (utf8Length(content.content) > 2048) tooLong('text.content', 2048);
      return { msgtype, content: structuredClone(content) };
    }
    case 'markdown':
    case 'markdown_v2': {
      if (!isObject(content) || !nonEmpty(content.content)) throw new ApiError(44004);
      if (utf8Length(content.content) > 4096) tooLong(`${msgtype}.content`, 4096);
      return { msgtype, content: structuredClone(content) };
    }
    case 'image': {
      // base64 of the raw image + md5 of the raw bytes; ≤2 MB before encoding.
      if (!isObject(content) || !nonEmpty(content.base64) || !nonEmpty(content.md5)) {
        throw new ApiError(40058, { text: 'invalid Request Parameter, image.base64 and image.md5 are required' });
      }
      const raw = Buffer.from(content.base64, 'base64');
      if (raw.length === 0) throw new ApiError(44001);
      if (raw.length > 2 * 1024 * 1024) throw new ApiError(40009, { text: 'invalid image size' });
      if (createHash('md5').update(raw).digest('hex') !== content.md5.toLowerCase()) {
        throw new ApiError(40058, { text: 'invalid Request Parameter, image.md5 does not match image.base64' });
      }
      return { msgtype, content: { md5: content.md5, bytes: raw.length } };
    }
    case 'news': {
      const articles = isObject(content) ? content.articles : undefined;
      if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new ApiError(45008);
      for (const article of articles) {
        if (!isObject(article) || !nonEmpty(article.title)) throw new ApiError(41016);
        if (!nonEmpty(article.url)) throw new ApiError(41010);
      }
      return {
        msgtype,
        content: {
          articles: (articles as Record<string, unknown>[]).map((a) => ({
            ...a,
            title: truncateBytes(a.title as string, 128),
            ...(typeof a.description === 'string' ? { description: truncateBytes(a.description, 512) } : {}),
          })),
        },
      };
    }
    case 'file':
    case 'voice': {
      // Only media uploaded to this robot (webhook/upload_media) works; app media ids do not.
      if (!isObject(content) || !nonEmpty(content.media_id) || !ctx.state.media.get(content.media_id, key)) throw new ApiError(40007);
      return { msgtype, content: structuredClone(content) };
    }
    case 'template_card': {
      // Robots send text_notice and news_notice cards only.
      if (!isObject(content) || (content.card_type !== 'text_notice' && content.card_type !== 'news_notice')) throw new ApiError(42031);
      return { msgtype, content: validateTemplateCard(content, ctx.state.config.behaviour).content };
    }
    default:
      throw new ApiError(40008);
  }
}

export const webhookRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/cgi-bin/webhook/send',
    auth: 'none',
    noApiQuota: true,
    handle(ctx) {
      const robot = robotOf(ctx);
      const message = validateRobotMessage(ctx, robot.key, ctx.body as Record<string, unknown>);
      if (ctx.state.quotas.webhook.tryTake(robot.key) !== -1) throw new ApiError(45009);
      const list = ctx.state.robotMessages.get(robot.key) ?? [];
      list.push({ robot: robot.name ?? 'robot', ...message, sentAt: ctx.state.clock.now() });
      ctx.state.robotMessages.set(robot.key, list);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/webhook/upload_media',
    auth: 'none',
    body: 'multipart',
    noApiQuota: true,
    async handle(ctx) {
      const upload = await readUpload(ctx.request);
      ctx.logBody = { multipart: { field: 'media', filename: upload.filename, bytes: upload.data.length } };
      const robot = robotOf(ctx);
      const type = ctx.query.type;
      if (type !== 'file' && type !== 'voice') throw new ApiError(40005);
      // file 5 B–20 MB, voice ≤2 MB (§9.2).
      if (upload.truncated || upload.data.length > (type === 'voice' ? 2 : 20) * 1024 * 1024) throw new ApiError(45001);
      if (upload.data.length < 5) throw new ApiError(40006);
      const media = ctx.state.media.add({ type, filename: upload.filename, contentType: upload.contentType, data: upload.data, robotKey: robot.key });
      return { type, media_id: media.mediaId, created_at: String(Math.floor(media.createdAt / 1000)) };
    },
  },
];
