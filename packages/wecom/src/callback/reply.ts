/**
 * Passive replies (被动回复, wecom-protocol.md §6.6): the XML a receiver may put in the body of its 200 answer,
 * encrypted and signed like a callback but in the other direction (ToUserName = the member, FromUserName = the
 * CorpID). Both directions live here: building and encrypting (receivers), decrypting and reading (the emulator
 * and tests, which must show what an app replied). Pure functions, no I/O.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  CallbackCryptoError,
  computeSignature,
  CryptoErrorCode,
  decryptMessage,
  encryptMessage,
  verifySignature,
  type CallbackCredentials,
} from './crypto.ts';
import { bare, buildReplyEnvelope, cdata, children, listOf, parseCallbackXml, parseReplyEnvelope, repeat, textOf, writeXml, type XmlRecord } from './xml.ts';

export interface NewsArticle {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

/** What a handler may answer with (§6.6). `update_button` answers a template_card_event click. */
export type PassiveReply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | { type: 'news'; articles: NewsArticle[] }
  | { type: 'update_button'; replaceName: string };

export type PassiveReplyType = PassiveReply['type'];

const REPLY_TYPES: ReadonlySet<string> = new Set<PassiveReplyType>(['text', 'image', 'voice', 'video', 'news', 'update_button']);

/** Whether a handler's return value is meant as a reply: an object whose `type` is a reply type. */
export function isPassiveReply(value: unknown): value is PassiveReply {
  return typeof value === 'object' && value !== null && REPLY_TYPES.has((value as { type?: unknown }).type as string);
}

/** Who the reply goes to and when: ToUserName is the member who sent the callback, FromUserName the CorpID. */
export interface ReplyAddress {
  toUserName: string;
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
}

/** Checks a reply before it is encrypted, so a handler's mistake is reported to onError rather than sent. */
export function assertPassiveReply(reply: PassiveReply): void {
  const fail = (message: string): never => {
    throw new TypeError(`invalid passive reply: ${message}`);
  };
  if (reply === null || typeof reply !== 'object') fail('expected an object like { type: "text", content: "…" }');
  switch (reply.type) {
    case 'text':
      if (typeof reply.content !== 'string' || reply.content === '') fail('a text reply needs a non-empty content');
      return;
    case 'image':
    case 'voice':
    case 'video':
      if (typeof reply.mediaId !== 'string' || reply.mediaId === '') fail(`a ${reply.type} reply needs a mediaId (upload the file first)`);
      return;
    case 'news':
      // WeCom's news message carries 1 to 8 articles (§3.2).
      if (!Array.isArray(reply.articles) || reply.articles.length < 1 || reply.articles.length > 8) fail('a news reply needs 1 to 8 articles');
      for (const article of reply.articles) if (typeof article?.title !== 'string' || article.title === '') fail('every news article needs a title');
      return;
    case 'update_button':
      if (typeof reply.replaceName !== 'string' || reply.replaceName === '') fail('an update_button reply needs a replaceName');
      return;
    default:
      fail(`unknown reply type "${String((reply as { type?: unknown }).type)}"; use text, image, voice, video, news or update_button`);
  }
}

/** The reply's plaintext XML, as in §6.6. */
export function passiveReplyXml(reply: PassiveReply, address: ReplyAddress): string {
  assertPassiveReply(reply);
  const head = {
    ToUserName: cdata(address.toUserName),
    FromUserName: cdata(address.fromUserName),
    CreateTime: bare(address.createTime),
    MsgType: cdata(reply.type),
  };
  switch (reply.type) {
    case 'text':
      return writeXml({ ...head, Content: cdata(reply.content) });
    case 'image':
      return writeXml({ ...head, Image: children({ MediaId: cdata(reply.mediaId) }) });
    case 'voice':
      return writeXml({ ...head, Voice: children({ MediaId: cdata(reply.mediaId) }) });
    case 'video':
      return writeXml({
        ...head,
        Video: children({
          MediaId: cdata(reply.mediaId),
          Title: reply.title !== undefined ? cdata(reply.title) : undefined,
          Description: reply.description !== undefined ? cdata(reply.description) : undefined,
        }),
      });
    case 'news':
      return writeXml({
        ...head,
        ArticleCount: bare(reply.articles.length),
        Articles: children({
          item: repeat(
            reply.articles.map((a) =>
              children({
                Title: cdata(a.title),
                Description: a.description !== undefined ? cdata(a.description) : undefined,
                PicUrl: a.picUrl !== undefined ? cdata(a.picUrl) : undefined,
                Url: a.url !== undefined ? cdata(a.url) : undefined,
              }),
            ),
          ),
        }),
      });
    case 'update_button':
      return writeXml({ ...head, Button: children({ ReplaceName: cdata(reply.replaceName) }) });
  }
}

