/**
 * Verify and open one callback request, without I/O: the GET URL verification (§6.2) and the POST delivery
 * (§6.3–6.5). The receiver runs these on live requests; the CLI (`wecom callback verify-url`, `wecom callback
 * decrypt`) runs them on captured ones, where no timestamp window applies. Failures are CallbackRequestErrors
 * carrying the HTTP status; bad settings fail first with a CallbackCryptoError (e.g. an invalid EncodingAESKey).
 */
import {
  assertCallbackCredentials,
  CallbackCryptoError,
  CryptoErrorCode,
  decryptMessage,
  verifySignature,
  type CallbackCredentials,
} from './crypto.ts';
import { CallbackRequestError } from './errors.ts';
import { parseCallbackEvent, type CallbackEvent } from './events.ts';
import { parseEncryptedEnvelope, type EncryptedEnvelope } from './xml.ts';

/** The signed query of a callback request, named as in the CLI flags. */
export interface CallbackSignatureParams {
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

export interface UrlVerificationParams extends CallbackSignatureParams {
  /** The echostr as WeCom sent it, URL-decoded (Base64, may contain `+ / =`). */
  echostr: string;
}

export interface VerifyOptions {
  /** Refuse timestamps further than this from `now` (replay protection). Off when undefined. */
  timestampToleranceSeconds?: number;
  /** Epoch milliseconds; default Date.now(). */
  now?: number;
}

/** Default cap on the POST body. WeCom's envelopes are a few KiB (a long text is 2 KiB, §3.2, before Base64). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Answers the URL verification (§6.2): checks the signature over the echostr, decrypts it (the receive id must be
 * the CorpID) and returns the plaintext the receiver must send back as the whole 200 body.
 */
export function verifyUrl(credentials: CallbackCredentials, params: UrlVerificationParams, options: VerifyOptions = {}): string {
  assertCallbackCredentials(credentials);
  checkParams(params);
  // echostr is Base64, which has no spaces: a space here is a `+` that something decoded form-style (§6.2).
  const echostr = requireParam('echostr', params.echostr).replaceAll(' ', '+');
  checkTimestamp(params.timestamp, options);
  checkSignature(credentials, params, echostr);
  return decrypt(credentials, echostr);
}

export interface DecryptedCallback {
  /** The decrypted plaintext XML, as WeCom wrote it. */
  xml: string;
  /** The typed event (`unknown` for payloads the table does not know). */
  event: CallbackEvent;
  envelope: EncryptedEnvelope;
}

/**
 * Opens a POSTed callback (§6.3–6.5): parses the envelope, checks the signature over its Encrypt value, decrypts
 * (receive id must equal corpId) and parses the plaintext into a typed event.
 */
export function decryptCallback(
  credentials: CallbackCredentials,
  params: CallbackSignatureParams & { body: string | Uint8Array },
  options: VerifyOptions & { maxBodyBytes?: number } = {},
): DecryptedCallback {
  assertCallbackCredentials(credentials);
  checkParams(params);
  const maxBodyBytes = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
  if (maxBodyBytes !== Number.POSITIVE_INFINITY) {
    const size = typeof params.body === 'string' ? Buffer.byteLength(params.body) : params.body.byteLength;
    if (size > maxBodyBytes) throw new CallbackRequestError('body_too_large', `the body is ${size} bytes; the limit is ${maxBodyBytes}`);
  }
  const body = typeof params.body === 'string' ? params.body : Buffer.from(params.body.buffer, params.body.byteOffset, params.body.byteLength).toString('utf8');

  let envelope: EncryptedEnvelope;
  try {
    envelope = parseEncryptedEnvelope(body);
  } catch (error) {
    throw asRequestError(error, 'malformed_body', 'the body is not a WeCom callback envelope');
  }
  checkTimestamp(params.timestamp, options);
  checkSignature(credentials, params, envelope.encrypt);
  const xml = decrypt(credentials, envelope.encrypt);
  let event: CallbackEvent;
  try {
    event = parseCallbackEvent(xml);
  } catch (error) {
    throw asRequestError(error, 'malformed_body', 'the decrypted message is not XML');
  }
  return { xml, event, envelope };
}

/**
 * Reads the signed parameters from a query: a raw query string (preferred: decoded here without turning `+` into
 * a space), URLSearchParams, or a framework's parsed object.
 */
export function readCallbackQuery(query: string | URLSearchParams | Readonly<Record<string, unknown>>): Partial<UrlVerificationParams> {
  const source = typeof query === 'string' ? rawQueryParams(query) : query;
  const get = (name: string): string | undefined => {
    if (source instanceof Map) return source.get(name);
    if (source instanceof URLSearchParams) return source.get(name) ?? undefined;
    const value = source[name];
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  };
  const out: Partial<UrlVerificationParams> = {};
  const msgSignature = get('msg_signature');
  const timestamp = get('timestamp');
  const nonce = get('nonce');
  const echostr = get('echostr');
  if (msgSignature !== undefined) out.msgSignature = msgSignature;
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (nonce !== undefined) out.nonce = nonce;
  if (echostr !== undefined) out.echostr = echostr;
  return out;
}

/** The parameters of a raw query string, decoded without turning `+` into a space; the first of a repeated name wins. */
function rawQueryParams(search: string): Map<string, string> {
  const params = new Map<string, string>();
  const query = search.startsWith('?') ? search.slice(1) : search;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    if (!params.has(key)) params.set(key, eq === -1 ? '' : safeDecode(pair.slice(eq + 1)));
  }
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray % is left as is; the signature check then fails with a clear error
  }
}

