/**
 * Errors of the receiving side. Crypto failures keep their WXBizMsgCrypt code (crypto.ts); a request that fails
 * verification becomes a CallbackRequestError carrying the HTTP status the adapters answer with; a handler's
 * failure and a misused reply are reported to onError. No message ever contains a token, key or ciphertext.
 */
import type { CryptoErrorCode } from './crypto.ts';

export type CallbackRequestFailure =
  /** A query parameter (msg_signature, timestamp, nonce, echostr) is absent. → 400 */
  | 'missing_parameter'
  /** A query parameter is present but not what WeCom sends. → 400 */
  | 'invalid_parameter'
  /** The body is not the encrypted envelope, or the decrypted text is not XML. → 400 */
  | 'malformed_body'
  /** The body is larger than maxBodyBytes. → 413 */
  | 'body_too_large'
  /** msg_signature does not match: not signed with this app's Token. → 401 */
  | 'bad_signature'
  /** The timestamp is outside timestampToleranceSeconds (a replay, or a skewed clock). → 401 */
  | 'stale_timestamp'
  /** Correctly signed, but encrypted with another EncodingAESKey or for another CorpID. → 403 */
  | 'decrypt_failed'
  /** Not GET (URL verification) or POST (delivery). → 405 */
  | 'method_not_allowed';

const STATUS: Record<CallbackRequestFailure, number> = {
  missing_parameter: 400,
  invalid_parameter: 400,
  malformed_body: 400,
  body_too_large: 413,
  bad_signature: 401,
  stale_timestamp: 401,
  decrypt_failed: 403,
  method_not_allowed: 405,
};

/** A callback request that was refused before any handler ran. */
export class CallbackRequestError extends Error {
  readonly reason: CallbackRequestFailure;
  /** The HTTP status the adapters answer with; WeCom retries anything but 200 (§6.7). */
  readonly status: number;
  /** The WXBizMsgCrypt code (§6.8) when a crypto check failed. */
  readonly cryptoCode?: CryptoErrorCode;
  constructor(reason: CallbackRequestFailure, message: string, options: { cryptoCode?: CryptoErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CallbackRequestError';
    this.reason = reason;
    this.status = STATUS[reason];
    if (options.cryptoCode !== undefined) this.cryptoCode = options.cryptoCode;
  }
}

/** ctx.reply() was called when no reply can be sent: too late, twice, or for an event WeCom takes no reply to. */
export class CallbackReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackReplyError';
  }
}

/** A handler threw (or rejected). The callback was already acknowledged or is acknowledged with an empty 200. */
export class CallbackHandlerError extends Error {
  readonly dedupeKey: string;
  readonly eventType: string;
  constructor(eventType: string, dedupeKey: string, cause: unknown) {
    super(`a "${eventType}" callback handler failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CallbackHandlerError';
    this.eventType = eventType;
    this.dedupeKey = dedupeKey;
  }
}
