/**
 * Callback crypto: WeCom's signature and AES scheme (wecom-protocol.md §6.4–6.5, D-90968/91144), with the checks
 * the official `@wecom/crypto` leaves out: a strict EncodingAESKey, a constant-time signature compare, validated
 * PKCS#7 padding (WeCom pads to 32 bytes, not 16), a consistent length field, UTF-8, and a receive id that must
 * equal the expected one. Encryption is @wecom/crypto's; decryption and the signature are node:crypto calls that
 * compute the same (crypto.test.ts compares them with @wecom/crypto on generated input) at a fraction of the cost
 * per callback (docs/decisions). Pure functions, no I/O.
 */
import { isUtf8 } from 'node:buffer';
import { createDecipheriv, createSecretKey, hash, timingSafeEqual, type Decipheriv } from 'node:crypto';
import * as official from '@wecom/crypto';

/** The WXBizMsgCrypt codes (§6.8), so errors line up with what other SDKs and WeCom's docs call them. */
export const CryptoErrorCode = {
  ValidateSignature: -40001,
  ParseXml: -40002,
  IllegalAesKey: -40004,
  ValidateReceiveId: -40005,
  DecryptAES: -40007,
  IllegalBuffer: -40008,
  DecodeBase64: -40010,
} as const;
export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

/** A callback that failed a crypto check. The message says what to fix; it never contains a key or token. */
export class CallbackCryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CallbackCryptoError';
    this.code = code;
  }
}

const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
/** With the length a multiple of 4 (checked first), the same language as ^(?:[A-Za-z0-9+/]{4})*(?:..==|...=)?$, faster. */
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
/** WeCom pads the plaintext to a multiple of 32 bytes (§6.5), so a pad byte is 1..32. */
const BLOCK = 32;

/**
 * Checks an EncodingAESKey: exactly 43 characters of [A-Za-z0-9] that decode (with a trailing "=") to 32 bytes.
 * Throws a CallbackCryptoError that says what is wrong, without echoing the key.
 */
export function assertEncodingAESKey(encodingAESKey: string): Buffer {
  if (typeof encodingAESKey !== 'string' || !AES_KEY_PATTERN.test(encodingAESKey)) {
    const length = typeof encodingAESKey === 'string' ? encodingAESKey.length : 0;
    throw new CallbackCryptoError(
      CryptoErrorCode.IllegalAesKey,
      `invalid EncodingAESKey: it must be exactly 43 characters of A-Z, a-z and 0-9 (got ${length} characters${
        length === 43 ? ' with a character outside that set' : ''
      }); copy it again from the app's "API receive" settings`,
    );
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalAesKey, 'invalid EncodingAESKey: it does not decode to a 32-byte AES key');
  }
  return key;
}

/** msg_signature = sha1 of the four values sorted and joined (§6.4), as @wecom/crypto's getSignature computes it. */
export function computeSignature(token: string, timestamp: string | number, nonce: string | number, encrypt: string): string {
  // One-shot hash(): the same SHA-1 as createHash().update().digest(), without building a Hash object per call.
  return hash('sha1', sortedConcat(token, String(timestamp), String(nonce), encrypt), 'hex');
}

/**
 * The four values in the order Array.prototype.sort() gives them (UTF-16 code units, what `<` compares), joined:
 * a five-comparison sorting network instead of an array and a sort per callback.
 */
function sortedConcat(a: string, b: string, c: string, d: string): string {
  let t: string;
  if (b < a) {
    t = a;
    a = b;
    b = t;
  }
  if (d < c) {
    t = c;
    c = d;
    d = t;
  }
  if (c < a) {
    t = a;
    a = c;
    c = t;
  }
  if (d < b) {
    t = b;
    b = d;
    d = t;
  }
  if (c < b) {
    t = b;
    b = c;
    c = t;
  }
  return a + b + c + d;
}

/** Constant-time comparison of a received msg_signature with the one we compute. */
export function verifySignature(
  token: string,
  timestamp: string | number,
  nonce: string | number,
  encrypt: string,
  signature: string,
): boolean {
  const expected = Buffer.from(computeSignature(token, timestamp, nonce, encrypt), 'latin1');
  const received = Buffer.from(String(signature ?? '').toLowerCase(), 'utf8');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

export interface DecryptedMessage {
  /** The plaintext message (XML for callbacks, a numeric string for URL verification). */
  readonly message: string;
  /** The receive id carried in the ciphertext; equal to the expected one when decryptMessage returns. */
  readonly receiveId: string;
}

/**
 * Decrypts an `Encrypt` value or `echostr` and checks it was meant for `expectedReceiveId` (the CorpID for a
 * self-built app). Throws CallbackCryptoError on bad base64, bad length, bad padding, a malformed buffer, a message
 * that is not UTF-8, or a receive id mismatch.
 *
 * The same AES-256-CBC as @wecom/crypto's decrypt (the tests compare the two on generated input), done here because
 * creating a cipher per message, as it does, costs more than everything else a callback needs: OpenSSL 3 looks the
 * algorithm up and expands the key each time. See aesKeyFor.
 */
export function decryptMessage(encodingAESKey: string, encrypted: string, expectedReceiveId: string): DecryptedMessage {
  const aes = aesKeyFor(encodingAESKey);
  if (!isBase64(encrypted)) {
    throw new CallbackCryptoError(CryptoErrorCode.DecodeBase64, 'the encrypted text is not valid base64');
  }
  const cipher = Buffer.from(encrypted, 'base64');
  if (cipher.length < BLOCK || cipher.length % 16 !== 0) {
    throw new CallbackCryptoError(
      CryptoErrorCode.DecryptAES,
      `the encrypted text is ${cipher.length} bytes; AES-CBC ciphertext from WeCom is a multiple of 32 bytes`,
    );
  }
  const plain = decryptCbc(aes, cipher);

  // Layout: random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid, then padding to a multiple of 32 (§6.5).
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || !isPadding(plain, pad)) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalBuffer, 'bad padding: the ciphertext was not produced with this EncodingAESKey');
  }
  const plainLength = plain.length - pad;
  const declared = plain.readUInt32BE(16);
  if (20 + declared > plainLength) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalBuffer, 'the decrypted buffer is malformed: its length field does not fit the message');
  }
  const messageBytes = plain.subarray(20, 20 + declared);
  // WeCom sends UTF-8; bytes that are not would turn into U+FFFD and change the message, so they are refused.
  if (!isUtf8(messageBytes)) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalBuffer, 'the decrypted message is not valid UTF-8');
  }
  const receiveId = plain.toString('utf8', 20 + declared, plainLength);
  if (receiveId !== expectedReceiveId) {
    throw new CallbackCryptoError(
      CryptoErrorCode.ValidateReceiveId,
      `receive id mismatch: the message was encrypted for "${receiveId}", expected "${expectedReceiveId}" (check the CorpID)`,
    );
  }
  return { message: messageBytes.toString('utf8'), receiveId };
}

