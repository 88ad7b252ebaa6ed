import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../config.ts';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const text = (content = 'hello') => ({ msgtype: 'text', text: { content } });
const buttonCard = {
  card_type: 'button_interaction',
  main_title: { title: '面试反馈 Interview feedback' },
  task_id: 'task-1',
  button_list: [
    { text: '通过', style: 1, key: 'pass' },
    { text: '不通过', style: 2, key: 'fail' },
  ],
};

describe('message/send: request checks in the order of §3.4', () => {
  it('bad JSON → 40058; GET on the POST API → 40058', async () => {
    const token = await emu.token();
    expect((await emu.call('/cgi-bin/message/send', { token, body: '{"touser":' })).errcode).toBe(40058);
    expect((await emu.call('/cgi-bin/message/send', { token, method: 'GET' })).errcode).toBe(40058);
  });

  it('unknown or missing msgtype → 40008 (before agentid)', async () => {
    expect((await emu.send({ touser: 'zhangwei', msgtype: 'sms', agentid: 'x' })).errcode).toBe(40008);
    expect((await emu.send({ touser: 'zhangwei' })).errcode).toBe(40008);
  });

  it('agentid: missing → 41011, not an integer or unknown → 40056, another app → 301002', async () => {
    expect((await emu.send({ ...text(), touser: 'zhangwei', agentid: undefined })).errcode).toBe(41011);
    expect((await emu.send({ ...text(), touser: 'zhangwei', agentid: '1000002' })).errcode).toBe(40056);
    expect((await emu.send({ ...text(), touser: 'zhangwei', agentid: 999 })).errcode).toBe(40056);
    const body = await emu.send({ ...text(), touser: 'zhangwei', agentid: DEMO.otherApp.agentId });
    expect(body.errcode).toBe(301002);
    expect(body.errmsg).toMatch(/^not allow operate another agent with this accesstoken\., hint: /);
  });

  it('a contact-sync token may not send → 48002', async () => {
    const token = await emu.token(DEMO.contactSyncSecret);
    expect((await emu.send({ ...text(), touser: 'zhangwei' }, token)).errcode).toBe(48002);
  });

  it('list sizes: touser >1000 → 40032, toparty >100 → 82002, totag >100 → 82003; none → 82001', async () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('|');
    expect((await emu.send({ ...text(), touser: many(1001, (i) => `u${i}`) })).errcode).toBe(40032);
    expect((await emu.send({ ...text(), toparty: many(101, (i) => String(i + 1)) })).errcode).toBe(82002);
    expect((await emu.send({ ...text(), totag: many(101, (i) => String(i + 1)) })).errcode).toBe(82003);
    const none = await emu.send({ ...text(), touser: '', toparty: '', totag: '' });
    expect(none.errcode).toBe(82001);
    expect(none.errmsg).toMatch(/^All touser & toparty & totag invalid, hint/);
  });

  it('list sizes are checked before the body', async () => {
    expect((await emu.send({ msgtype: 'text', text: { content: '' }, touser: '' })).errcode).toBe(82001);
  });
});

