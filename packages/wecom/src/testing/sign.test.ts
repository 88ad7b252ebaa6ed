import * as official from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { decryptMessage, verifySignature } from '../callback/crypto.ts';
import { parseCallbackEvent } from '../callback/events.ts';
import { parseEncryptedEnvelope } from '../callback/xml.ts';
import { sampleCallbackEvents, signCallback, signUrlVerification } from './index.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from './vectors.ts';

describe('testing helpers sign callbacks the way WeCom does', () => {
  it('reproduces the official URL-verification vector', () => {
    const v = vectors.urlVerification;
    const signed = signUrlVerification({ ...creds, echostr: v.plaintext, timestamp: v.query.timestamp, nonce: v.query.nonce, random: Buffer.from('c41b64491c2468d0') });
    expect(signed.query).toEqual(v.query);
    expect(new URLSearchParams(signed.search).get('echostr')).toBe(v.query.echostr);
    expect(signed.search).toContain('%2B');
  });

  it('reproduces the official POST vector given its random prefix', () => {
    const v = vectors.message;
    const { random } = official.decrypt(creds.encodingAESKey, v.encrypt);
    const signed = signCallback({ ...creds, xml: v.plaintext, agentId: 218, timestamp: v.query.timestamp, nonce: v.query.nonce, random });
    expect(signed.encrypt).toBe(v.encrypt);
    expect(signed.query).toEqual(v.query);
    expect(parseEncryptedEnvelope(signed.body)).toEqual({ toUserName: creds.corpId, agentId: '218', encrypt: v.encrypt });
  });

  it('signs a typed event with fresh timestamp, nonce and random', () => {
    const a = signCallback({ ...creds, event: sampleCallbackEvents.click });
    const b = signCallback({ ...creds, event: sampleCallbackEvents.click });
    expect(a.encrypt).not.toBe(b.encrypt);
    expect(Math.abs(Number(a.query.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature(creds.token, a.query.timestamp, a.query.nonce, a.encrypt, a.query.msg_signature)).toBe(true);
    const plaintext = decryptMessage(creds.encodingAESKey, parseEncryptedEnvelope(a.body).encrypt, creds.corpId).message;
    expect(parseCallbackEvent(plaintext)).toMatchObject({ type: 'click', eventKey: 'TODAY' });
    expect(parseEncryptedEnvelope(a.body).agentId).toBe('1000002');
    expect(parseEncryptedEnvelope(signCallback({ ...creds, event: sampleCallbackEvents.delete_user }).body).agentId).toBeUndefined();
  });

  it('refuses bad settings before signing', () => {
    expect(() => signCallback({ ...creds, encodingAESKey: 'short', event: sampleCallbackEvents.click })).toThrow(/EncodingAESKey/);
    expect(() => signUrlVerification({ ...creds, token: 'has space' })).toThrow(/callback token/);
  });
});
