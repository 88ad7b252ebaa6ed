/**
 * `@pairview/wecom/callback`: receive WeCom callbacks (wecom-protocol.md §6) in three layers —
 * pure crypto and XML → a receiver that verifies, decrypts, parses, dedupes and dispatches → adapters for node:http
 * and fastify that own paths and status codes.
 */
export {
  assertCallbackCredentials,
  assertEncodingAESKey,
  CallbackCryptoError,
  computeSignature,
  CryptoErrorCode,
  decryptMessage,
  encryptMessage,
  verifySignature,
} from './crypto.ts';
export type { CallbackCredentials, DecryptedMessage } from './crypto.ts';
export {
  buildEncryptedEnvelope,
  buildReplyEnvelope,
  listOf,
  parseCallbackXml,
  parseEncryptedEnvelope,
  parseReplyEnvelope,
  textOf,
} from './xml.ts';
export type { EncryptedEnvelope, ReplyEnvelope, XmlRecord, XmlValue } from './xml.ts';
export { callbackEventTable, parseCallbackEvent, serializeCallbackXml, toCallbackEvent } from './events.ts';
export type {
  CallbackEvent,
  CallbackEventInput,
  CallbackEventOf,
  CallbackEventType,
  ChangeContactEvent,
  ChangeContactType,
  ExtAttrItem,
  SelectedItem,
  UnknownCallbackEvent,
} from './events.ts';
export {
  assertPassiveReply,
  decryptPassiveReply,
  encryptPassiveReply,
  parsePassiveReplyXml,
  passiveReplyXml,
} from './reply.ts';
export type { DecryptedPassiveReply, NewsArticle, ParsedPassiveReply, PassiveReply, PassiveReplyType, ReplyAddress } from './reply.ts';
