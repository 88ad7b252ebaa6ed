/**
 * The console and the callback service end to end, over HTTP: a started emulator whose callback URL points at
 * an app built with the SDK's own receiver (`@pairview/wecom/callback`) on port 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallbackHandler, createNodeMiddleware, type CallbackEvent, type PassiveReply } from '@pairview/wecom/callback';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

const credentials = { token: 'PairviewToken1', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR' };
const corpId = 'wwconsoletest0001';

/** The app: records every event; answers per event type with what `replies` says. */
let server: Server;
const received: CallbackEvent[] = [];
let replies: Partial<Record<string, (event: CallbackEvent) => PassiveReply | undefined>> = {};
let emu: TestEmulator;

beforeAll(async () => {
  const receiver = createCallbackHandler({ ...credentials, corpId });
  receiver.onAny((context) => {
    received.push(context.event);
    return replies[context.event.type]?.(context.event);
  });
  const middleware = createNodeMiddleware(receiver, { path: '/wecom/callback' });
  server = createServer((request, response) => void middleware(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  emu = await startTestEmulator({ corpId, callback: { url: `http://127.0.0.1:${port}/wecom/callback`, ...credentials } });
});

afterAll(async () => {
  await emu?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  await emu.control.reset();
  received.length = 0;
  replies = {};
});

async function post(path: string, body?: unknown, method = 'POST') {
  const response = await fetch(new URL(path, emu.url), {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function fragment(name: string, userid: string) {
  return (await fetch(new URL(`/console/fragments/${name}?userid=${userid}`, emu.url))).text();
}

async function sendCard(userid: string, card: Record<string, unknown>) {
  const sent = await emu.send({ touser: userid, msgtype: 'template_card', template_card: card });
  expect(sent.errcode).toBe(0);
  return sent;
}

const clickPath = (userid: string, msgid: unknown) => `/console/api/members/${userid}/cards/${encodeURIComponent(String(msgid))}/actions`;

describe('template card clicks', () => {
  const buttonCard = {
    card_type: 'button_interaction',
    main_title: { title: '面试反馈', desc: '请在面试后 24 小时内提交' },
    task_id: 'feedback-42',
    button_selection: {
      question_key: 'rating',
      title: '评分',
      option_list: [
        { id: 'r1', text: '强烈推荐' },
        { id: 'r2', text: '不推荐' },
      ],
    },
    button_list: [
      { text: '通过', style: 1, key: 'pass' },
      { text: '不通过', style: 3, key: 'reject' },
    ],
  };

  it('sends template_card_event with the key, TaskId, ResponseCode and SelectedItems, and applies update_button', async () => {
    replies.template_card_event = () => ({ type: 'update_button', replaceName: '已提交反馈' });
    const sent = await sendCard('zhangwei', buttonCard);
    expect(await fragment('conversation', 'zhangwei')).toContain('data-action="button" data-key="pass"');

    const click = await post(clickPath('zhangwei', sent.msgid), { action: 'button', key: 'pass', selectedItems: [{ questionKey: 'rating', optionIds: ['r1'] }] });
    expect(click.status).toBe(200);
    expect(click.body.delivery).toMatchObject({ status: 'delivered', reply: { type: 'update_button', replaceName: '已提交反馈' } });

    expect(received).toHaveLength(1);
    const event = received[0]!;
    expect(event).toMatchObject({
      type: 'template_card_event',
      fromUserName: 'zhangwei',
      toUserName: corpId,
      eventKey: 'pass',
      taskId: 'feedback-42',
      cardType: 'button_interaction',
      selectedItems: [{ questionKey: 'rating', optionIds: ['r1'] }],
    });
    expect(event.type === 'template_card_event' && event.responseCode).toMatch(/^\S{20,}$/);

    const conversation = await fragment('conversation', 'zhangwei');
    expect(conversation).toContain('<button type="button" class="card-btn replaced" disabled>已提交反馈</button>');
    expect(conversation).not.toContain('data-key="pass"');
    const [message] = await emu.control.messages({ userid: 'zhangwei' });
    expect(message!.card).toMatchObject({ replaceName: '已提交反馈', lastAction: { eventKey: 'pass' } });

    // Buttons the app replaced cannot be clicked again.
    expect((await post(clickPath('zhangwei', sent.msgid), { action: 'button', key: 'reject' })).status).toBe(409);
  });

  it("lets the app replace the card with update_template_card and the click's ResponseCode, once", async () => {
    const sent = await sendCard('lina', buttonCard);
    await post(clickPath('lina', sent.msgid), { action: 'button', key: 'reject' });
    const responseCode = (received[0] as { responseCode?: string }).responseCode;
    const update = {
      agentid: emu.agentId,
      response_code: responseCode,
      template_card: { card_type: 'text_notice', main_title: { title: '已拒绝 <候选人>' }, task_id: 'feedback-42', card_action: { type: 1, url: 'https://example.com' } },
    };
    const updated = await emu.call('/cgi-bin/message/update_template_card', { body: { userids: ['lina'], ...update }, token: await emu.token() });
    expect(updated.errcode).toBe(0);
    const conversation = await fragment('conversation', 'lina');
    expect(conversation).toContain('已拒绝 &lt;候选人&gt;');
    expect(conversation).not.toContain('data-action="button"');
    const again = await emu.call('/cgi-bin/message/update_template_card', { body: { userids: ['lina'], ...update }, token: await emu.token() });
    expect(again.errcode).toBe(60140);
  });

  it('submits a vote with the checked options and refuses options the card does not offer', async () => {
    const sent = await sendCard('chenjie', {
      card_type: 'vote_interaction',
      main_title: { title: '选择面试时间' },
      task_id: 'vote-1',
      checkbox: {
        question_key: 'slot',
        mode: 1,
        option_list: [
          { id: 'mon', text: '周一' },
          { id: 'tue', text: '周二' },
        ],
      },
      submit_button: { text: '提交', key: 'submit-slot' },
    });
    const bad = await post(clickPath('chenjie', sent.msgid), { action: 'submit', key: 'submit-slot', selectedItems: [{ questionKey: 'slot', optionIds: ['sun'] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('no option "sun"');
    expect(received).toHaveLength(0);

    const ok = await post(clickPath('chenjie', sent.msgid), { action: 'submit', key: 'submit-slot', selectedItems: [{ questionKey: 'slot', optionIds: ['mon', 'tue'] }] });
    expect(ok.body.delivery.status).toBe('delivered');
    expect(received[0]).toMatchObject({ type: 'template_card_event', eventKey: 'submit-slot', cardType: 'vote_interaction', selectedItems: [{ questionKey: 'slot', optionIds: ['mon', 'tue'] }] });
    // The phone keeps showing what the member chose.
    expect(await fragment('conversation', 'chenjie')).toMatch(/value="mon" checked/);
  });

  it('sends template_card_menu_event for an action_menu item', async () => {
    const sent = await sendCard('wuxia', {
      card_type: 'text_notice',
      main_title: { title: '周报' },
      task_id: 'menu-1',
      action_menu: { desc: '推送设置', action_list: [{ text: '不再推送', key: 'mute' }] },
      card_action: { type: 1, url: 'https://example.com' },
    });
    const result = await post(clickPath('wuxia', sent.msgid), { action: 'menu', key: 'mute' });
    expect(result.body.delivery.status).toBe('delivered');
    expect(received[0]).toMatchObject({ type: 'template_card_menu_event', eventKey: 'mute', taskId: 'menu-1', cardType: 'text_notice' });
  });
});

describe('messages and app entry', () => {
  it('sends the member text as a text callback and shows the passive reply as a message from the app', async () => {
    replies.text = (event) => ({ type: 'text', content: `收到: ${event.type === 'text' ? event.content : ''}` });
    const result = await post('/console/api/members/sunli/messages', { content: '<img src=x onerror=alert(1)>' });
    expect(result.body.delivery).toMatchObject({ status: 'delivered', reply: { type: 'text' } });
    expect(received[0]).toMatchObject({ type: 'text', fromUserName: 'sunli', content: '<img src=x onerror=alert(1)>' });
    expect((received[0] as { msgId?: string }).msgId).toMatch(/^\d{19}$/);

    const conversation = await fragment('conversation', 'sunli');
    expect(conversation).toContain('class="bubble text mine">&lt;img src=x onerror=alert(1)&gt;</div>');
    expect(conversation).toContain('收到: &lt;img src=x onerror=alert(1)&gt;');
    expect(conversation).not.toContain('<img');
    expect(await emu.control.messages({ userid: 'sunli' })).toMatchObject([{ msgtype: 'text', content: { content: '收到: <img src=x onerror=alert(1)>' } }]);
  });

  it('sends enter_agent', async () => {
    const result = await post('/console/api/members/maqian/enter');
    expect(result.body.delivery.status).toBe('delivered');
    expect(received[0]).toMatchObject({ type: 'enter_agent', fromUserName: 'maqian', agentId: emu.agentId });
  });
});

describe('directory edits', () => {
  it('create, rename, deactivate and delete each send their change_contact callback', async () => {
    const created = await post('/console/api/directory/users', { userid: 'newhire', name: '新同事', alias: 'New Hire', department: 3 });
    expect(created.body.delivery.status).toBe('delivered');
    expect(received.at(-1)).toMatchObject({ type: 'change_contact', changeType: 'create_user', fromUserName: 'sys', userId: 'newhire', name: '新同事', department: [3], alias: 'New Hire' });
    expect(await fragment('members', 'newhire')).toContain('New Hire · newhire');

    await post('/console/api/directory/users/newhire', { name: '新同事甲' }, 'PATCH');
    const rename = received.at(-1) as Record<string, unknown>;
    expect(rename).toMatchObject({ changeType: 'update_user', userId: 'newhire', name: '新同事甲' });
    expect(rename.status).toBeUndefined();

    // Receivers dedupe events by sender, CreateTime, type and userid (§6.7): let a second pass between edits.
    emu.control.advanceClock(1);
    await post('/console/api/directory/users/newhire', { active: false }, 'PATCH');
    expect(received.at(-1)).toMatchObject({ changeType: 'update_user', userId: 'newhire', status: 2 });

    emu.control.advanceClock(1);
    await post('/console/api/directory/users/newhire', undefined, 'DELETE');
    expect(received.at(-1)).toMatchObject({ changeType: 'delete_user', userId: 'newhire' });
    expect(received.map((e) => ('changeType' in e ? e.changeType : e.type))).toEqual(['create_user', 'update_user', 'update_user', 'delete_user']);
  });

  it('refuses a bad userid and a taken one, changing nothing', async () => {
    expect((await post('/console/api/directory/users', { userid: '-bad', name: 'x', department: 1 })).status).toBe(400);
    expect((await post('/console/api/directory/users', { userid: 'ZhangWei', name: 'x', department: 1 })).status).toBe(409);
    expect(received).toHaveLength(0);
  });
});

describe('control API', () => {
  it('delivers typed and WeCom-named events and lists the delivery log', async () => {
    const typed = await post('/_emulator/callbacks', { type: 'click', fromUserName: 'zhangwei', eventKey: 'MENU_TODAY' });
    expect(typed.body).toMatchObject({ status: 'delivered', label: 'click' });
    const named = await post('/_emulator/callbacks', { MsgType: 'event', Event: 'enter_agent', FromUserName: 'lina' });
    expect(named.body).toMatchObject({ status: 'delivered', label: 'enter_agent' });
    expect(received).toMatchObject([
      { type: 'click', eventKey: 'MENU_TODAY', toUserName: corpId },
      { type: 'enter_agent', fromUserName: 'lina' },
    ]);
    const record = await emu.control.sendCallback({ type: 'text', fromUserName: 'lina', content: 'hi' });
    expect(record).toMatchObject({ status: 'delivered' });

    const log = await fetch(new URL('/_emulator/callbacks?userid=lina', emu.url)).then((r) => r.json());
    expect(log.map((r: { label: string }) => r.label)).toEqual(['enter_agent', 'text']);
  });

  it('answers 400 for an incomplete event, naming the field, and sends nothing', async () => {
    const result = await post('/_emulator/callbacks', { type: 'template_card_event', fromUserName: 'lina', eventKey: 'k' });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/TaskId/);
    expect(received).toHaveLength(0);
  });

  it('runs URL verification against the app', async () => {
    const result = await post('/_emulator/callbacks/verify');
    expect(result.body).toMatchObject({ kind: 'verification', status: 'passed' });
  });

  it('emu.control mirrors the callback routes: verifyCallbackUrl, callbackLog, and the console card click as clickCard', async () => {
    expect(await emu.control.verifyCallbackUrl()).toMatchObject({ kind: 'verification', status: 'passed', url: expect.stringContaining('/wecom/callback') });
    await emu.control.sendCallback({ type: 'enter_agent', fromUserName: 'lina' });
    replies.template_card_event = () => ({ type: 'update_button', replaceName: '已通过' });
    const sent = await sendCard('zhangwei', {
      card_type: 'button_interaction',
      main_title: { title: '面试反馈' },
      task_id: 'control-click-1',
      button_list: [{ text: '通过', key: 'pass' }],
    });
    const click = await emu.control.clickCard('zhangwei', String(sent.msgid), { action: 'button', key: 'pass' });
    expect(click).toMatchObject({ status: 'delivered', label: 'template_card_event', reply: { type: 'update_button', replaceName: '已通过' } });
    expect(received.at(-1)).toMatchObject({ type: 'template_card_event', fromUserName: 'zhangwei', eventKey: 'pass', taskId: 'control-click-1', responseCode: expect.any(String) });
    expect(emu.control.messages({ userid: 'zhangwei' })[0]!.card).toMatchObject({ replaceName: '已通过', lastAction: { eventKey: 'pass' } });

    // The same log as GET /_emulator/callbacks, oldest first, filtered the same way.
    const log = emu.control.callbackLog();
    expect(log.map((r) => (r.kind === 'delivery' ? r.label : r.kind))).toEqual(['verification', 'enter_agent', 'template_card_event']);
    expect(await fetch(new URL('/_emulator/callbacks', emu.url)).then((r) => r.json())).toEqual(log);
    expect(emu.control.callbackLog({ userid: 'ZhangWei' }).map((r) => r.id)).toEqual([log[2]!.id]);
    expect(emu.control.callbackLog({ since: log[0]!.id })).toHaveLength(2);
    expect(() => emu.control.callbackLog({ since: -1 })).toThrow(/record id/);

    // A click the card does not offer changes nothing and sends nothing.
    await expect(emu.control.clickCard('zhangwei', String(sent.msgid), { action: 'button', key: 'pass' })).rejects.toThrow(/can no longer be clicked/);
    await expect(emu.control.clickCard('zhangwei', 'no-such-msgid', { action: 'button', key: 'pass' })).rejects.toThrow(/has no message/);
    await expect(emu.control.clickCard('nobody', String(sent.msgid), { action: 'button', key: 'pass' })).rejects.toThrow(/userid of a member/);
    expect(emu.control.callbackLog()).toHaveLength(3);
  });
});

describe('the inbox as the phone shows it', () => {
  it('shows text, markdown, textcard, news and all five template card types sent through the API, in order', async () => {
    const action = { type: 1, url: 'https://pairview.example/i/7' };
    const messages: Record<string, unknown>[] = [
      { msgtype: 'text', text: { content: '面试改到 16:00\n<a href="https://pairview.example/i/7">查看</a>' } },
      { msgtype: 'markdown', markdown: { content: '**面试安排**\n> 时间：<font color="warning">16:00</font>\n[打开](https://pairview.example/i/7)' } },
      { msgtype: 'textcard', textcard: { title: '面试邀请 Interview', description: '<div class="gray">明天</div><div class="highlight">请确认</div>', url: 'https://pairview.example/i/7', btntxt: '确认' } },
      { msgtype: 'news', news: { articles: [{ title: '新同事入职指南', description: '欢迎', url: 'https://pairview.example/guide' }] } },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          source: { desc: '派维 Pairview', desc_color: 1 },
          main_title: { title: '面试提醒', desc: '15 分钟后开始' },
          emphasis_content: { title: '15:00', desc: '开始时间' },
          horizontal_content_list: [{ keyname: '候选人', value: '李娜' }],
          jump_list: [{ type: 1, title: '打开面试间', url: 'https://pairview.example/room/7' }],
          card_action: action,
        },
      },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'news_notice',
          main_title: { title: '新的面试官培训' },
          card_image: { url: 'https://pairview.example/a.png', aspect_ratio: 2.25 },
          vertical_content_list: [{ title: '周四 14:00', desc: '三楼会议室' }],
          card_action: action,
        },
      },
      { msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: '接受面试邀请？' }, task_id: 'inbox-btn', button_list: [{ text: '接受', style: 1, key: 'accept' }, { text: '拒绝', style: 2, key: 'decline' }] } },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'vote_interaction',
          main_title: { title: '哪天方便？' },
          task_id: 'inbox-vote',
          checkbox: { question_key: 'day', mode: 1, option_list: [{ id: 'thu', text: '周四' }, { id: 'fri', text: '周五', is_checked: true }] },
          submit_button: { text: '投票', key: 'vote' },
        },
      },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'multiple_interaction',
          main_title: { title: '面试评分' },
          task_id: 'inbox-multi',
          select_list: [{ question_key: 'score', title: '总体评价', option_list: [{ id: 's1', text: '强烈推荐' }, { id: 's2', text: '不推荐' }] }],
          submit_button: { text: '提交评分', key: 'score' },
        },
      },
    ];
    for (const message of messages) expect((await emu.send({ touser: 'wuxia', ...message })).errcode).toBe(0);

    const page = await fragment('conversation', 'wuxia');
    const expected = [
      '<div class="bubble text">面试改到 16:00<br><a href="https://pairview.example/i/7"',
      '<div class="bubble markdown"><div class="md-line"><strong>面试安排</strong>',
      '<span class="font-warning">16:00</span>',
      '<div class="tc-title">面试邀请 Interview</div>',
      '<div class="tc-highlight">请确认</div>',
      '>确认</a>',
      '<div class="news">',
      '新同事入职指南</a>',
      'card-text_notice',
      '<div class="card-emphasis-title">15:00</div>',
      '<span class="kv-key">候选人</span><span class="kv-value">李娜</span>',
      '打开面试间</a>',
      'card-news_notice',
      '<div class="card-image" style="aspect-ratio: 2.25">',
      '<div class="card-vertical-title">周四 14:00</div>',
      'card-button_interaction',
      'data-action="button" data-key="accept">接受</button>',
      'data-action="button" data-key="decline">拒绝</button>',
      'card-vote_interaction',
      '<input type="checkbox" name="day" value="fri" checked><span>周五</span>',
      'data-action="submit" data-key="vote">投票</button>',
      'card-multiple_interaction',
      '<select name="score"',
      '<option value="s1" >强烈推荐</option>',
      'data-action="submit" data-key="score">提交评分</button>',
    ];
    let from = 0;
    for (const part of expected) {
      const at = page.indexOf(part, from);
      expect(at, `${part} (in order)`).toBeGreaterThanOrEqual(0);
      from = at;
    }
  });
});

