/**
 * `@pairview/wecom/testing`: sign callbacks the way WeCom does, read the passive replies an app sends back, the
 * official test vectors, and the contract every DedupeStore must pass. For users' tests and the emulator.
 */
export { signCallback, signUrlVerification } from './sign.ts';
export type { SignCallbackInput, SignedCallback, SignedCallbackQuery, SignedUrlVerification, SignUrlVerificationInput, SignOptions } from './sign.ts';
export { sampleCallbackEvents } from './samples.ts';
export { officialCallbackCredentials, officialCallbackVectors } from './vectors.ts';
export { decryptPassiveReply, encryptPassiveReply, parsePassiveReplyXml, passiveReplyXml } from '../callback/reply.ts';
export type { DecryptedPassiveReply, ParsedPassiveReply, PassiveReply } from '../callback/reply.ts';
export { parseCallbackEvent, serializeCallbackXml } from '../callback/events.ts';
export type { CallbackEvent, CallbackEventInput } from '../callback/events.ts';
export { dedupeStoreContract } from './dedupe-store-contract.ts';
export type { DedupeStoreCheck } from './dedupe-store-contract.ts';
