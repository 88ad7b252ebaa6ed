/**
 * `@pairview/wecom/callback`: receive WeCom callbacks (wecom-protocol.md §6) in three layers —
 * pure crypto and XML → a receiver that verifies, decrypts, parses, dedupes and dispatches → adapters for node:http
 * and fastify that own paths and status codes.
 *
 *   const callbacks = createCallbackHandler({ token, encodingAESKey, corpId, dedupeStore, onError: log });
 *   callbacks.on('text', /^today$/i, (e) => ({ type: 'text', content: agendaFor(e.fromUserName) }));
 *   callbacks.on('template_card_event', 'accept', (e) => e.reply({ type: 'update_button', replaceName: 'Accepted' }));
 *   callbacks.on('change_contact', 'delete_user', async (e) => { e.ack(); await jobs.add('offboard', e.userId, e.dedupeKey); });
 *   http.createServer(createNodeMiddleware(callbacks, { path: '/wecom/callback' }));
 *   // or: await app.register(wecomCallbackPlugin, { receiver: callbacks, path: '/wecom/callback' });
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
export { CallbackHandlerError, CallbackReplyError, CallbackRequestError } from './errors.ts';
export type { CallbackRequestFailure } from './errors.ts';
export { dedupeKeyFor, MemoryDedupeStore } from './dedupe.ts';
export type { DedupeClaim, DedupeStore, MemoryDedupeStoreOptions } from './dedupe.ts';
export { CallbackRouter } from './router.ts';
export type { CallbackContext, CallbackErrorHandler, CallbackControls, CallbackHandlerFn, Pattern, PatternEventType } from './router.ts';
export { decryptCallback, DEFAULT_MAX_BODY_BYTES, readCallbackQuery, verifyUrl } from './verify.ts';
export type { CallbackSignatureParams, DecryptedCallback, UrlVerificationParams, VerifyOptions } from './verify.ts';
export { CallbackReceiver, createCallbackHandler } from './receiver.ts';
export type { CallbackReceiverOptions, Clock, QueryInput, ReceivedCallback } from './receiver.ts';
export { respondToCallback } from './adapters/http.ts';
export type { CallbackHttpRequest, CallbackHttpResponse } from './adapters/http.ts';
export { createNodeMiddleware } from './adapters/node.ts';
export type { NodeMiddleware, NodeMiddlewareOptions } from './adapters/node.ts';
export { wecomCallbackPlugin } from './adapters/fastify.ts';
export type { FastifyCallbackOptions } from './adapters/fastify.ts';
