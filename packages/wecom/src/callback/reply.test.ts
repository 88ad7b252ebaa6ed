import { describe, expect, it } from 'vitest';
import { officialCallbackCredentials as creds, officialCallbackVectors } from '../testing/vectors.ts';
import { CallbackCryptoError, CryptoErrorCode } from './crypto.ts';
import { decryptPassiveReply, encryptPassiveReply, parsePassiveReplyXml, passiveReplyXml, type PassiveReply } from './reply.ts';

const address = { toUserName: 'mycreate', fromUserName: creds.corpId, createTime: 1409659813 };

const replies: PassiveReply[] = [
  { type: 'text', content: 'hello' },
  { type: 'image', mediaId: 'M1' },
  { type: 'voice', mediaId: 'M2' },
  { type: 'video', mediaId: 'M3', title: 'T', description: 'D' },
  { type: 'news', articles: [{ title: 'A', description: 'B', picUrl: 'https://p', url: 'https://u' }, { title: 'C' }] },
  { type: 'update_button', replaceName: '已处理' },
];

describe('passive replies', () => {
  it('writes the §6.9 derived vector byte for byte', () => {
    const v = officialCallbackVectors.reply;
    const plaintext = passiveReplyXml({ type: 'text', content: 'hello' }, address);
    expect(plaintext).toBe(v.plaintext);
    const envelope = encryptPassiveReply(creds, plaintext, { timestamp: v.timestamp, nonce: v.nonce, random: Buffer.from(v.random) });
    expect(envelope).toBe(
      `<xml><Encrypt><![CDATA[${v.encrypt}]]></Encrypt><MsgSignature><![CDATA[${v.msgSignature}]]></MsgSignature><TimeStamp>${v.timestamp}</TimeStamp><Nonce><![CDATA[${v.nonce}]]></Nonce></xml>`,
    );
  });

  it.each(replies.map((r) => [r.type, r] as const))('round-trips a %s reply through encryption', (_type, reply) => {
    const envelope = encryptPassiveReply(creds, passiveReplyXml(reply, address), { timestamp: 1, nonce: 2 });
    const read = decryptPassiveReply(creds, envelope);
    expect(read.reply).toEqual(reply);
    expect(read).toMatchObject({ ...address, msgType: reply.type, timestamp: '1', nonce: '2' });
  });

  it('refuses a reply signed with another token or encrypted for another corp', () => {
    const envelope = encryptPassiveReply(creds, passiveReplyXml(replies[0]!, address), { timestamp: 1, nonce: 2 });
    expect(() => decryptPassiveReply({ ...creds, token: 'other' }, envelope)).toThrow(/signature does not match/);
    try {
      decryptPassiveReply({ ...creds, corpId: 'wwOther' }, envelope);
      throw new Error('accepted');
    } catch (error) {
      expect((error as CallbackCryptoError).code).toBe(CryptoErrorCode.ValidateReceiveId);
    }
  });

  it('refuses an invalid reply with a message that says what to fix', () => {
    expect(() => passiveReplyXml({ type: 'text', content: '' }, address)).toThrow(/non-empty content/);
    expect(() => passiveReplyXml({ type: 'news', articles: [] }, address)).toThrow(/1 to 8 articles/);
    expect(() => passiveReplyXml({ type: 'sticker' } as unknown as PassiveReply, address)).toThrow(/unknown reply type "sticker"/);
  });

  it('reads a reply type it does not build as raw XML', () => {
    const read = parsePassiveReplyXml('<xml><ToUserName>u</ToUserName><FromUserName>c</FromUserName><CreateTime>5</CreateTime><MsgType>update_template_card</MsgType><TemplateCard><CardType>x</CardType></TemplateCard></xml>');
    expect(read).toMatchObject({ msgType: 'update_template_card', reply: undefined, raw: { TemplateCard: { CardType: 'x' } } });
  });
});
