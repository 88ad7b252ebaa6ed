/**
 * Callback crypto: WeCom's signature and AES scheme (wecom-protocol.md §6.4–6.5, D-90968/91144), built on the
 * official `@wecom/crypto` with the checks it leaves out: a strict EncodingAESKey, a constant-time signature
 * compare, validated PKCS#7 padding (WeCom pads to 32 bytes, not 16), a consistent length field, and a receive
 * id that must equal the expected one. Pure functions, no I/O.
 */
import { createDecipheriv, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
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
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
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

/** msg_signature = sha1 of the four values sorted and joined (§6.4). */
export function computeSignature(token: string, timestamp: string | number, nonce: string | number, encrypt: string): string {
  return official.getSignature(token, String(timestamp), String(nonce), encrypt);
}

/** Constant-time comparison of a received msg_signature with the one we compute. */
export function verifySignature(
  token: string,
  timestamp: string | number,
  nonce: string | number,
  encrypt: string,
  signature: string,
): boolean {
  const expected = Buffer.from(computeSignature(token, timestamp, nonce, encrypt), 'utf8');
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
 * self-built app). Throws CallbackCryptoError on bad base64, bad length, bad padding, a malformed buffer or a
 * receive id mismatch.
 */
export function decryptMessage(encodingAESKey: string, encrypted: string, expectedReceiveId: string): DecryptedMessage {
  const key = assertEncodingAESKey(encodingAESKey);
  if (typeof encrypted !== 'string' || encrypted.length === 0 || !BASE64_PATTERN.test(encrypted)) {
    throw new CallbackCryptoError(CryptoErrorCode.DecodeBase64, 'the encrypted text is not valid base64');
  }
  const cipher = Buffer.from(encrypted, 'base64');
  if (cipher.length < BLOCK || cipher.length % 16 !== 0) {
    throw new CallbackCryptoError(
      CryptoErrorCode.DecryptAES,
      `the encrypted text is ${cipher.length} bytes; AES-CBC ciphertext from WeCom is a multiple of 32 bytes`,
    );
  }
  // One AES pass over the three blocks the checks need, before the official library decrypts the whole text.
  const { pad, declared } = inspectBlocks(key, aesKeyObject(encodingAESKey, key), cipher);
  const plainLength = cipher.length - pad;

  let result: { message: string; id: string };
  try {
    result = official.decrypt(encodingAESKey, encrypted);
  } catch {
    throw new CallbackCryptoError(CryptoErrorCode.DecryptAES, 'AES decryption failed: the EncodingAESKey does not match the sender');
  }
  // Layout: random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid, then padding (§6.5).
  const messageLength = Buffer.byteLength(result.message, 'utf8');
  if (20 + declared > plainLength || declared !== messageLength) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalBuffer, 'the decrypted buffer is malformed: its length field does not fit the message');
  }
  const receiveId = result.id;
  if (receiveId !== expectedReceiveId) {
    throw new CallbackCryptoError(
      CryptoErrorCode.ValidateReceiveId,
      `receive id mismatch: the message was encrypted for "${receiveId}", expected "${expectedReceiveId}" (check the CorpID)`,
    );
  }
  return { message: result.message, receiveId };
}

/** Encrypts a message for `receiveId` (the CorpID), as WeCom does for callbacks and we do for passive replies. */
export function encryptMessage(encodingAESKey: string, message: string, receiveId: string, random?: Buffer): string {
  assertEncodingAESKey(encodingAESKey);
  if (random !== undefined && random.length !== 16) throw new RangeError('random must be 16 bytes');
  return official.encrypt(encodingAESKey, message, receiveId, random);
}

/**
 * A cipher built from a KeyObject is about ten times cheaper to create than one from raw key bytes (OpenSSL 3
 * re-imports raw keys each time), so the few EncodingAESKeys a process uses are kept as KeyObjects.
 */
const keyObjects = new Map<string, KeyObject>();
function aesKeyObject(encodingAESKey: string, key: Buffer): KeyObject {
  let keyObject = keyObjects.get(encodingAESKey);
  if (keyObject === undefined) {
    if (keyObjects.size >= 16) keyObjects.delete(keyObjects.keys().next().value!);
    keyObject = createSecretKey(key);
    keyObjects.set(encodingAESKey, keyObject);
  }
  return keyObject;
}

/**
 * Reads the padding (last two AES blocks: WeCom's pad can be 32 bytes) and the 4-byte length field (bytes 16..19,
 * AES block 1) without decrypting the rest. CBC lets us start anywhere: a block's plaintext is its ECB decryption
 * XOR the ciphertext block before it (the IV, AESKey[0:16], for block 0). One ECB decipher serves all three.
 */
function inspectBlocks(key: Buffer, keyObject: KeyObject, cipher: Buffer): { pad: number; declared: number } {
  const count = cipher.length / 16;
  const wanted = [...new Set([1, count - 2, count - 1])];
  const decipher = createDecipheriv('aes-256-ecb', keyObject, null);
  decipher.setAutoPadding(false);
  const raw = Buffer.concat([decipher.update(Buffer.concat(wanted.map((i) => cipher.subarray(i * 16, i * 16 + 16)))), decipher.final()]);
  const plain = new Map<number, Buffer>();
  wanted.forEach((block, n) => {
    const previous = block === 0 ? key.subarray(0, 16) : cipher.subarray((block - 1) * 16, block * 16);
    const out = Buffer.allocUnsafe(16);
    for (let i = 0; i < 16; i++) out[i] = raw[n * 16 + i]! ^ previous[i]!;
    plain.set(block, out);
  });
  const tail = Buffer.concat([plain.get(count - 2)!, plain.get(count - 1)!]);
  const pad = tail[tail.length - 1]!;
  if (pad < 1 || pad > BLOCK || !tail.subarray(tail.length - pad).every((b) => b === pad)) {
    throw new CallbackCryptoError(CryptoErrorCode.IllegalBuffer, 'bad padding: the ciphertext was not produced with this EncodingAESKey');
  }
  return { pad, declared: plain.get(1)!.readUInt32BE(0) };
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
  assertEncodingAESKey(credentials.encodingAESKey);
  if (typeof corpId !== 'string' || corpId.trim() === '') {
    throw new CallbackCryptoError(CryptoErrorCode.ValidateReceiveId, 'corpId is required: callbacks are encrypted for the CorpID and refused for any other');
  }
}
