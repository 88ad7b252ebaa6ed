import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../config.ts';
import { startTestEmulator, type TestEmulator, type WeComBody } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

async function upload(path: string, query: Record<string, string>, file?: { name: string; data: Buffer; field?: string }): Promise<WeComBody> {
  const url = new URL(path, emu.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const form = new FormData();
  if (file) form.append(file.field ?? 'media', new Blob([new Uint8Array(file.data)]), file.name);
  else form.append('other', 'x');
  return (await (await fetch(url, { method: 'POST', body: form })).json()) as WeComBody;
}

describe('media/upload (§3.7)', () => {
  it('stores a file for 3 days and answers type, media_id and created_at as a string', async () => {
    const token = await emu.token();
    const body = await upload('/cgi-bin/media/upload', { access_token: token, type: 'image' }, { name: 'a.png', data: PNG });
    expect(body).toMatchObject({ errcode: 0, errmsg: '', type: 'image', media_id: expect.any(String), created_at: expect.stringMatching(/^\d{10}$/) });
    const sent = await emu.send({ touser: 'lina', msgtype: 'image', image: { media_id: body.media_id } });
    expect(sent.errcode).toBe(0);
    const fetched = await fetch(`${emu.url}/cgi-bin/media/get?access_token=${token}&media_id=${body.media_id}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(PNG);
    // Media ids are shared by the corp's apps.
    expect((await emu.send({ touser: 'lina', msgtype: 'image', agentid: DEMO.otherApp.agentId, image: { media_id: body.media_id } }, await emu.token(DEMO.otherApp.secret))).errcode).toBe(0);
    emu.control.advanceClock(3 * 24 * 3600);
    expect((await emu.send({ touser: 'lina', msgtype: 'image', image: { media_id: body.media_id } })).errcode).toBe(40007);
  });

  it('checks type (40005), presence (44001), size (40006, 45001) and format (40004)', async () => {
    const token = await emu.token();
    const q = (type: string) => ({ access_token: token, type });
    expect((await upload('/cgi-bin/media/upload', q('gif'), { name: 'a.png', data: PNG })).errcode).toBe(40005);
    expect((await upload('/cgi-bin/media/upload', q('file'))).errcode).toBe(44001);
    expect((await upload('/cgi-bin/media/upload', q('file'), { name: 'a.txt', data: PNG, field: 'file' })).errcode).toBe(44001);
    expect((await upload('/cgi-bin/media/upload', q('file'), { name: 'a.txt', data: Buffer.from('12345') })).errcode).toBe(40006);
    expect((await upload('/cgi-bin/media/upload', q('voice'), { name: 'a.amr', data: Buffer.alloc(2 * 1024 * 1024 + 1) })).errcode).toBe(45001);
    expect((await upload('/cgi-bin/media/upload', q('voice'), { name: 'a.mp3', data: PNG })).errcode).toBe(40004);
    expect((await upload('/cgi-bin/media/upload', q('file'), { name: 'notes.txt', data: PNG })).errcode).toBe(0);
    expect((await upload('/cgi-bin/media/upload', { type: 'file' }, { name: 'notes.txt', data: PNG })).errcode).toBe(41001);
  });

  it('image uploads can be limited to 5 MB (§12.9)', async () => {
    const small = await startTestEmulator({ behaviour: { imageMaxBytes: 5 * 1024 * 1024 } });
    try {
      const url = `${small.url}/cgi-bin/media/upload?access_token=${await small.token()}&type=image`;
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(5 * 1024 * 1024 + 1)]), 'big.png');
      expect(((await (await fetch(url, { method: 'POST', body: form })).json()) as WeComBody).errcode).toBe(45001);
    } finally {
      await small.close();
    }
  });
});

describe('appchat (§9.1)', () => {
  const call = async (path: string, body?: unknown, query: Record<string, string> = {}) =>
    emu.call(`/cgi-bin/appchat/${path}`, { token: await emu.token(), body, query });

  it('create, get, update and send; messages reach every member with the chatid', async () => {
    const created = await call('create', { name: '面试小组 Panel', owner: 'lina', userlist: ['lina', 'ZhangWei', 'chenjie'], chatid: 'panel42' });
    expect(created).toEqual({ errcode: 0, errmsg: 'ok', chatid: 'panel42' });
    expect((await call('get', undefined, { chatid: 'panel42' })).chat_info).toEqual({
      chatid: 'panel42',
      name: '面试小组 Panel',
      owner: 'lina',
      userlist: ['lina', 'zhangwei', 'chenjie'],
      chat_type: 0,
    });
    expect((await call('update', { chatid: 'panel42', add_user_list: ['sunli'], del_user_list: ['chenjie'], name: 'Panel 2' })).errcode).toBe(0);
    expect((await call('get', undefined, { chatid: 'panel42' })).chat_info).toMatchObject({ name: 'Panel 2', userlist: ['lina', 'zhangwei', 'sunli'] });
    expect((await call('send', { chatid: 'panel42', msgtype: 'text', text: { content: '明天10点面试' } })).errcode).toBe(0);
    expect(emu.control.messages({ userid: 'sunli' })).toMatchObject([{ chatid: 'panel42', msgtype: 'text', content: { content: '明天10点面试' } }]);
    expect(emu.control.messages({ userid: 'chenjie' })).toEqual([]);
  });

  it('generates a chatid when none is given', async () => {
    const created = await call('create', { userlist: ['lina', 'zhangwei'] });
    expect(created.chatid).toMatch(/^[0-9a-zA-Z]{1,32}$/);
  });

  it('errors: members 86006/86007, owner 86207, chatid 86001/86215/86003, msgtype 40008, body checks', async () => {
    expect((await call('create', { userlist: ['lina'] })).errcode).toBe(86006);
    expect((await call('create', { userlist: ['lina', 'ghost'] })).errcode).toBe(86007);
    expect((await call('create', { userlist: ['lina', 'zhangwei'], owner: 'sunli' })).errcode).toBe(86207);
    expect((await call('create', { userlist: ['lina', 'zhangwei'], chatid: 'bad-id!' })).errcode).toBe(86001);
    await call('create', { userlist: ['lina', 'zhangwei'], chatid: 'c1' });
    expect((await call('create', { userlist: ['lina', 'zhangwei'], chatid: 'c1' })).errcode).toBe(86215);
    expect((await call('get', undefined, { chatid: 'nope' })).errcode).toBe(86003);
    expect((await call('send', { chatid: 'c1', msgtype: 'template_card', template_card: {} })).errcode).toBe(40008);
    expect((await call('send', { chatid: 'c1', msgtype: 'text', text: { content: '' } })).errcode).toBe(44004);
  });

  it("another app cannot touch the chat (86008); apps not seeing the whole company get 48002", async () => {
    await call('create', { userlist: ['lina', 'zhangwei'], chatid: 'c2' });
    const other = await emu.token(DEMO.otherApp.secret);
    expect((await emu.call('/cgi-bin/appchat/send', { token: other, body: { chatid: 'c2', msgtype: 'text', text: { content: 'x' } } })).errcode).toBe(86008);
    const narrow = await startTestEmulator({ app: { visibleRange: { departments: [3] } } });
    try {
      const token = await narrow.token();
      expect((await narrow.call('/cgi-bin/appchat/create', { token, body: { userlist: ['lina', 'wangfang'] } })).errcode).toBe(48002);
    } finally {
      await narrow.close();
    }
  });
});

describe('group robot webhook (§9.2)', () => {
  const send = (body: unknown, key: string = DEMO.robotKey) => emu.call('/cgi-bin/webhook/send', { query: { key }, body });

  it('posts messages and records them; unknown or missing key → 93000', async () => {
    expect(await send({ msgtype: 'text', text: { content: '构建成功', mentioned_list: ['@all'] } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(emu.control.robotMessages({ key: DEMO.robotKey })).toMatchObject([{ msgtype: 'text', content: { content: '构建成功' } }]);
    expect((await send({ msgtype: 'text', text: { content: 'x' } }, 'nope')).errcode).toBe(93000);
    expect((await emu.call('/cgi-bin/webhook/send', { body: { msgtype: 'text', text: { content: 'x' } } })).errcode).toBe(93000);
    const calls = emu.control.calls({ path: '/cgi-bin/webhook/send' });
    expect(calls[0]!.query.key).toBe('***');
  });

  it('20 messages per minute per robot → 45009', async () => {
    const codes = [];
    for (let i = 0; i < 21; i++) codes.push((await send({ msgtype: 'text', text: { content: `m${i}` } })).errcode);
    expect(codes.slice(0, 20).every((c) => c === 0)).toBe(true);
    expect(codes[20]).toBe(45009);
    emu.control.advanceClock(60);
    expect((await send({ msgtype: 'text', text: { content: 'again' } })).errcode).toBe(0);
  });

  it('validates bodies: 44004, length 40058, news, image md5, template_card types, 40008', async () => {
    expect((await send({ msgtype: 'text', text: { content: '' } })).errcode).toBe(44004);
    const long = await send({ msgtype: 'text', text: { content: 'x'.repeat(2049) } });
    expect(long.errcode).toBe(40058);
    expect(long.errmsg).toMatch(/text\.content exceed max length 2048/);
    expect((await send({ msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } })).errcode).toBe(40058);
    expect((await send({ msgtype: 'news', news: { articles: [{ title: 't' }] } })).errcode).toBe(41010);
    expect((await send({ msgtype: 'news', news: { articles: [] } })).errcode).toBe(45008);
    const image = PNG.toString('base64');
    expect((await send({ msgtype: 'image', image: { base64: image, md5: 'ffff' } })).errcode).toBe(40058);
    expect((await send({ msgtype: 'image', image: { base64: image, md5: createHash('md5').update(PNG).digest('hex') } })).errcode).toBe(0);
    expect((await send({ msgtype: 'template_card', template_card: { card_type: 'button_interaction' } })).errcode).toBe(42031);
    expect((await send({ msgtype: 'sms' })).errcode).toBe(40008);
  });

  it('upload_media: file checked before key; ids only for that robot', async () => {
    expect((await upload('/cgi-bin/webhook/upload_media', { key: 'nope', type: 'file' })).errcode).toBe(44001);
    expect((await upload('/cgi-bin/webhook/upload_media', { key: 'nope', type: 'file' }, { name: 'r.txt', data: PNG })).errcode).toBe(93000);
    const up = await upload('/cgi-bin/webhook/upload_media', { key: DEMO.robotKey, type: 'file' }, { name: 'r.txt', data: PNG });
    expect(up).toMatchObject({ errcode: 0, type: 'file', media_id: expect.any(String), created_at: expect.any(String) });
    expect((await send({ msgtype: 'file', file: { media_id: up.media_id } })).errcode).toBe(0);
    // An app's media id does not work for a robot, and a robot's does not work for the app.
    const appMedia = await upload('/cgi-bin/media/upload', { access_token: await emu.token(), type: 'file' }, { name: 'a.txt', data: PNG });
    expect((await send({ msgtype: 'file', file: { media_id: appMedia.media_id } })).errcode).toBe(40007);
    expect((await emu.send({ touser: 'lina', msgtype: 'file', file: { media_id: up.media_id } })).errcode).toBe(40007);
  });
});
