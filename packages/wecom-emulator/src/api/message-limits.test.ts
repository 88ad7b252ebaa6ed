/**
 * message/send against every msgtype's documented fields and limits (wecom-protocol.md §3.2), the duplicate-check
 * interval (§3.1) and the per-API hour window (§5): the checks message.test.ts does not already make. Limits the
 * doc gives without an errcode or a truncation rule are refused with 40058 "invalid Request Parameter", WeCom's
 * answer to an over-long field (§4).
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator, type WeComBody } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const send = (message: Record<string, unknown>) => emu.send({ touser: 'zhangwei', ...message });
const codeOf = async (message: Record<string, unknown>) => (await send(message)).errcode;
const delivered = () => emu.control.messages({ userid: 'zhangwei' }).at(-1)!.content;

async function upload(type: 'image' | 'voice' | 'video' | 'file', name: string): Promise<string> {
  const url = new URL('/cgi-bin/media/upload', emu.url);
  url.searchParams.set('access_token', await emu.token());
  url.searchParams.set('type', type);
  const form = new FormData();
  form.append('media', new Blob([new Uint8Array(Buffer.alloc(64, 7))]), name);
  const body = (await (await fetch(url, { method: 'POST', body: form })).json()) as WeComBody;
  expect(body.errcode).toBe(0);
  return body.media_id as string;
}

describe('media messages (§3.2, §3.7)', () => {
  it('image, voice, video and file take an uploaded media_id; video title and description are cut at 128 and 512 bytes', async () => {
    const ids = { image: await upload('image', 'a.png'), voice: await upload('voice', 'a.amr'), video: await upload('video', 'a.mp4'), file: await upload('file', 'cv.pdf') };
    for (const msgtype of ['image', 'voice', 'file'] as const) expect(await codeOf({ msgtype, [msgtype]: { media_id: ids[msgtype] } })).toBe(0);
    expect(await codeOf({ msgtype: 'video', video: { media_id: ids.video, title: '视'.repeat(50), description: 'd'.repeat(600) } })).toBe(0);
    expect(delivered()).toEqual({ media_id: ids.video, title: '视'.repeat(42), description: 'd'.repeat(512) });
  });

  it('a media_id expires after 3 days → 40007', async () => {
    const id = await upload('file', 'cv.pdf');
    emu.control.advanceClock(3 * 86_400);
    expect(await codeOf({ msgtype: 'file', file: { media_id: id } })).toBe(40007);
  });
});

describe('text bodies (§3.2)', () => {
  it('markdown over 2048 bytes is cut on a character boundary, like text', async () => {
    expect(await codeOf({ msgtype: 'markdown', markdown: { content: `**${'面'.repeat(700)}**` } })).toBe(0);
    const content = delivered().content as string;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.startsWith(`**${'面'.repeat(682)}`)).toBe(true);
  });

  it('textcard: title 128 bytes, description 512 bytes, btntxt 4 characters; url over 2048 bytes → 40094', async () => {
    const card = { title: '标'.repeat(50), description: 'd'.repeat(600), url: 'https://pairview.example/i/1', btntxt: '查看详情更多' };
    expect(await codeOf({ msgtype: 'textcard', textcard: card })).toBe(0);
    expect(delivered()).toMatchObject({ title: '标'.repeat(42), description: 'd'.repeat(512), btntxt: '查看详情' });
    expect(await codeOf({ msgtype: 'textcard', textcard: { ...card, url: `https://pairview.example/${'x'.repeat(2030)}` } })).toBe(40094);
  });

  it('news: titles and descriptions cut at 128 and 512 bytes; url over 2048 bytes → 40094; appid without pagepath needs a url', async () => {
    const article = { title: 't'.repeat(200), description: 'd'.repeat(600), url: 'https://pairview.example' };
    expect(await codeOf({ msgtype: 'news', news: { articles: [article] } })).toBe(0);
    expect(delivered()).toEqual({ articles: [{ ...article, title: 't'.repeat(128), description: 'd'.repeat(512) }] });
    expect(await codeOf({ msgtype: 'news', news: { articles: [{ ...article, url: `https://x.example/${'x'.repeat(2040)}` }] } })).toBe(40094);
    expect(await codeOf({ msgtype: 'news', news: { articles: [{ title: 'T', appid: 'wx123' }] } })).toBe(41010);
  });

  it('mpnews: title (41016), thumb, author ≤64 bytes (45032), content required (44004) and ≤666 KB (45002); title and digest cut', async () => {
    const thumb = await upload('image', 'thumb.jpg');
    const article = { title: 'T', thumb_media_id: thumb, content: '<p>面试</p>', author: 'HR', digest: 'x' };
    const mpnews = (a: Record<string, unknown>) => ({ msgtype: 'mpnews', mpnews: { articles: [{ ...article, ...a }] } });
    expect(await codeOf(mpnews({ title: '' }))).toBe(41016);
    expect(await codeOf(mpnews({ author: 'a'.repeat(65) }))).toBe(45032);
    expect(await codeOf(mpnews({ content: '' }))).toBe(44004);
    expect(await codeOf(mpnews({ content: 'c'.repeat(666 * 1024 + 1) }))).toBe(45002);
    expect(await codeOf(mpnews({ title: 't'.repeat(130), digest: 'g'.repeat(520), author: 'a'.repeat(64), content: 'c'.repeat(666 * 1024) }))).toBe(0);
    expect(delivered()).toMatchObject({ articles: [{ title: 't'.repeat(128), digest: 'g'.repeat(512) }] });
    // Permanent material by media_id.
    expect(await codeOf({ msgtype: 'mpnews', mpnews: { media_id: thumb } })).toBe(0);
    expect(await codeOf({ msgtype: 'mpnews', mpnews: { media_id: 'unknown' } })).toBe(40007);
  });

  it('taskcard (legacy): title (41016) and task_id (42014) required', async () => {
    expect(await codeOf({ msgtype: 'taskcard', taskcard: { task_id: 't1' } })).toBe(41016);
    expect(await codeOf({ msgtype: 'taskcard', taskcard: { title: 'T' } })).toBe(42014);
    expect(await codeOf({ msgtype: 'taskcard', taskcard: { title: 'T', task_id: 't1', btn: [{ key: 'ok', name: '好' }] } })).toBe(0);
  });
});

describe('miniprogram_notice (§3.2)', () => {
  const notice = { appid: 'wx123123123123123', page: 'pages/index', title: '会议室预订成功', content_item: [{ key: '会议室', value: '402' }] };
  const mini = (body: Record<string, unknown>) => ({ msgtype: 'miniprogram_notice', agentid: undefined, miniprogram_notice: { ...notice, ...body } });

  it('appid required (40063); content_item ≤10 with key ≤10 and value ≤30 characters; page ≤1024 bytes', async () => {
    expect(await codeOf(mini({ appid: undefined }))).toBe(40063);
    expect(await codeOf(mini({ content_item: Array(11).fill({ key: 'k', value: 'v' }) }))).toBe(40058);
    expect(await codeOf(mini({ content_item: [{ key: '键'.repeat(11), value: 'v' }] }))).toBe(40058);
    expect(await codeOf(mini({ content_item: [{ key: 'k', value: '值'.repeat(31) }] }))).toBe(40058);
    expect(await codeOf(mini({ content_item: [{ value: 'v' }] }))).toBe(40058);
    expect(await codeOf(mini({ page: `pages/${'p'.repeat(1020)}` }))).toBe(40058);
    expect(await codeOf(mini({ content_item: Array(10).fill({ key: '键'.repeat(10), value: '值'.repeat(30) }), page: 'p'.repeat(1024) }))).toBe(0);
  });

  it('an app bound to mini programs may only name those (48002)', async () => {
    const bound = await startTestEmulator({ app: { miniprogramAppIds: ['wxbound0000000001'] } });
    try {
      const post = (appid: string) => bound.send({ touser: 'lina', msgtype: 'miniprogram_notice', agentid: undefined, miniprogram_notice: { ...notice, appid } });
      expect((await post('wx123123123123123')).errcode).toBe(48002);
      expect((await post('wxbound0000000001')).errcode).toBe(0);
    } finally {
      await bound.close();
    }
  });
});

describe('template_card fields (§3.2 card field table, Appendix A 42027–42051)', () => {
  const action = { type: 1, url: 'https://pairview.example' };
  const textNotice = { card_type: 'text_notice', main_title: { title: 'T' }, card_action: action };
  const newsNotice = { card_type: 'news_notice', main_title: { title: 'T' }, card_action: action, card_image: { url: 'https://x.example/a.png' } };
  const button = { card_type: 'button_interaction', main_title: { title: 'T' }, task_id: 't1', button_list: [{ text: '通过', key: 'pass' }] };
  const vote = { card_type: 'vote_interaction', main_title: { title: 'T' }, task_id: 't2', checkbox: { question_key: 'q', option_list: [{ id: 'a', text: 'A' }] }, submit_button: { key: 's' } };
  const multiple = { card_type: 'multiple_interaction', main_title: { title: 'T' }, task_id: 't3', submit_button: { key: 's' }, select_list: [{ question_key: 'q', option_list: [{ id: 'a', text: 'A' }] }] };
  const card = async (template_card: Record<string, unknown>) => (await send({ msgtype: 'template_card', template_card })).errcode;

  it('text lengths: at the limit delivered, one over → 40058', async () => {
    const cases: Array<[string, (n: number) => Record<string, unknown>, number]> = [
      ['main_title.title', (n) => ({ ...textNotice, main_title: { title: '题'.repeat(n) } }), 36],
      ['main_title.desc', (n) => ({ ...textNotice, main_title: { title: 'T', desc: 'd'.repeat(n) } }), 44],
      ['source.desc', (n) => ({ ...textNotice, source: { desc: '源'.repeat(n) } }), 20],
      ['emphasis_content.title', (n) => ({ ...textNotice, emphasis_content: { title: '1'.repeat(n) } }), 14],
      ['emphasis_content.desc', (n) => ({ ...textNotice, emphasis_content: { title: '1', desc: 'd'.repeat(n) } }), 22],
      ['sub_title_text', (n) => ({ ...textNotice, sub_title_text: 's'.repeat(n) }), 160],
      ['horizontal_content_list.value', (n) => ({ ...textNotice, horizontal_content_list: [{ keyname: '候选人', value: 'v'.repeat(n) }] }), 30],
      ['jump_list.title', (n) => ({ ...textNotice, jump_list: [{ type: 1, title: 'j'.repeat(n), url: 'https://x.example' }] }), 18],
      ['vertical_content_list.title', (n) => ({ ...newsNotice, vertical_content_list: [{ title: 'v'.repeat(n) }] }), 38],
      ['vertical_content_list.desc', (n) => ({ ...newsNotice, vertical_content_list: [{ title: 'v', desc: 'd'.repeat(n) }] }), 160],
    ];
    for (const [field, build, max] of cases) {
      expect(await card(build(max)), `${field} at ${max}`).toBe(0);
      const over = await send({ msgtype: 'template_card', template_card: build(max + 1) });
      expect(over.errcode, `${field} at ${max + 1}`).toBe(40058);
      expect(over.errmsg).toContain(field);
    }
  });

  it('links: url (42028), media_id (42029), appid (42030), userid (42050)', async () => {
    expect(await card({ ...textNotice, jump_list: [{ type: 1, title: 'j' }] })).toBe(42028);
    expect(await card({ ...textNotice, horizontal_content_list: [{ type: 1, keyname: 'k', value: 'v' }] })).toBe(42028);
    expect(await card({ ...textNotice, horizontal_content_list: [{ type: 2, keyname: 'k', value: 'v' }] })).toBe(42029);
    expect(await card({ ...textNotice, horizontal_content_list: [{ type: 3, keyname: 'k', value: 'v' }] })).toBe(42050);
    expect(await card({ ...textNotice, card_action: { type: 2, pagepath: 'p' } })).toBe(42030);
    expect(await card({ ...textNotice, jump_list: [{ type: 2, title: 'j', pagepath: 'p' }] })).toBe(42030);
    expect(await card({ ...textNotice, card_action: { type: 3 } })).toBe(42045);
  });

  it('news_notice: card_image.url or image_text_area.image_url (42044), vertical list ≤4 (42036) with titles (42033)', async () => {
    const { card_image: _image, ...withoutImage } = newsNotice;
    expect(await card({ ...withoutImage, image_text_area: { title: 'x' } })).toBe(42044);
    expect(await card({ ...withoutImage, image_text_area: { image_url: 'https://x.example/a.png' } })).toBe(0);
    expect(await card({ ...newsNotice, card_image: { aspect_ratio: 2 } })).toBe(42044);
    expect(await card({ ...newsNotice, vertical_content_list: Array(5).fill({ title: 'v' }) })).toBe(42036);
    expect(await card({ ...newsNotice, vertical_content_list: [{ desc: 'd' }] })).toBe(42033);
  });

  it('buttons, options and questions: 42014, 42037, 42038, 42039, 42040, 42041, 42043, 42049', async () => {
    expect(await card({ ...button, task_id: 'bad task id!' })).toBe(42014);
    expect(await card({ ...button, task_id: 't'.repeat(129) })).toBe(42014);
    expect(await card({ ...button, button_list: [{ text: '十一个字的按钮文字太长了', key: 'k' }] })).toBe(42038);
    expect(await card({ ...button, button_list: Array(7).fill({ text: 'b', key: 'k' }) })).toBe(42038);
    expect(await card({ ...button, button_list: [{ text: 'b', key: 'k'.repeat(1025) }] })).toBe(42039);
    expect(await card({ ...button, button_list: [{ text: '打开', type: 1 }] })).toBe(42028);
    expect(await card({ ...button, button_list: [{ text: '打开', type: 1, url: 'https://x.example' }] })).toBe(0);
    const selection = (s: Record<string, unknown>) => ({ ...button, button_selection: { question_key: 'q', option_list: [{ id: 'a', text: 'A' }], ...s } });
    expect(await card(selection({ question_key: undefined }))).toBe(42043);
    expect(await card(selection({ option_list: Array(11).fill({ id: 'a', text: 'A' }) }))).toBe(42037);
    expect(await card(selection({ option_list: [{ text: 'A' }] }))).toBe(42040);
    expect(await card(selection({ option_list: [{ id: 'i'.repeat(129), text: 'A' }] }))).toBe(42040);
    expect(await card(selection({ option_list: [{ id: 'a' }] }))).toBe(42041);
    expect(await card(selection({}))).toBe(0);
    expect(await card({ ...vote, checkbox: { question_key: 'q', option_list: Array(21).fill({ id: 'a', text: 'A' }) } })).toBe(42037);
    expect(await card({ ...vote, checkbox: { question_key: 'q', option_list: Array(20).fill({ id: 'a', text: 'A' }) } })).toBe(0);
    expect(await card({ ...vote, submit_button: { key: 's', text: '十一个字的提交按钮文字' } })).toBe(42049);
    expect(await card({ ...multiple, select_list: Array(4).fill(multiple.select_list[0]) })).toBe(42047);
    expect(await card({ ...multiple, select_list: [{ question_key: 'q', option_list: [] }] })).toBe(42037);
    expect(await card({ ...textNotice, task_id: 'm1', action_menu: { action_list: Array(4).fill(0).map((_, i) => ({ text: 'a', key: `k${i}` })) } })).toBe(40058);
  });
});

describe('duplicate check interval (§3.1)', () => {
  const message = (extra: Record<string, unknown> = {}) => ({ msgtype: 'text', text: { content: '同一条 same' }, touser: 'lina', enable_duplicate_check: 1, ...extra });
  const statuses = () => emu.control.messages({ userid: 'lina' }).map((m) => m.status);

  it('defaults to 1800 seconds', async () => {
    await emu.send(message());
    emu.control.advanceClock(1799);
    await emu.send(message());
    emu.control.advanceClock(1);
    await emu.send(message());
    expect(statuses()).toEqual(['delivered', 'dropped', 'delivered']);
  });

  it('is at most 4 hours: a longer interval counts as 14400 seconds', async () => {
    const long = message({ duplicate_check_interval: 86_400 });
    await emu.send(long);
    emu.control.advanceClock(14_399);
    await emu.send(long);
    emu.control.advanceClock(1);
    await emu.send(long);
    expect(statuses()).toEqual(['delivered', 'dropped', 'delivered']);
  });

  it('compares the whole request: another member or another text is not a duplicate', async () => {
    await emu.send(message());
    await emu.send(message({ text: { content: 'different' } }));
    await emu.send(message({ touser: 'lina|zhangwei' }));
    expect(statuses()).toEqual(['delivered', 'delivered', 'delivered']);
  });
});

describe('per-API limit per hour (§5)', () => {
  it('answers 45009 once the hour is used up, even with room in the minute', async () => {
    const limited = await startTestEmulator({ limits: { apiPerMinute: 3, apiPerHour: 5 } });
    try {
      const token = await limited.token();
      const codes = async (n: number) => {
        const out = [];
        for (let i = 0; i < n; i++) out.push((await limited.call('/cgi-bin/user/get', { query: { userid: 'lina' }, token })).errcode);
        return out;
      };
      expect(await codes(3)).toEqual([0, 0, 0]);
      limited.control.advanceClock(60);
      expect(await codes(3)).toEqual([0, 0, 45009]);
      limited.control.advanceClock(3600);
      expect(await codes(1)).toEqual([0]);
    } finally {
      await limited.close();
    }
  });
});