describe('the page', () => {
  it('lists members with Chinese and English names, in either language, with a strict CSP', async () => {
    const response = await fetch(new URL('/console/?userid=zhangwei', emu.url));
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('成员控制台');
    expect(page).toMatch(/<span class="member-name">[^<]+<\/span>\s*<span class="member-sub">[A-Za-z]+ [A-Za-z]+ · /);
    // The OAuth forms open the emulator's own "sign in as…" pages.
    for (const [action, fields] of [
      ['/connect/oauth2/authorize', { response_type: 'code', scope: 'snsapi_base' }],
      ['/wwlogin/sso/login', { login_type: 'CorpApp' }],
    ] as const) {
      expect(page).toContain(`action="${action}"`);
      const url = new URL(action, emu.url);
      for (const [name, value] of Object.entries({ ...fields, appid: corpId, agentid: String(emu.agentId), redirect_uri: 'http://127.0.0.1:3000/cb', state: 'demo' })) url.searchParams.set(name, value);
      const signIn = await fetch(url);
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).toContain('Sign in as');
    }
    const english = await (await fetch(new URL('/console/?lang=en', emu.url))).text();
    expect(english).toContain('member console');
    expect(english).toContain('Choose a member on the left');
  });
});

describe('without a callback URL', () => {
  it('says so on the page, refuses card clicks with 409 and URL verification with a clear error', async () => {
    const bare = await startTestEmulator();
    try {
      const page = await (await fetch(new URL('/console/', bare.url))).text();
      expect(page).toContain('未配置回调 URL');
      const sent = await bare.send({ touser: 'zhangwei', msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: 't' }, task_id: 'x', action_menu: { action_list: [{ text: 'a', key: 'a' }] }, card_action: { type: 1, url: 'https://example.com' } } });
      const response = await fetch(new URL(clickPath('zhangwei', sent.msgid), bare.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'menu', key: 'a' }),
      });
      expect(response.status).toBe(409);
      await expect(bare.control.clickCard('zhangwei', String(sent.msgid), { action: 'menu', key: 'a' })).rejects.toThrow(/no callback URL is configured/);
      await expect(bare.control.verifyCallbackUrl()).rejects.toThrow(/no callback URL is configured/);
      expect(bare.control.callbackLog()).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});

describe('the console knows the app\'s address', () => {
  it('links to the app\'s home page (its real port) and shows redirect_uri examples on its origin', async () => {
    const own = await startTestEmulator({ corpId: 'wwconsoletest0002', app: { name: 'Pairview', homeUrl: 'http://localhost:3999/' } });
    try {
      const page = await (await fetch(new URL('/console/', own.url))).text();
      expect(page).toContain('<a class="button" href="http://localhost:3999/" target="_blank" rel="noopener">打开 Pairview ↗</a>');
      expect(page).toContain('placeholder="http://localhost:3999/oauth/callback"');
      expect(page).not.toContain(':3000');
    } finally {
      await own.close();
    }
  });
});
