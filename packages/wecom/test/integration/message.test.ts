/**
 * MessageApi and MediaApi against the emulator: every documented message/send example (§3.2) is delivered, then
 * results, recall, template card updates, retry safety and validation before sending.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/limiter/memory.ts';
import type { QuotaClaim, RateLimiter } from '../../src/limiter/types.ts';
import { image, parseSendBody, templateCard, text, MessageValidationError, type Message } from '../../src/messages/index.ts';
import { WeComInvalidInputError, WeComNetworkError } from '../../src/errors.ts';
import { fill, newsNoticeCard, sendExamples } from './protocol-examples.ts';
import { addressed, useEmulator } from './setup.ts';

const h = useEmulator();

/** Uploads a small file so the examples' MEDIA_ID placeholders name a real media id. */
async function uploadedMediaId(): Promise<string> {
  return h.client().media.upload('file', { filename: 'notice.txt', data: Buffer.from('a file for the documented examples') });
}

describe('every documented message/send example (§3.2) is delivered', () => {
  for (const [name, example] of Object.entries(sendExamples)) {
    it(name, async () => {
      const client = h.client();
      const mediaId = await uploadedMediaId();
      // Recipients and placeholders filled in; the body is otherwise WeCom's own example.
      const documented = fill(addressed(example, { touser: 'zhangwei|LiNa', toparty: '5', totag: '1' }), { mediaId });
      const { recipients, message, options } = parseSendBody(documented, client.config.agentId);
      const result = await client.message.send(recipients, message, options);

      expect(result.msgid).not.toBe('');
      expect(result.invalidUsers).toEqual([]);
      const body = (documented as Record<string, unknown>)[message.msgtype];
      const inbox = h.emu.control.messages({ userid: 'lina' });
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ msgid: result.msgid, msgtype: message.msgtype, status: 'delivered', content: body });
      // Department 5 and tag 1 reached their members too.
      expect(h.emu.control.messages({ userid: 'wuxia' })[0]?.msgid).toBe(result.msgid);
      expect(h.emu.control.messages({ userid: 'daniel' })[0]?.msgid).toBe(result.msgid);
      // agentid came from the configuration (none for miniprogram_notice).
      const [call] = h.emu.control.calls({ path: '/cgi-bin/message/send' });
      expect((call!.body as Record<string, unknown>).agentid).toBe(message.msgtype === 'miniprogram_notice' ? undefined : h.emu.agentId);
    });
  }

  it('news_notice (built from the field reference)', async () => {
    const result = await h.client().message.send({ toUser: ['zhangwei'] }, templateCard.newsNotice(structuredClone(newsNoticeCard) as never));
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]).toMatchObject({ msgid: result.msgid, msgtype: 'template_card', status: 'delivered' });
  });
});