function requireParam(name: string, value: string | undefined): string {
  if (typeof value !== 'string' || value === '') {
    throw new CallbackRequestError('missing_parameter', `the query parameter ${name} is missing; WeCom always sends msg_signature, timestamp and nonce`);
  }
  return value;
}

function checkParams(params: Partial<CallbackSignatureParams>): asserts params is CallbackSignatureParams {
  if (params === null || typeof params !== 'object') throw new CallbackRequestError('missing_parameter', 'msg_signature, timestamp and nonce are required');
  const signature = requireParam('msg_signature', params.msgSignature);
  const timestamp = requireParam('timestamp', params.timestamp);
  const nonce = requireParam('nonce', params.nonce);
  if (!/^[0-9a-fA-F]{40}$/.test(signature)) throw new CallbackRequestError('invalid_parameter', 'msg_signature must be 40 hexadecimal characters (a SHA-1)');
  if (!/^\d{1,12}$/.test(timestamp)) throw new CallbackRequestError('invalid_parameter', 'timestamp must be Unix seconds (digits only)');
  if (nonce.length > 64) throw new CallbackRequestError('invalid_parameter', 'nonce is longer than 64 characters');
}

function checkTimestamp(timestamp: string, options: VerifyOptions): void {
  const tolerance = options.timestampToleranceSeconds;
  if (tolerance === undefined) return;
  const now = (options.now ?? Date.now()) / 1000;
  const skew = Math.abs(now - Number(timestamp));
  if (skew > tolerance) {
    throw new CallbackRequestError(
      'stale_timestamp',
      `the timestamp is ${Math.round(skew)} s away from this server's clock (allowed: ${tolerance} s): a replayed request, or a clock that needs NTP`,
    );
  }
}

function checkSignature(credentials: CallbackCredentials, params: CallbackSignatureParams, encrypted: string): void {
  if (!verifySignature(credentials.token, params.timestamp, params.nonce, encrypted, params.msgSignature)) {
    throw new CallbackRequestError('bad_signature', 'msg_signature does not match: the request was not signed with this app\'s callback Token', {
      cryptoCode: CryptoErrorCode.ValidateSignature,
    });
  }
}

function decrypt(credentials: CallbackCredentials, encrypted: string): string {
  try {
    return decryptMessage(credentials.encodingAESKey, encrypted, credentials.corpId).message;
  } catch (error) {
    if (!(error instanceof CallbackCryptoError)) throw error;
    // Signed with our Token, yet not decryptable for us: Base64 damage is the sender's bug (400); a foreign key or
    // CorpID means the callback was meant for another app or corp (403).
    const reason = error.code === CryptoErrorCode.DecodeBase64 ? 'malformed_body' : 'decrypt_failed';
    throw new CallbackRequestError(reason, error.message, { cryptoCode: error.code, cause: error });
  }
}

function asRequestError(error: unknown, reason: 'malformed_body', context: string): CallbackRequestError {
  if (error instanceof CallbackCryptoError) return new CallbackRequestError(reason, `${context}: ${error.message}`, { cryptoCode: error.code, cause: error });
  return new CallbackRequestError(reason, context, { cause: error });
}
