/**
 * decryptMessage and computeSignature against the official @wecom/crypto, property-based (fast-check): ours
 * decrypts with a long-lived ECB decipher and computes SHA-1 in one shot, so these show it computes what the
 * official library computes — and refuses only what it must (bad base64, padding, length field, UTF-8, receive id).
 */
import { createCipheriv } from 'node:crypto';
import * as official from '@wecom/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertEncodingAESKey, CallbackCryptoError, computeSignature, CryptoErrorCode, decryptMessage } from './crypto.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A valid EncodingAESKey: 43 alphanumerics whose base64 decodes to 32 bytes (the last one carries 2 spare bits). */
const encodingAESKey = fc
  .string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 43, maxLength: 43 })
  .filter((key) => Buffer.from(`${key}=`, 'base64').length === 32);
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }));
const receiveId = fc.oneof(fc.constant(''), fc.string({ unit: fc.constantFrom(...ALPHANUMERIC), maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 8 }));

function attempt<T>(fn: () => T): { value: T } | { code: number } {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof CallbackCryptoError) return { code: error.code };
    throw error; // a TypeError or RangeError would be a bug
  }
}

/** AES-256-CBC with WeCom's IV and no padding of its own: to build plaintexts @wecom/crypto would never write. */
function encryptRaw(key: string, plain: Buffer): string {
  const bytes = assertEncodingAESKey(key);
  const cipher = createCipheriv('aes-256-cbc', bytes, bytes.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe('decryptMessage computes what @wecom/crypto computes', () => {
  it('decrypts whatever @wecom/crypto encrypts, to the same message and receive id', () => {
    fc.assert(
      fc.property(encodingAESKey, text, receiveId, fc.uint8Array({ minLength: 16, maxLength: 16 }), (key, message, id, random) => {
        const encrypted = official.encrypt(key, message, id, Buffer.from(random));
        const theirs = official.decrypt(key, encrypted);
        const ours = decryptMessage(key, encrypted, theirs.id);
        expect(ours).toStrictEqual({ message: theirs.message, receiveId: theirs.id });
        // WeCom's own message is UTF-8, so ours reads it back exactly (lone surrogates were already U+FFFD).
        expect(ours.message).toBe(Buffer.from(message).toString('utf8'));
      }),
      { numRuns: 400 },
    );
  });

  it('on random and bit-flipped ciphertexts: refuses with a CallbackCryptoError, or agrees with @wecom/crypto', () => {
    const ciphertext = fc.oneof(
      fc.integer({ min: 2, max: 24 }).chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .tuple(text, receiveId, fc.nat(), fc.integer({ min: 0, max: 7 }))
        .map(([message, id, at, bit]) => ({ message, id, at, bit }))
        .chain((input) =>
          encodingAESKey.map((key) => {
            const bytes = Buffer.from(official.encrypt(key, input.message, input.id), 'base64');
            bytes[input.at % bytes.length] ^= 1 << input.bit;
            return `${key}|${bytes.toString('base64')}`;
          }),
        ),
    );
    fc.assert(
      fc.property(encodingAESKey, ciphertext, (randomKey, generated) => {
        const [key, encrypted] = generated.includes('|') ? (generated.split('|') as [string, string]) : [randomKey, generated];
        let theirs: { message: string; id: string } | undefined;
        try {
          theirs = official.decrypt(key, encrypted);
        } catch {
          theirs = undefined; // too short for its own length field
        }
        const ours = attempt(() => decryptMessage(key, encrypted, theirs?.id ?? ''));
        if ('value' in ours) expect(ours.value).toStrictEqual({ message: theirs!.message, receiveId: theirs!.id });
        else expect(Object.values(CryptoErrorCode)).toContain(ours.code);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses a message that is not UTF-8, which @wecom/crypto would turn into U+FFFD', () => {
    const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        const message = Buffer.from(bytes);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(message.length);
        const body = Buffer.concat([Buffer.alloc(16, 0x61), length, message, Buffer.from('ww1')]);
        const pad = 32 - (body.length % 32);
        const encrypted = encryptRaw(key, Buffer.concat([body, Buffer.alloc(pad, pad)]));
        const ours = attempt(() => decryptMessage(key, encrypted, 'ww1'));
        // The oracle is the WHATWG decoder in fatal mode, not the check decryptMessage uses.
        let decoded: string | undefined;
        try {
          decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(message);
        } catch {
          decoded = undefined;
        }
        expect(ours).toStrictEqual(decoded === undefined ? { code: CryptoErrorCode.IllegalBuffer } : { value: { message: decoded, receiveId: 'ww1' } });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses as not base64 exactly what the strict base64 grammar refuses', () => {
    const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCab01+/=-_ \n.'), maxLength: 70 }), (candidate) => {
        const ours = attempt(() => decryptMessage(key, candidate, ''));
        const refusedAsBase64 = 'code' in ours && ours.code === CryptoErrorCode.DecodeBase64;
        expect(refusedAsBase64).toBe(candidate === '' || !strictBase64.test(candidate));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('computeSignature computes what @wecom/crypto computes', () => {
  it('on any four values', () => {
    const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9+/=]{0,80}$/));
    fc.assert(
      fc.property(value, value, value, value, (token, timestamp, nonce, encrypt) => {
        expect(computeSignature(token, timestamp, nonce, encrypt)).toBe(official.getSignature(token, timestamp, nonce, encrypt));
      }),
      { numRuns: 1000 },
    );
  });
});