describe('MessageApi.send', () => {
  it('returns the invalid recipients as arrays (WeCom lower-cases userids)', async () => {
    const result = await h.client().message.send({ toUser: ['zhangwei', 'NoSuchPerson'], toParty: [999], toTag: [77] }, text('hello'));
    expect(result).toMatchObject({ invalidUsers: ['nosuchperson'], invalidParties: ['999'], invalidTags: ['77'], unlicensedUsers: [] });
    expect(result).not.toHaveProperty('responseCode');
  });

  it('raises 81013 with the invalid lists when nobody is valid', async () => {
    const error = await h.client().message.send({ toUser: ['ghost'] }, text('hello')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComInvalidInputError);
    expect(error).toMatchObject({ errcode: 81013, response: { invaliduser: 'ghost' } });
  });

  it('checks the limits before sending and sends nothing when they are broken', async () => {
    const client = h.client();
    const error = await client.message.send({ toUser: Array.from({ length: 1001 }, (_, i) => `u${i}`) }, text('字'.repeat(767))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageValidationError);
    expect((error as Error).message).toContain('text.content is 2301 bytes; WeCom allows 2048 bytes (UTF-8)');
    expect((error as Error).message).toContain('touser lists 1001 members; at most 1000 per message — split the send');
    expect(h.emu.control.calls()).toEqual([]);
  });

  it('takes one member quota per recipient, lower-cased, and their person-times of the daily quota', async () => {
    const taken: (string | QuotaClaim)[][] = [];
    const memory = new MemoryRateLimiter();
    const recording: RateLimiter = { acquire: (quotas, signal) => (taken.push([...quotas]), memory.acquire(quotas, signal)) };
    const client = h.client({ limiter: recording });
    await client.message.send({ toUser: ['ZhangWei', 'lina', 'zhangwei'], toParty: [5] }, text('hi'));
    expect(taken.find((q) => q[0] === 'api:/cgi-bin/message/send')).toEqual([
      'api:/cgi-bin/message/send',
      'ip:/cgi-bin/message/send',
      'member:zhangwei',
      'member:lina',
      { quota: 'day:message', units: 2 },
    ]);
  });

  it('returns the response_code of an interactive card and updates the clicked button', async () => {
    const client = h.client();
    const card = templateCard.buttonInteraction(structuredClone(sendExamples.button_interaction.template_card) as never);
    const sent = await client.message.send({ toUser: ['zhangwei', 'lina'] }, card);
    expect(sent.responseCode).toEqual(expect.any(String));

    const updated = await client.message.updateTemplateCard({ userids: ['zhangwei', 'nobody'], responseCode: sent.responseCode!, button: { replaceName: '已处理' } });
    expect(updated.invalidUsers).toEqual(['nobody']);
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]!.card).toMatchObject({ replaceName: '已处理' });
    expect(h.emu.control.messages({ userid: 'lina' })[0]!.card).not.toMatchObject({ replaceName: '已处理' });

    // §3.6: a response_code is single use.
    const again = await client.message.updateTemplateCard({ atAll: true, responseCode: sent.responseCode!, button: { replaceName: 'x' } }).catch((e: unknown) => e);
    expect(again).toMatchObject({ errcode: 60140 });
  });

  it('replaces a whole card (the documented §3.6 replacement shape)', async () => {
    const client = h.client();
    const sent = await client.message.send({ toUser: ['zhangwei'] }, templateCard.voteInteraction(structuredClone(sendExamples.vote_interaction.template_card) as never));
    const replacement = structuredClone(sendExamples.text_notice.template_card) as never;
    await client.message.updateTemplateCard({ userids: ['zhangwei'], responseCode: sent.responseCode!, card: replacement, enableIdTrans: false });
    const [call] = h.emu.control.calls({ path: '/cgi-bin/message/update_template_card' });
    expect(call!.body).toEqual({ userids: ['zhangwei'], agentid: h.emu.agentId, response_code: sent.responseCode, enable_id_trans: 0, template_card: replacement });
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]!.card).toMatchObject({ template_card: { card_type: 'text_notice' } });
  });

  it('recalls a message', async () => {
    const client = h.client();
    const { msgid } = await client.message.send({ toUser: ['zhangwei'] }, text('oops'));
    await client.message.recall(msgid);
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]!.status).toBe('recalled');
    await expect(client.message.recall('no-such-msgid')).rejects.toMatchObject({ errcode: 40058 });
  });

  it('lets WeCom drop an identical send with enableDuplicateCheck', async () => {
    const client = h.client();
    const first = await client.message.send({ toUser: ['zhangwei'] }, text('once'), { enableDuplicateCheck: true, duplicateCheckInterval: 600 });
    const second = await client.message.send({ toUser: ['zhangwei'] }, text('once'), { enableDuplicateCheck: true, duplicateCheckInterval: 600 });
    expect(second.msgid).toBe(first.msgid);
    expect(h.emu.control.messages({ userid: 'zhangwei' }).map((m) => m.status)).toEqual(['delivered', 'dropped']);
  });
});

describe('retry safety of message/send (issue 2 item 4)', () => {
  it('never repeats a send whose outcome is unknown without the duplicate check', async () => {
    h.emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true, times: 1 });
    const error = await h.client({ maxRetries: 3 }).message.send({ toUser: ['zhangwei'] }, text('at most once')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComNetworkError);
    expect((error as WeComNetworkError).outcomeUnknown).toBe(true);
    expect(h.emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(1);
  });

  it('retries it with the duplicate check on, and the member gets it once', async () => {
    h.emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true, times: 1 });
    const result = await h.client({ maxRetries: 3 }).message.send({ toUser: ['zhangwei'] }, text('exactly once'), { enableDuplicateCheck: true });
    expect(h.emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(2);
    const delivered = h.emu.control.messages({ userid: 'zhangwei' }).filter((m) => m.status === 'delivered');
    expect(delivered.map((m) => m.msgid)).toEqual([result.msgid]);
  });
});

describe('MediaApi.upload (§3.7)', () => {
  it('uploads an image whose media_id an image message can use', async () => {
    const client = h.client();
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const mediaId = await client.media.upload('image', { filename: 'dot.png', data: png, contentType: 'image/png' });
    const [call] = h.emu.control.calls({ path: '/cgi-bin/media/upload' });
    expect(call!.query.type).toBe('image');
    const message: Message = image(mediaId);
    await client.message.send({ toUser: ['zhangwei'] }, message);
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]!.content).toEqual({ media_id: mediaId });
  });

  it('refuses a file WeCom would refuse, without calling it', async () => {
    await expect(h.client().media.upload('voice', { filename: 'a.amr', data: Buffer.alloc(3) })).rejects.toThrow('the file is 3 bytes; WeCom requires more than 5 bytes');
    expect(h.emu.control.calls()).toEqual([]);
  });

  it('an unknown media_id is WeCom\'s 40007', async () => {
    await expect(h.client().message.send({ toUser: ['zhangwei'] }, image('never-uploaded'))).rejects.toMatchObject({ errcode: 40007 });
  });
});