describe('message/send: recipients (§3.1)', () => {
  it('matches userids case-insensitively and reports invalid ones lower-cased', async () => {
    const body = await emu.send({ ...text(), touser: 'ZhangWei | NoSuchUser', toparty: '3|999', totag: '1|77' });
    expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: 'nosuchuser', invalidparty: '999', invalidtag: '77' });
    expect(body.msgid).toEqual(expect.any(String));
    expect(emu.control.messages({ userid: 'zhangwei' })).toHaveLength(1);
    // Department 3 (Frontend) and tag 1 (Interviewers) reach their members.
    expect(emu.control.messages({ userid: 'wangfang' })).toHaveLength(1);
    expect(emu.control.messages({ userid: 'daniel' })).toHaveLength(1);
  });

  it('expands departments recursively: 2 (Engineering) reaches Frontend and Backend members', async () => {
    await emu.send({ ...text(), toparty: '2' });
    const reached = new Set(emu.control.messages().map((m) => m.userid));
    expect(reached).toContain('lina');
    expect(reached).toContain('chenjie');
    expect(reached).toContain('zhouqiang');
    expect(reached).not.toContain('sunli');
    // Each member once, though zhouqiang is in departments 2 and 4.
    expect(emu.control.messages({ userid: 'zhouqiang' })).toHaveLength(1);
  });

  it('tags reach their members and their departments', async () => {
    await emu.send({ ...text(), totag: '2' });
    expect(new Set(emu.control.messages().map((m) => m.userid))).toEqual(new Set(['sunli', 'maqian', 'zhuhao', 'huyan']));
  });

  it('@all reaches everyone in the visible range', async () => {
    await emu.send({ ...text(), touser: '@all' });
    expect(emu.control.messages()).toHaveLength(21);
  });

  it('nobody valid → 81013, and the body still carries invaliduser', async () => {
    const body = await emu.send({ ...text(), touser: 'Ghost' });
    expect(body.errcode).toBe(81013);
    expect(body.invaliduser).toBe('ghost');
    expect(body.errmsg).toMatch(/^user & party & tag all invalid, hint: /);
    expect(emu.control.messages()).toHaveLength(0);
  });

  it('members outside the visible range are invalid', async () => {
    const narrow = await startTestEmulator({ app: { visibleRange: { departments: [3] } } });
    try {
      const body = await narrow.send({ ...text(), touser: 'lina|sunli', toparty: '6' });
      expect(body).toMatchObject({ errcode: 0, invaliduser: 'sunli', invalidparty: '6' });
    } finally {
      await narrow.close();
    }
  });

  it('can omit empty invalid lists (§12.5)', async () => {
    const omit = await startTestEmulator({ behaviour: { emptyInvalidLists: 'omit' } });
    try {
      const body = await omit.send({ ...text(), touser: 'lina' });
      expect(body).not.toHaveProperty('invaliduser');
      expect(body).not.toHaveProperty('invalidparty');
    } finally {
      await omit.close();
    }
  });
});