/** Encrypts a message for `receiveId` (the CorpID), as WeCom does for callbacks and we do for passive replies. */
export function encryptMessage(encodingAESKey: string, message: string, receiveId: string, random?: Buffer): string {
  aesKeyFor(encodingAESKey);
  if (random !== undefined && random.length !== 16) throw new RangeError('random must be 16 bytes');
  return official.encrypt(encodingAESKey, message, receiveId, random);
}

/** Base64 as WeCom writes it: the standard alphabet, padded to a multiple of 4. */
function isBase64(text: string): boolean {
  return typeof text === 'string' && text.length > 0 && text.length % 4 === 0 && BASE64_PATTERN.test(text);
}

function isPadding(plain: Buffer, pad: number): boolean {
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return false;
  return true;
}

/** A checked EncodingAESKey, ready to decrypt with. */
interface AesKey {
  readonly key: Buffer;
  /** WeCom's IV is the first 16 bytes of the key (§6.5). */
  readonly iv: Buffer;
  /** Long-lived, see decryptCbc. Replaced if it ever holds a partial block. */
  ecb: Decipheriv;
}

/** The few EncodingAESKeys a process uses (one per app), checked once each. */
const aesKeys = new Map<string, AesKey>();
const MAX_CACHED_KEYS = 16;

/** Checks the key on first use (assertEncodingAESKey) and keeps what decryption needs. */
function aesKeyFor(encodingAESKey: string): AesKey {
  let aes = aesKeys.get(encodingAESKey);
  if (aes === undefined) {
    const key = assertEncodingAESKey(encodingAESKey);
    aes = { key, iv: key.subarray(0, 16), ecb: ecbDecipher(key) };
    if (aesKeys.size >= MAX_CACHED_KEYS) aesKeys.delete(aesKeys.keys().next().value!);
    aesKeys.set(encodingAESKey, aes);
  }
  return aes;
}

function ecbDecipher(key: Buffer): Decipheriv {
  const decipher = createDecipheriv('aes-256-ecb', createSecretKey(key), null);
  decipher.setAutoPadding(false);
  return decipher;
}

/**
 * AES-256-CBC decryption with the key's one long-lived ECB decipher: CBC's plaintext block i is the block cipher's
 * decryption of ciphertext block i XOR ciphertext block i-1 (the IV for block 0), and ECB without padding turns
 * whole blocks into whole blocks at once, keeping no state between calls. So nothing is created per message.
 */
function decryptCbc(aes: AesKey, cipher: Buffer): Buffer {
  const plain = aes.ecb.update(cipher);
  if (plain.length !== cipher.length) {
    // Unreachable with whole blocks (checked by the caller); if OpenSSL ever kept a block back, start afresh.
    aes.ecb = ecbDecipher(aes.key);
    throw new CallbackCryptoError(CryptoErrorCode.DecryptAES, 'AES decryption failed: the ciphertext is not whole AES blocks');
  }
  for (let i = 0; i < 16; i++) plain[i] ^= aes.iv[i]!;
  for (let i = 16; i < plain.length; i++) plain[i] ^= cipher[i - 16]!;
  return plain;
}

/** What a callback receiver needs (§6.1): the app's Token and EncodingAESKey, and the CorpID as receive id. */
export interface CallbackCredentials {
  /** The callback Token: up to 32 English letters and digits. */
  readonly token: string;
  /** 43 characters of [A-Za-z0-9]. */
  readonly encodingAESKey: string;
  /** The receive id: the CorpID for a self-built app or contact sync (§6.5). */
  readonly corpId: string;
}

/**
 * Checks callback settings before any request arrives, so a typo fails at start instead of on WeCom's first
 * retry. Messages name the setting and never echo the secret.
 */
export function assertCallbackCredentials(credentials: CallbackCredentials): void {
  if (credentials === null || typeof credentials !== 'object') throw new TypeError('callback settings are required: { token, encodingAESKey, corpId }');
  const { token, corpId } = credentials;
  if (typeof token !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(token)) {
    throw new CallbackCryptoError(
      CryptoErrorCode.ValidateSignature,
      `invalid callback token: it must be 1 to 32 English letters and digits (got ${typeof token === 'string' ? `${token.length} characters` : typeof token}); copy it from the app's "API receive" settings`,
    );
  }
  aesKeyFor(credentials.encodingAESKey);
  if (typeof corpId !== 'string' || corpId.trim() === '') {
    throw new CallbackCryptoError(CryptoErrorCode.ValidateReceiveId, 'corpId is required: callbacks are encrypted for the CorpID and refused for any other');
  }
}