/** A reply read back from its plaintext XML. `reply` is undefined for a MsgType this module does not build. */
export interface ParsedPassiveReply extends ReplyAddress {
  reply: PassiveReply | undefined;
  msgType: string;
  raw: XmlRecord;
}

export function parsePassiveReplyXml(xml: string): ParsedPassiveReply {
  const raw = parseCallbackXml(xml);
  const msgType = textOf(raw.MsgType) ?? '';
  const child = (tag: string): XmlRecord => {
    const value = raw[tag];
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  };
  const optionalText = <K extends string>(key: K, record: XmlRecord, tag: string): { [P in K]?: string } => {
    const value = textOf(record[tag]);
    return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
  };
  let reply: PassiveReply | undefined;
  switch (msgType) {
    case 'text':
      reply = { type: 'text', content: textOf(raw.Content) ?? '' };
      break;
    case 'image':
    case 'voice':
      reply = { type: msgType, mediaId: textOf(child(msgType === 'image' ? 'Image' : 'Voice').MediaId) ?? '' };
      break;
    case 'video': {
      const video = child('Video');
      reply = { type: 'video', mediaId: textOf(video.MediaId) ?? '', ...optionalText('title', video, 'Title'), ...optionalText('description', video, 'Description') };
      break;
    }
    case 'news': {
      const items = listOf(child('Articles').item).filter((item): item is XmlRecord => typeof item === 'object' && !Array.isArray(item));
      reply = {
        type: 'news',
        articles: items.map((item) => ({
          title: textOf(item.Title) ?? '',
          ...optionalText('description', item, 'Description'),
          ...optionalText('picUrl', item, 'PicUrl'),
          ...optionalText('url', item, 'Url'),
        })),
      };
      break;
    }
    case 'update_button':
      reply = { type: 'update_button', replaceName: textOf(child('Button').ReplaceName) ?? '' };
      break;
  }
  return {
    toUserName: textOf(raw.ToUserName) ?? '',
    fromUserName: textOf(raw.FromUserName) ?? '',
    createTime: Number(textOf(raw.CreateTime) ?? 0),
    msgType,
    reply,
    raw,
  };
}

export interface EncryptOptions {
  /** Unix seconds; WeCom allows reusing the request's timestamp (§6.6). */
  timestamp: string | number;
  nonce: string | number;
  /** 16 bytes; random when omitted. Fixed only in tests that compare bytes. */
  random?: Buffer;
}

/** Encrypts and signs a plaintext reply into the envelope that goes in the HTTP body (§6.6). */
export function encryptPassiveReply(credentials: CallbackCredentials, plaintext: string, options: EncryptOptions): string {
  const encrypt = encryptMessage(credentials.encodingAESKey, plaintext, credentials.corpId, options.random);
  const timestamp = String(options.timestamp);
  const nonce = String(options.nonce);
  return buildReplyEnvelope({ encrypt, msgSignature: computeSignature(credentials.token, timestamp, nonce, encrypt), timestamp, nonce });
}

export interface DecryptedPassiveReply extends ParsedPassiveReply {
  /** The decrypted plaintext XML. */
  xml: string;
  timestamp: string;
  nonce: string;
}

/**
 * What WeCom does with a passive reply: checks the envelope's signature, decrypts (receive id must be the CorpID)
 * and reads it. Throws CallbackCryptoError when any check fails. For the emulator and for tests.
 */
export function decryptPassiveReply(credentials: CallbackCredentials, envelopeXml: string): DecryptedPassiveReply {
  const envelope = parseReplyEnvelope(envelopeXml);
  if (!verifySignature(credentials.token, envelope.timestamp, envelope.nonce, envelope.encrypt, envelope.msgSignature)) {
    throw new CallbackCryptoError(CryptoErrorCode.ValidateSignature, 'the passive reply signature does not match: was it signed with this callback token?');
  }
  const { message } = decryptMessage(credentials.encodingAESKey, envelope.encrypt, credentials.corpId);
  return { ...parsePassiveReplyXml(message), xml: message, timestamp: envelope.timestamp, nonce: envelope.nonce };
}

/** A nonce like WeCom's: a random decimal string. */
export function randomNonce(): string {
  return String(randomInt(100_000_000, 2 ** 31 - 1));
}

/** 16 random bytes for the plaintext prefix (§6.5). */
export function randomPrefix(): Buffer {
  return randomBytes(16);
}
