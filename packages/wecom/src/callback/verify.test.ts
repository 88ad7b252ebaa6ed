import { describe, expect, it } from 'vitest';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from '../testing/vectors.ts';
import { CallbackCryptoError, CryptoErrorCode } from './crypto.ts';
import { CallbackRequestError } from './errors.ts';
import { decryptCallback, readCallbackQuery, verifyUrl } from './verify.ts';

const urlParams = {
  msgSignature: vectors.urlVerification.query.msg_signature,
  timestamp: vectors.urlVerification.query.timestamp,
  nonce: vectors.urlVerification.query.nonce,
  echostr: vectors.urlVerification.query.echostr,
};
const postParams = { msgSignature: vectors.message.query.msg_signature, timestamp: vectors.message.query.timestamp, nonce: vectors.message.query.nonce };

describe('CLI functions: verifyUrl and decryptCallback (captured requests, no timestamp window)', () => {
  it('verifyUrl returns the plain echostr of the §6.9 vector, 12 years after its timestamp', () => {
    expect(verifyUrl(creds, urlParams)).toBe(vectors.urlVerification.plaintext);
  });

  it('decryptCallback returns the plaintext XML and the typed event of the §6.9 vector', () => {
    const opened = decryptCallback(creds, { ...postParams, body: vectors.message.body });
    expect(opened.xml).toBe(vectors.message.plaintext);
    expect(opened.event).toMatchObject({ type: 'text', content: 'hello', msgId: '4561255354251345929', agentId: 218 });
    expect(opened.envelope).toMatchObject({ toUserName: creds.corpId, agentId: '218' });
    expect(decryptCallback(creds, { ...postParams, body: Buffer.from(vectors.message.body) }).xml).toBe(vectors.message.plaintext);
  });

  it('applies a timestamp window only when asked', () => {
    const now = (Number(postParams.timestamp) + 3600) * 1000;
    expect(() => decryptCallback(creds, { ...postParams, body: vectors.message.body }, { timestampToleranceSeconds: 300, now })).toThrow(/3600 s away/);
  });

  it('says what is wrong: invalid key, bad signature, wrong corp, missing parameter', () => {
    expect(() => verifyUrl({ ...creds, encodingAESKey: 'abc' }, urlParams)).toThrow(CallbackCryptoError);
    expect(() => verifyUrl({ ...creds, encodingAESKey: 'abc' }, urlParams)).toThrow(/invalid EncodingAESKey/);
    expect(() => verifyUrl({ ...creds, token: 'other' }, urlParams)).toThrow(/msg_signature does not match/);
    try {
      decryptCallback({ ...creds, corpId: 'wwx' }, { ...postParams, body: vectors.message.body });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(CallbackRequestError);
      expect(error).toMatchObject({ status: 403, cryptoCode: CryptoErrorCode.ValidateReceiveId });
    }
    expect(() => verifyUrl(creds, { ...urlParams, nonce: '' })).toThrow(/nonce is missing/);
    expect(() => verifyUrl(creds, { ...urlParams, msgSignature: 'xyz' })).toThrow(/40 hexadecimal/);
    expect(() => verifyUrl(creds, { ...urlParams, timestamp: '12:00' })).toThrow(/Unix seconds/);
  });

  it('reads query parameters without turning "+" into a space', () => {
    expect(readCallbackQuery('?echostr=a+b%2Bc%3D&nonce=1')).toEqual({ echostr: 'a+b+c=', nonce: '1' });
    expect(readCallbackQuery({ msg_signature: ['x', 'y'], timestamp: 5 })).toEqual({ msgSignature: 'x' });
  });
});