describe('message/send: bodies (§3.2)', () => {
  const expectCode = async (message: Record<string, unknown>, errcode: number) =>
    expect((await emu.send({ touser: 'zhangwei', ...message })).errcode).toBe(errcode);

  it('text: empty → 44004; over 2048 bytes is truncated on a character boundary', async () => {
    await expectCode(text(''), 44004);
    await expectCode({ msgtype: 'text', text: {} }, 44004);
    await expectCode({ msgtype: 'text' }, 44004);
    const long = '面'.repeat(700); // 2100 bytes
    expect((await emu.send({ ...text(long), touser: 'zhangwei' })).errcode).toBe(0);
    const delivered = emu.control.messages({ userid: 'zhangwei' })[0]!.content.content as string;
    expect(Buffer.byteLength(delivered)).toBe(2046);
    expect(delivered).toBe('面'.repeat(682));
  });

  it('text over 2048 bytes can be rejected with 45002 instead (§12.4)', async () => {
    const strict = await startTestEmulator({ behaviour: { textOverLimit: 'reject' } });
    try {
      expect((await strict.send({ ...text('x'.repeat(2049)), touser: 'lina' })).errcode).toBe(45002);
      expect((await strict.send({ ...text('x'.repeat(2048)), touser: 'lina' })).errcode).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('markdown: empty → 44004', async () => {
    await expectCode({ msgtype: 'markdown', markdown: { content: '' } }, 44004);
    await expectCode({ msgtype: 'markdown', markdown: { content: '**hi**' } }, 0);
  });

  it('textcard: title 41016, description 41033, url 41010/40094', async () => {
    const card = { title: '面试安排', description: '<div class="gray">明天</div>', url: 'https://pairview.example/i/1' };
    await expectCode({ msgtype: 'textcard', textcard: { ...card, title: undefined } }, 41016);
    await expectCode({ msgtype: 'textcard', textcard: { ...card, description: '' } }, 41033);
    await expectCode({ msgtype: 'textcard', textcard: { ...card, url: undefined } }, 41010);
    await expectCode({ msgtype: 'textcard', textcard: { ...card, url: 'pairview.example' } }, 40094);
    await expectCode({ msgtype: 'textcard', textcard: card }, 0);
  });

  it('news: 1-8 articles (45008), title (41016), url or mini program (41010), no safe (40074)', async () => {
    const article = { title: 'T', url: 'https://pairview.example' };
    await expectCode({ msgtype: 'news', news: { articles: [] } }, 45008);
    await expectCode({ msgtype: 'news', news: { articles: Array(9).fill(article) } }, 45008);
    await expectCode({ msgtype: 'news', news: { articles: [{ url: 'https://x.example' }] } }, 41016);
    await expectCode({ msgtype: 'news', news: { articles: [{ title: 'T' }] } }, 41010);
    await expectCode({ msgtype: 'news', news: { articles: [article] }, safe: 1 }, 40074);
    await expectCode({ msgtype: 'news', news: { articles: Array(8).fill(article) } }, 0);
    await expectCode({ msgtype: 'news', news: { articles: [{ title: 'T', appid: 'wx1', pagepath: 'p' }] } }, 0);
  });

  it('image/voice/video/file need a known media_id → 40007', async () => {
    for (const msgtype of ['image', 'voice', 'video', 'file']) {
      await expectCode({ msgtype, [msgtype]: { media_id: 'nope' } }, 40007);
      await expectCode({ msgtype, [msgtype]: {} }, 40007);
    }
  });

  it('mpnews: thumb_media_id must be known → 40007; >8 articles → 45008', async () => {
    await expectCode({ msgtype: 'mpnews', mpnews: { articles: [{ title: 'T', thumb_media_id: 'nope', content: 'c' }] } }, 40007);
    await expectCode({ msgtype: 'mpnews', mpnews: { articles: [] } }, 45008);
  });

  it('miniprogram_notice: no agentid needed, title required, @all refused', async () => {
    const notice = { appid: 'wx123', page: 'pages/index', title: '会议室预订成功', content_item: [{ key: 'k', value: 'v' }] };
    expect((await emu.send({ touser: 'zhangwei', msgtype: 'miniprogram_notice', agentid: undefined, miniprogram_notice: notice })).errcode).toBe(0);
    await expectCode({ msgtype: 'miniprogram_notice', miniprogram_notice: { ...notice, title: '' } }, 41016);
    expect((await emu.send({ touser: '@all', msgtype: 'miniprogram_notice', miniprogram_notice: notice })).errcode).toBe(40031);
  });

  it('template_card errors 42014, 42031, 42033, 42035, 42038, 42039, 42045, 42046, 42047, 42051', async () => {
    const send = (card: Record<string, unknown>) => emu.send({ touser: 'zhangwei', msgtype: 'template_card', template_card: card });
    const textNotice = { card_type: 'text_notice', main_title: { title: 'T' }, card_action: { type: 1, url: 'https://x.example' } };
    expect((await send({ ...textNotice, card_type: 'poster' })).errcode).toBe(42031);
    expect((await send({ ...textNotice, main_title: {} })).errcode).toBe(42033);
    expect((await send({ ...textNotice, main_title: {}, sub_title_text: 'sub' })).errcode).toBe(0);
    expect((await send({ ...textNotice, card_action: undefined })).errcode).toBe(42045);
    expect((await send({ ...textNotice, card_action: { type: 1 } })).errcode).toBe(42028);
    expect((await send({ ...textNotice, horizontal_content_list: Array(7).fill({ keyname: 'k', value: 'v' }) })).errcode).toBe(42035);
    expect((await send({ ...textNotice, horizontal_content_list: [{ value: 'v' }] })).errcode).toBe(42027);
    expect((await send({ ...textNotice, jump_list: Array(4).fill({ title: 't', type: 1, url: 'https://x' }) })).errcode).toBe(42042);
    const menu = { desc: 'd', action_list: [{ text: 'a', key: 'k' }, { text: 'b', key: 'k' }] };
    expect((await send({ ...textNotice, task_id: 't1', action_menu: menu })).errcode).toBe(42051);
    expect((await send({ ...textNotice, action_menu: { action_list: [{ text: 'a', key: 'k' }] } })).errcode).toBe(42014);
    expect((await send({ ...buttonCard, task_id: undefined })).errcode).toBe(42014);
    expect((await send({ ...buttonCard, button_list: [{ text: 'ok' }] })).errcode).toBe(42039);
    expect((await send({ ...buttonCard, button_list: [{ key: 'k' }] })).errcode).toBe(42038);
    expect((await send({ ...buttonCard, button_list: [] })).errcode).toBe(42038);
    const vote = { card_type: 'vote_interaction', main_title: { title: 'T' }, task_id: 't2', checkbox: { question_key: 'q', option_list: [{ id: 'a', text: 'A' }] } };
    expect((await send({ ...vote, submit_button: { text: '提交' } })).errcode).toBe(42046);
    expect((await send({ ...vote, checkbox: { question_key: 'q', option_list: [] }, submit_button: { key: 's' } })).errcode).toBe(42037);
    expect((await send({ ...vote, submit_button: { key: 's' } })).errcode).toBe(0);
    const multiple = { card_type: 'multiple_interaction', main_title: { title: 'T' }, task_id: 't3', submit_button: { key: 's' } };
    expect((await send({ ...multiple, select_list: [] })).errcode).toBe(42047);
    expect((await send({ ...multiple, select_list: [{ question_key: 'q', option_list: [{ id: 'a', text: 'A' }] }] })).errcode).toBe(0);
    const news = { card_type: 'news_notice', main_title: { title: 'T' }, card_action: { type: 1, url: 'https://x.example' } };
    expect((await send(news)).errcode).toBe(42044);
    expect((await send({ ...news, card_image: { url: 'https://x.example/a.png' } })).errcode).toBe(0);
  });
});

describe('response_code and update_template_card (§3.1, §3.6)', () => {
  const update = async (body: Record<string, unknown>) =>
    emu.call('/cgi-bin/message/update_template_card', { token: await emu.token(), body: { agentid: DEMO.agentId, ...body } });

  it('interactive cards get a response_code, usable once to update the card', async () => {
    const sent = await emu.send({ touser: 'zhangwei|lina', msgtype: 'template_card', template_card: buttonCard });
    expect(sent.response_code).toEqual(expect.any(String));
    const first = await update({ userids: ['ZhangWei'], response_code: sent.response_code, button: { replace_name: '已处理' } });
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: [] });
    const [item] = emu.control.messages({ userid: 'zhangwei' });
    expect(item!.card).toMatchObject({ replaceName: '已处理' });
    expect(emu.control.messages({ userid: 'lina' })[0]!.card?.replaceName).toBeUndefined();
    const again = await update({ userids: ['zhangwei'], response_code: sent.response_code, button: { replace_name: 'x' } });
    expect(again.errcode).toBe(60140);
    expect(again.invaliduser).toEqual([]);
  });

  it('text cards get none, unless they have an action_menu', async () => {
    const plain = { card_type: 'text_notice', main_title: { title: 'T' }, card_action: { type: 1, url: 'https://x.example' } };
    expect((await emu.send({ touser: 'lina', msgtype: 'template_card', template_card: plain })).response_code).toBeUndefined();
    const withMenu = { ...plain, task_id: 'menu-1', action_menu: { desc: 'd', action_list: [{ text: '不再提醒', key: 'mute' }] } };
    expect((await emu.send({ touser: 'lina', msgtype: 'template_card', template_card: withMenu })).response_code).toEqual(expect.any(String));
  });

  it('expires after 72 hours → 60140', async () => {
    const sent = await emu.send({ touser: 'lina', msgtype: 'template_card', template_card: buttonCard });
    emu.control.advanceClock(72 * 3600);
    expect((await update({ atall: 1, response_code: sent.response_code, button: { replace_name: 'x' } })).errcode).toBe(60140);
  });

  it('is valid 24 hours when configured so (§12.8)', async () => {
    const short = await startTestEmulator({ behaviour: { responseCodeTtlHours: 24 } });
    try {
      const sent = await short.send({ touser: 'lina', msgtype: 'template_card', template_card: buttonCard });
      short.control.advanceClock(24 * 3600);
      const body = await short.call('/cgi-bin/message/update_template_card', {
        token: await short.token(),
        body: { agentid: short.agentId, atall: 1, response_code: sent.response_code, button: { replace_name: 'x' } },
      });
      expect(body.errcode).toBe(60140);
    } finally {
      await short.close();
    }
  });

  it('replaces the whole card for everyone with atall', async () => {
    const sent = await emu.send({ touser: 'zhangwei|lina', msgtype: 'template_card', template_card: buttonCard });
    const replacement = { card_type: 'text_notice', main_title: { title: '已完成 Done' }, card_action: { type: 1, url: 'https://x.example' } };
    expect((await update({ atall: 1, response_code: sent.response_code, template_card: replacement })).errcode).toBe(0);
    for (const userid of ['zhangwei', 'lina']) {
      expect(emu.control.messages({ userid })[0]!.card?.template_card).toMatchObject({ main_title: { title: '已完成 Done' } });
    }
  });

  it('a bad request does not use up the code; unknown targets → 82102, no target → 82101', async () => {
    const sent = await emu.send({ touser: 'zhangwei', msgtype: 'template_card', template_card: buttonCard });
    expect((await update({ atall: 1, response_code: sent.response_code })).errcode).toBe(40058);
    expect((await update({ atall: 1, response_code: sent.response_code, template_card: { card_type: 'bad' } })).errcode).toBe(42031);
    const notInMessage = await update({ userids: ['sunli'], response_code: sent.response_code, button: { replace_name: 'x' } });
    expect(notInMessage).toMatchObject({ errcode: 82102, invaliduser: ['sunli'] });
    const sent2 = await emu.send({ touser: 'zhangwei', msgtype: 'template_card', template_card: buttonCard });
    expect((await update({ response_code: sent2.response_code, button: { replace_name: 'x' } })).errcode).toBe(82101);
  });

  it("another app's token cannot use the code", async () => {
    const sent = await emu.send({ touser: 'zhangwei', msgtype: 'template_card', template_card: buttonCard });
    const other = await emu.token(DEMO.otherApp.secret);
    const body = await emu.call('/cgi-bin/message/update_template_card', {
      token: other,
      body: { agentid: DEMO.otherApp.agentId, atall: 1, response_code: sent.response_code, button: { replace_name: 'x' } },
    });
    expect(body.errcode).toBe(60140);
  });
});

describe('message/recall (§3.5)', () => {
  const recall = async (msgid: unknown, token?: string) => emu.call('/cgi-bin/message/recall', { token: token ?? (await emu.token()), body: { msgid } });

  it('recalls within 24 hours; after that → 42052', async () => {
    const first = await emu.send({ ...text(), touser: 'lina' });
    emu.control.advanceClock(23 * 3600);
    expect((await recall(first.msgid)).errcode).toBe(0);
    expect(emu.control.messages({ userid: 'lina' })[0]!.status).toBe('recalled');
    const second = await emu.send({ ...text(), touser: 'lina' });
    emu.control.advanceClock(24 * 3600 + 1);
    expect((await recall(second.msgid)).errcode).toBe(42052);
  });

  it("unknown msgid or another app's message → 40058", async () => {
    const sent = await emu.send({ ...text(), touser: 'lina' });
    expect((await recall('nope')).errcode).toBe(40058);
    expect((await recall(sent.msgid, await emu.token(DEMO.otherApp.secret))).errcode).toBe(40058);
  });
});

describe('duplicate check and per-member limits drop silently (§3.1, §5)', () => {
  it('drops an identical request inside the interval, answering 0 with the first msgid', async () => {
    const message = { ...text('同一条 same'), touser: 'lina', enable_duplicate_check: 1, duplicate_check_interval: 600 };
    const first = await emu.send(message);
    const second = await emu.send(message);
    expect(second).toMatchObject({ errcode: 0, msgid: first.msgid });
    expect(emu.control.messages({ userid: 'lina' }).map((m) => m.status)).toEqual(['delivered', 'dropped']);
    expect(emu.control.messages({ userid: 'lina' })[1]!.dropReason).toBe('duplicate');
    emu.control.advanceClock(600);
    const third = await emu.send(message);
    expect(third.msgid).not.toBe(first.msgid);
    expect(emu.control.messages({ userid: 'lina' })[2]!.status).toBe('delivered');
  });

  it('without enable_duplicate_check, identical requests are both delivered', async () => {
    await emu.send({ ...text(), touser: 'lina' });
    await emu.send({ ...text(), touser: 'lina' });
    expect(emu.control.messages({ userid: 'lina' }).map((m) => m.status)).toEqual(['delivered', 'delivered']);
  });

  it('per member: 30 per minute, the rest dropped with errcode 0', async () => {
    const token = await emu.token();
    for (let i = 0; i < 31; i++) {
      expect((await emu.send({ ...text(`m${i}`), touser: 'lina|zhangwei' }, token)).errcode).toBe(0);
    }
    const items = emu.control.messages({ userid: 'lina' });
    expect(items.filter((m) => m.status === 'delivered')).toHaveLength(30);
    expect(items[30]).toMatchObject({ status: 'dropped', dropReason: 'member_minute_limit' });
    emu.control.advanceClock(60);
    await emu.send({ ...text('later'), touser: 'lina' }, token);
    expect(emu.control.messages({ userid: 'lina' })[31]!.status).toBe('delivered');
  });

  it('per member: 1000 per hour', async () => {
    const token = await emu.token();
    for (let minute = 0; minute < 34; minute++) {
      for (let i = 0; i < 30; i++) await emu.send({ ...text(), touser: 'lina' }, token);
      emu.control.advanceClock(60);
      if (minute === 32) break;
    }
    // 33 minutes × 30 = 990 delivered in the last hour.
    for (let i = 0; i < 15; i++) await emu.send({ ...text(), touser: 'lina' }, token);
    const items = emu.control.messages({ userid: 'lina' });
    expect(items.filter((m) => m.status === 'delivered')).toHaveLength(1000);
    expect(items.at(-1)).toMatchObject({ status: 'dropped', dropReason: 'member_hour_limit' });
  });
});

describe('per-API frequency limit (§5)', () => {
  it('answers 45009 past the per-minute limit per API, and again after a minute', async () => {
    const limited = await startTestEmulator({ limits: { apiPerMinute: 3 } });
    try {
      const token = await limited.token();
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.send({ ...text(), touser: 'lina' }, token)).errcode);
      expect(codes).toEqual([0, 0, 0, 45009]);
      // Another API has its own window.
      expect((await limited.call('/cgi-bin/message/recall', { token, body: { msgid: 'x' } })).errcode).toBe(40058);
      limited.control.advanceClock(60);
      expect((await limited.send({ ...text(), touser: 'lina' }, token)).errcode).toBe(0);
    } finally {
      await limited.close();
    }
  });

  it('defaults to 10,000 per minute and 150,000 per hour', () => {
    expect(emu.state.config.limits).toMatchObject({ apiPerMinute: 10_000, apiPerHour: 150_000, memberPerMinute: 30, memberPerHour: 1000 });
  });
});

