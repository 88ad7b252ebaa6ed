/** AppChatApi (§9.1), GroupRobot (§9.2) and JsSdkApi (§10) against the emulator. */
import { DEMO } from '@pairview/wecom-emulator';
import { describe, expect, it } from 'vitest';
import { WeComNetworkError } from '../../src/errors.ts';
import { MemoryRateLimiter } from '../../src/limiter/memory.ts';
import type { QuotaClaim, RateLimiter } from '../../src/limiter/types.ts';
import { markdown, MessageValidationError, robotMessage, templateCard, text, validateRobotMessage, type RobotMessage } from '../../src/messages/index.ts';
import { signJsApi } from '../../src/resources/jssdk.ts';
import { MemoryTokenStore } from '../../src/token/memory-store.ts';
import { appChatExamples, robotExamples, sendExamples } from './protocol-examples.ts';
import { useEmulator } from './setup.ts';

const h = useEmulator();

describe('AppChatApi: the documented create / get / update / send', () => {
  it('runs the §9.1 examples with demo members', async () => {
    const chat = h.client().appChat;
    const members = { userid1: 'zhangwei', userid2: 'lina', userid3: 'chenjie' } as Record<string, string>;
    const create = appChatExamples.create;
    const chatId = await chat.create({ name: create.name, owner: members[create.owner], userList: create.userlist.map((u) => members[u]!), chatId: create.chatid });
    expect(chatId).toBe('CHATID');
    expect(h.emu.control.calls({ path: '/cgi-bin/appchat/create' })[0]!.body).toEqual({ name: 'NAME', owner: 'zhangwei', userlist: ['zhangwei', 'lina', 'chenjie'], chatid: 'CHATID' });

    expect(await chat.get(chatId)).toMatchObject({ chatid: 'CHATID', name: 'NAME', owner: 'zhangwei', userlist: ['zhangwei', 'lina', 'chenjie'] });

    const update = appChatExamples.update;
    await chat.update({ chatId: update.chatid, name: update.name, owner: members[update.owner], addUserList: ['wangfang'], delUserList: [members[update.del_user_list[0]]!] });
    expect(await chat.get(chatId)).toMatchObject({ owner: 'lina', userlist: expect.not.arrayContaining(['chenjie']) });

    const send = appChatExamples.send;
    await chat.send(send.chatid, text(send.text.content), { safe: 0 });
    expect(h.emu.control.calls({ path: '/cgi-bin/appchat/send' })[0]!.body).toEqual(send);
    const inbox = h.emu.control.messages({ userid: 'wangfang' });
    expect(inbox[0]).toMatchObject({ chatid: 'CHATID', msgtype: 'text', content: send.text });
  });

  it('creates a chat without a chatid (WeCom makes one up) and sends markdown', async () => {
    const chat = h.client().appChat;
    const chatId = await chat.create({ userList: ['zhangwei', 'lina'] });
    expect(chatId).toMatch(/^[0-9A-Za-z]{1,32}$/);
    await chat.send(chatId, markdown('**hi**'));
    expect(h.emu.control.messages({ userid: 'lina' })[0]).toMatchObject({ chatid: chatId, msgtype: 'markdown' });
  });

  it('refuses bad input before calling, and a message type appchat does not take', async () => {
    const chat = h.client().appChat;
    await expect(chat.create({ userList: ['zhangwei'], chatId: 'bad id!' })).rejects.toThrow(/userlist has 1 members; WeCom requires 2–2000[\s\S]*chatid "bad id!" must be/);
    await expect(chat.send('CHATID', templateCard.buttonInteraction(structuredClone(sendExamples.button_interaction.template_card) as never))).rejects.toThrow(MessageValidationError);
    expect(h.emu.control.calls()).toEqual([]);
  });

  it('never repeats a chat send whose outcome is unknown', async () => {
    const chat = h.client({ maxRetries: 3 }).appChat;
    const chatId = await chat.create({ userList: ['zhangwei', 'lina'] });
    h.emu.control.injectFault({ path: '/cgi-bin/appchat/send', drop: true, times: 1 });
    await expect(chat.send(chatId, text('once'))).rejects.toBeInstanceOf(WeComNetworkError);
    expect(h.emu.control.calls({ path: '/cgi-bin/appchat/send' })).toHaveLength(1);
  });
});

