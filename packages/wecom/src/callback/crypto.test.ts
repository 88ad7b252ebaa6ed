import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertEncodingAESKey,
  CallbackCryptoError,
  computeSignature,
  CryptoErrorCode,
  decryptMessage,
  encryptMessage,
  verifySignature,
} from './crypto.ts';

// Official vectors, wecom-protocol.md §6.9 (D-90968 "举例说明", recomputed locally).
const token = 'QDG6eK';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const corpId = 'wx5823bf96d3bd56c7';
const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
const postEncrypt =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const replyPlain =
  '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content></xml>';
const replyEncrypt =
  '2JaQ0H0H/TuqGM/rDRTvaynbq2iGmS8l2tyAhsBFQLgVbPqFeXSZlY2nrYOcr6PVh74XZDr6GQ0PWfPpEeui6v96xqL6+HrIF02eXbp8AgAEUG1hMI+6uHir0SZ7/Hd4X7EvRml0EWAIQ/XAKo0kenBHH+AVxhMEHF02yx3lEvGO7VlDN9LTCFNivBU8/PExCwr2b59sMAwajQMfMeTLTXXvcEi974BfWhURN3unln+Rfg7bO9psnupcnXuHl4tLzuOdtnHxi7qV06fuSyqgq6zrOOJFYP+iH0flLaunihEmR/fGvSkjOaanzfExeBB2iLlVNRHfvHs4dtAK0LfLNo1T3wMWdqD/IHMI9pyZW2IcVKWHgvW/MnuvOrocgsUN';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.code;
    throw error;
  }
  return undefined;
}

describe('callback crypto', () => {
  it('signs and decrypts the official URL-verification vector', () => {
    expect(computeSignature(token, '1409659589', '263014780', echostr)).toBe('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
    expect(decryptMessage(aesKey, echostr, corpId).message).toBe('1616140317555161061');
  });

  it('decrypts the official POST vector, whose padding is 30 bytes', () => {
    expect(verifySignature(token, 1409659813, 1372623149, postEncrypt, '477715d11cdb4164915debcba66cb864d751f3e6')).toBe(true);
    const { message, receiveId } = decryptMessage(aesKey, postEncrypt, corpId);
    expect(receiveId).toBe(corpId);
    expect(message).toContain('<Content><![CDATA[hello]]></Content>');
    expect(Buffer.byteLength(message)).toBe(284);
  });

  it('reproduces the derived encrypt vector byte for byte', () => {
    const encrypted = encryptMessage(aesKey, replyPlain, corpId, Buffer.from('aaaaaaaaaaaaaaaa'));
    expect(encrypted).toBe(replyEncrypt);
    expect(computeSignature(token, '1409659813', '1372623149', encrypted)).toBe('c717d3cb3353989e9232b2bb07bd6a34174afe65');
  });

  it('refuses a bad signature without throwing', () => {
    expect(verifySignature(token, 1409659813, 1372623149, postEncrypt, '477715d11cdb4164915debcba66cb864d751f3e7')).toBe(false);
    expect(verifySignature(token, 1409659813, 1372623149, postEncrypt, 'short')).toBe(false);
  });

  it('refuses a wrong receive id, naming both ids', () => {
    expect(codeOf(() => decryptMessage(aesKey, postEncrypt, 'wwOtherCorp'))).toBe(CryptoErrorCode.ValidateReceiveId);
    expect(() => decryptMessage(aesKey, postEncrypt, 'wwOtherCorp')).toThrow(/encrypted for "wx5823bf96d3bd56c7", expected "wwOtherCorp"/);
  });

  it('refuses an invalid EncodingAESKey and never echoes it', () => {
    expect(codeOf(() => assertEncodingAESKey('short'))).toBe(CryptoErrorCode.IllegalAesKey);
    const bad = `${aesKey.slice(0, 42)}!`;
    expect(() => decryptMessage(bad, postEncrypt, corpId)).toThrow(/43 characters/);
    try {
      assertEncodingAESKey(bad);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(aesKey.slice(0, 20));
    }
  });

  it('refuses bad padding and a key that does not match', () => {
    const otherKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    expect(codeOf(() => decryptMessage(otherKey, postEncrypt, corpId))).toBe(CryptoErrorCode.IllegalBuffer);
    // Flip a bit in the second-to-last block: the last block's plaintext (the padding) changes.
    const bytes = Buffer.from(postEncrypt, 'base64');
    bytes[bytes.length - 17] ^= 0x01;
    expect(codeOf(() => decryptMessage(aesKey, bytes.toString('base64'), corpId))).toBe(CryptoErrorCode.IllegalBuffer);
  });

  it('refuses text that is not base64 or has the wrong length', () => {
    expect(codeOf(() => decryptMessage(aesKey, 'not base64!', corpId))).toBe(CryptoErrorCode.DecodeBase64);
    expect(codeOf(() => decryptMessage(aesKey, Buffer.alloc(20).toString('base64'), corpId))).toBe(CryptoErrorCode.DecryptAES);
  });

  it('round-trips multi-byte text', () => {
    const text = '<xml><Content><![CDATA[你好，面试 😀]]></Content></xml>';
    expect(decryptMessage(aesKey, encryptMessage(aesKey, text, corpId), corpId).message).toBe(text);
  });

  it('refuses a length field that does not fit the message, and a 32-byte pad', () => {
    const encryptRaw = (plain: Buffer): string => {
      const key = assertEncodingAESKey(aesKey);
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      cipher.setAutoPadding(false);
      return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    };
    const build = (declared: number, message: string, receiveId: string): Buffer => {
      const body = Buffer.concat([Buffer.from('0123456789abcdef'), Buffer.alloc(4), Buffer.from(message), Buffer.from(receiveId)]);
      body.writeUInt32BE(declared, 16);
      const pad = 32 - (body.length % 32);
      return Buffer.concat([body, Buffer.alloc(pad, pad)]);
    };
    const good = build(5, 'hello', corpId);
    expect(decryptMessage(aesKey, encryptRaw(good), corpId).message).toBe('hello');
    expect(codeOf(() => decryptMessage(aesKey, encryptRaw(build(500, 'hello', corpId)), corpId))).toBe(CryptoErrorCode.IllegalBuffer);
    // 16 + 4 + 12 = 32 bytes of content: WeCom pads a whole 32-byte block of 32s.
    const full = build(12, 'exactly 12 b', '');
    expect(full.length).toBe(64);
    expect(decryptMessage(aesKey, encryptRaw(full), '').message).toBe('exactly 12 b');
  });
});