describe('paths', () => {
  it('unknown /cgi-bin/ paths answer HTTP 404', async () => {
    const response = await fetch(`${emu.url}/cgi-bin/message.send?access_token=${await emu.token()}`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('answers 404 before looking at the token, for any method, and records the call with no errcode', async () => {
    const token = await emu.token();
    for (const [method, path] of [
      ['POST', '/cgi-bin/message.send'],
      ['GET', '/cgi-bin/message.send'],
      ['POST', '/cgi-bin/message/sendx'],
      ['GET', '/cgi-bin/user/get/'],
      ['GET', '/cgi-bin/'],
    ] as const) {
      for (const query of ['', `?access_token=${token}`]) {
        const response = await fetch(`${emu.url}${path}${query}`, { method, ...(method === 'POST' ? { body: '{"touser":"lina"}' } : {}) });
        expect(response.status, `${method} ${path}${query ? ' with a token' : ''}`).toBe(404);
        expect(await response.text()).toContain('404 Not Found');
      }
    }
    expect(emu.control.calls({ path: '/cgi-bin/message.send' })).toMatchObject([{ httpStatus: 404, errcode: null }, { httpStatus: 404, errcode: null }, { httpStatus: 404 }, { httpStatus: 404 }]);
    // The token is masked in what the log keeps, here too.
    expect(JSON.stringify(emu.control.calls())).not.toContain(token);
  });
});