describe('GroupRobot', () => {
  it('posts every documented §9.2 example without an access token', async () => {
    const robot = h.client().robot(DEMO.robotKey);
    for (const example of Object.values(robotExamples)) await robot.send(validateRobotMessage(example));
    const posted = h.emu.control.robotMessages({ key: DEMO.robotKey });
    expect(posted.map((m) => m.msgtype)).toEqual(['text', 'markdown', 'news']);
    const calls = h.emu.control.calls({ path: '/cgi-bin/webhook/send' });
    expect(calls.map((c) => c.body)).toEqual(Object.values(robotExamples));
    expect(calls.every((c) => c.query.access_token === undefined && c.query.key === '***')).toBe(true);
    expect(h.emu.control.calls({ path: '/cgi-bin/gettoken' })).toEqual([]);
  });

  it('sends an image (base64 + md5), a text_notice card, and a file from its own upload', async () => {
    const robot = h.client().robot(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${DEMO.robotKey}`);
    await robot.send(robotMessage.image(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')));
    const card = structuredClone(sendExamples.text_notice.template_card);
    await robot.send(robotMessage.templateCard(card as never));
    const mediaId = await robot.uploadMedia('file', { filename: 'report.txt', data: Buffer.from('weekly report') });
    await robot.send(robotMessage.file(mediaId));
    expect(h.emu.control.robotMessages({ key: DEMO.robotKey }).map((m) => m.msgtype)).toEqual(['image', 'template_card', 'file']);
  });

  it('sends markdown_v2 and a voice message from its own upload', async () => {
    const robot = h.client().robot(DEMO.robotKey);
    await robot.send(robotMessage.markdownV2('# 面试安排\n| 时间 | 候选人 |\n| --- | --- |\n| 15:00 | 李娜 |'));
    const voiceId = await robot.uploadMedia('voice', { filename: 'note.amr', data: Buffer.from('#!AMR\n0123456789') });
    await robot.send(robotMessage.voice(voiceId));
    expect(h.emu.control.robotMessages({ key: DEMO.robotKey }).map((m) => m.msgtype)).toEqual(['markdown_v2', 'voice']);
    expect(h.emu.control.calls({ path: '/cgi-bin/webhook/upload_media' })[0]!.query.type).toBe('voice');
  });

  it('takes the robot quota (20/min) on every send', async () => {
    const taken: (string | QuotaClaim)[][] = [];
    const memory = new MemoryRateLimiter();
    const recording: RateLimiter = { acquire: (quotas, signal) => (taken.push([...quotas]), memory.acquire(quotas, signal)) };
    const robot = h.client({ limiter: recording }).robot(DEMO.robotKey);
    await robot.send(robotMessage.text('ping'));
    expect(taken).toEqual([['api:/cgi-bin/webhook/send', 'ip:/cgi-bin/webhook/send', robot.quota]]);
    expect(robot.quota).not.toContain(DEMO.robotKey);
  });

  it('an unknown key is WeCom\'s 93000', async () => {
    await expect(h.client().robot('00000000-0000-0000-0000-000000000000').send(robotMessage.text('hi'))).rejects.toMatchObject({ errcode: 93000 });
  });

  it('refuses a card type robots do not take, before calling', async () => {
    const message = { msgtype: 'template_card', template_card: structuredClone(sendExamples.vote_interaction.template_card) } as unknown as RobotMessage;
    await expect(h.client().robot(DEMO.robotKey).send(message)).rejects.toThrow(MessageValidationError);
    expect(h.emu.control.calls()).toEqual([]);
  });
});

describe('JsSdkApi', () => {
  it('signs wx.config with the corp ticket, fetched once and cached', async () => {
    const client = h.client();
    const url = 'https://pairview.example/room/42?from=card';
    const first = await client.jssdk.configSignature(`${url}#section`);
    const second = await client.jssdk.configSignature(url);
    expect(h.emu.control.calls({ path: '/cgi-bin/get_jsapi_ticket' })).toHaveLength(1);
    const ticket = await client.jssdk.getJsapiTicket();
    expect(first.appId).toBe(h.emu.corpId);
    expect(first.signature).toBe(signJsApi({ ticket, url, nonceStr: first.nonceStr, timestamp: first.timestamp }).signature);
    expect(second.nonceStr).not.toBe(first.nonceStr);
    expect(Math.abs(first.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });

  it('signs wx.agentConfig with the app ticket (ticket/get?type=agent_config), a different ticket', async () => {
    const client = h.client();
    const params = await client.jssdk.agentConfigSignature('https://pairview.example/');
    expect(params).toMatchObject({ corpid: h.emu.corpId, agentid: h.emu.agentId });
    const calls = h.emu.control.calls({ path: '/cgi-bin/ticket/get' });
    expect(calls.map((c) => c.query.type)).toEqual(['agent_config']);
    const appTicket = await client.jssdk.getAgentConfigTicket();
    expect(appTicket).not.toBe(await client.jssdk.getJsapiTicket());
    expect(params.signature).toBe(signJsApi({ ticket: appTicket, url: 'https://pairview.example/', nonceStr: params.nonceStr, timestamp: params.timestamp }).signature);
  });

  it('shares cached tickets between clients through the store, like the token', async () => {
    const store = new MemoryTokenStore();
    await h.client({ store }).jssdk.getJsapiTicket();
    await h.client({ store }).jssdk.getJsapiTicket();
    expect(h.emu.control.calls({ path: '/cgi-bin/get_jsapi_ticket' })).toHaveLength(1);
    expect(h.emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
  });

  it('tokens.refreshIfDue fetches only what is missing or due', async () => {
    const client = h.client();
    expect(await client.tokens.refreshIfDue()).toEqual({ access_token: true });
    expect(await client.tokens.refreshIfDue({ tickets: true })).toEqual({ access_token: false, jsapi_ticket: true, agent_config_ticket: true });
    expect(await client.tokens.refreshIfDue({ tickets: true })).toEqual({ access_token: false, jsapi_ticket: false, agent_config_ticket: false });
    expect(h.emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
  });
});
