/**
 * Sign-in with WeCom end to end: Pairview listening on port 0, the emulator's OAuth pages ("sign in as…") as
 * WeCom's, followed the way a browser would (redirects read by hand, the form posted).
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthState } from '../../auth/oauth-states.ts';
import { runDirectorySync } from '../directory/sync.ts';
import { startGlueHarness, type GlueHarness } from '../inbound/test-harness.ts';
import { sendProblemPage } from './page.ts';
import { sameSitePath } from './redirect.ts';
import { SIGN_IN_COOKIE, createOAuthPlugin } from './plugin.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
const WECOM = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh';

describe('sign in with WeCom', () => {
  let h: GlueHarness;

  beforeAll(async () => {
    h = await startGlueHarness('pv_oauth');
    await h.serve([createOAuthPlugin(h.deps)]);
    await runDirectorySync(h.deps);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The sign-in cookie (SIGN_IN_COOKIE) of "this browser": what start() set, sent back to Pairview's callback. */
  let browser = '';
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url.startsWith('/') ? `${h.url}${url}` : url, { redirect: 'manual', headers });
  const location = (response: Response) => response.headers.get('location') ?? '';
  const cookiesOf = (response: Response) => response.headers.getSetCookie();

  async function start(redirect: string, userAgent = CHROME, mode?: string) {
    const response = await get(`/auth/wecom/start?redirect=${encodeURIComponent(redirect)}${mode ? `&mode=${mode}` : ''}`, { 'user-agent': userAgent, ...(browser ? { cookie: browser } : {}) });
    expect(response.status).toBe(302);
    const set = cookiesOf(response).find((c) => c.startsWith(`${SIGN_IN_COOKIE}=`));
    expect(set).toMatch(/; Max-Age=600; Path=\/auth\/wecom; HttpOnly; SameSite=Lax$/);
    browser = set!.split(';')[0]!;
    return new URL(location(response));
  }

  /** Follows Pairview's callback URL from this browser: the session cookie and where it sends the browser. */
  async function finish(callbackUrl: string, extraCookie?: string) {
    const response = await get(callbackUrl, { 'user-agent': CHROME, cookie: [browser, extraCookie].filter(Boolean).join('; ') });
    const cookie = cookiesOf(response).find((c) => c.startsWith('pairview_session=')) ?? '';
    return { response, cookie, sessionCookie: cookie.split(';')[0]! };
  }

  /** The whole sign-in as `userid` in this browser (with `sessionCookie` already set, if given). */
  async function finishAs(userid: string, sessionCookie?: string) {
    const login = await start('/');
    const chosen = await fetch(login, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ userid }) });
    return finish(location(chosen), sessionCookie);
  }

  async function me(sessionCookie: string) {
    const response = await get('/api/me', { cookie: sessionCookie });
    return { status: response.status, body: (await response.json()) as { wecomUserId?: string } };
  }

  it('in a browser: the web-login (QR) page, "sign in as…", then signed in on the saved page', async () => {
    const login = await start('/interviews/42?tab=scorecards');
    expect(`${login.origin}${login.pathname}`).toBe(`${h.emu.url}/wwlogin/sso/login`);
    expect(Object.fromEntries(login.searchParams)).toMatchObject({
      login_type: 'CorpApp',
      appid: h.emu.corpId,
      agentid: String(h.emu.agentId),
      redirect_uri: `${h.url}/auth/wecom/callback`,
      lang: 'zh',
    });
    expect(login.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{32,128}$/);

    const page = await get(login.toString());
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lina');
    const chosen = await fetch(login, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ userid: 'lina' }) });
    expect(chosen.status).toBe(302);
    expect(location(chosen).startsWith(`${h.url}/auth/wecom/callback?`)).toBe(true);

    const { response, cookie, sessionCookie } = await finish(location(chosen));
    expect(response.status).toBe(302);
    expect(location(response)).toBe('/interviews/42?tab=scorecards');
    expect(cookie).toMatch(/^pairview_session=.+; .*HttpOnly/i);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await me(sessionCookie)).toEqual({ status: 200, body: expect.objectContaining({ wecomUserId: 'lina' }) });
  });

  it('inside WeCom: the in-client authorize page, then signed in', async () => {
    const authorize = await start('/interviews/7/room', WECOM);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${h.emu.url}/connect/oauth2/authorize`);
    expect(authorize.hash).toBe('#wechat_redirect');
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ appid: h.emu.corpId, response_type: 'code', scope: 'snsapi_base', agentid: String(h.emu.agentId) });

    // The member taps "sign in as 陈杰" on the emulator's page.
    const chosen = await fetch(authorize, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ userid: 'chenjie' }) });
    const { response, sessionCookie } = await finish(location(chosen));
    expect(response.status).toBe(302);
    expect(location(response)).toBe('/interviews/7/room');
    expect((await me(sessionCookie)).body.wecomUserId).toBe('chenjie');
  });

  it('mode overrides the user agent', async () => {
    expect((await start('/', CHROME, 'client')).pathname).toBe('/connect/oauth2/authorize');
    expect((await start('/', WECOM, 'web')).pathname).toBe('/wwlogin/sso/login');
    expect((await get('/auth/wecom/start?mode=phone')).status).toBe(400);
  });

  it('refuses a state that is reused, unknown, missing or expired, with a page that says to start again', async () => {
    const login = await start('/');
    const state = login.searchParams.get('state')!;
    const code = h.emu.control.oauthCode('wangfang');
    const first = await finish(`/auth/wecom/callback?code=${code}&state=${state}`);
    expect(first.response.status).toBe(302);

    const replay = await get(`/auth/wecom/callback?code=${code}&state=${state}`, { cookie: browser });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('set-cookie')).toBeNull();
    const body = await replay.text();
    expect(body).toContain('此登录链接已过期、已被使用，或是在另一个浏览器中发起的，请在这里重新登录');
    expect(body).toContain('href="/auth/wecom/start?redirect=%2F"');
    // In both languages, Pairview's locale (zh) first.
    expect(body).toContain('<html lang="zh-CN">');
    expect(body.indexOf('<section lang="zh-CN">')).toBeLessThan(body.indexOf('<section lang="en">'));
    expect(body).toContain('This sign-in link has expired, was already used, or was started in another browser: start the sign-in again here.');
    expect(body).toContain('>Sign in again</a>');

    expect((await get(`/auth/wecom/callback?code=${h.emu.control.oauthCode('wangfang')}&state=${'a'.repeat(48)}`, { cookie: browser })).status).toBe(400);
    expect((await get(`/auth/wecom/callback?code=${h.emu.control.oauthCode('wangfang')}`, { cookie: browser })).status).toBe(400);

    const nonce = browser.slice(SIGN_IN_COOKIE.length + 1);
    const stale = await createOAuthState(h.database.db, { now: () => new Date(Date.now() - 11 * 60_000) }, { purpose: 'sign_in', redirectTo: '/', browserNonce: nonce });
    expect((await get(`/auth/wecom/callback?code=${h.emu.control.oauthCode('wangfang')}&state=${stale}`, { cookie: browser })).status).toBe(400);
  });

  it('login CSRF: a finished callback URL opened in another browser signs no one in, and ends nothing; its own browser still can', async () => {
    // The attacker signs in with his own account in his browser, and stops at WeCom's redirect back.
    const login = await start('/my');
    const attackersBrowser = browser;
    const chosen = await fetch(login, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ userid: 'liuyang' }) });
    const callbackUrl = location(chosen);

    // The victim's browser: signed in as herself, with no sign-in cookie of the attacker's.
    const victim = (await finishAs('lina')).sessionCookie;
    for (const cookie of [victim, `${victim}; ${SIGN_IN_COOKIE}=${'x'.repeat(32)}`]) {
      const refused = await get(callbackUrl, { cookie });
      expect(refused.status).toBe(400);
      expect(cookiesOf(refused).filter((c) => c.startsWith('pairview_session='))).toEqual([]);
      expect(await refused.text()).toContain('在另一个浏览器中发起');
    }
    expect((await me(victim)).body.wecomUserId).toBe('lina');

    browser = attackersBrowser;
    const own = await finish(callbackUrl);
    expect(own.response.status).toBe(302);
    expect((await me(own.sessionCookie)).body.wecomUserId).toBe('liuyang');
  });

  it('signing in ends the session this browser had before, and clears the sign-in cookie', async () => {
    const first = await finishAs('lina');
    const second = await finishAs('chenjie', first.sessionCookie);
    expect((await me(second.sessionCookie)).body.wecomUserId).toBe('chenjie');
    expect((await me(first.sessionCookie)).status).toBe(401);
    expect(cookiesOf(second.response).find((c) => c.startsWith(`${SIGN_IN_COOKIE}=;`))).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('refuses a WeCom code that was already used (40029), and a cancelled web login', async () => {
    const code = h.emu.control.oauthCode('liuyang');
    const once = (await start('/')).searchParams.get('state')!;
    expect((await finish(`/auth/wecom/callback?code=${code}&state=${once}`)).response.status).toBe(302);
    const again = (await start('/schedule')).searchParams.get('state')!;
    const reused = await get(`/auth/wecom/callback?code=${code}&state=${again}`, { cookie: browser });
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('href="/auth/wecom/start?redirect=%2Fschedule"');

    const login = await start('/');
    const cancelled = await fetch(login, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ cancel: '1' }) });
    const answer = await get(location(cancelled), { cookie: browser });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('已在企业微信中取消登录');
  });

  it('refuses members Pairview\'s directory does not have, or has deactivated, with 403 and no session', async () => {
    await h.database.db.deleteFrom('people').where('wecom_userid', '=', 'xuming').execute();
    await h.database.db.updateTable('people').set({ active: false }).where('wecom_userid', '=', 'hezhen').execute();
    for (const [userid, text] of [
      ['xuming', '尚未同步到 Pairview 通讯录'],
      ['hezhen', '已停用'],
    ] as const) {
      const state = (await start('/')).searchParams.get('state')!;
      const refused = await get(`/auth/wecom/callback?code=${h.emu.control.oauthCode(userid)}&state=${state}`, { cookie: browser });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await refused.text()).toContain(text);
    }
  });

  it('refuses an open redirect and creates no state for it', async () => {
    const count = async () => (await h.database.db.selectFrom('oauth_states').select('state').execute()).length;
    const before = await count();
    for (const redirect of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', 'evil', 'http:/evil.example']) {
      const response = await get(`/auth/wecom/start?redirect=${encodeURIComponent(redirect)}`);
      expect(response.status, redirect).toBe(400);
      expect(location(response)).toBe('');
      const page = await response.text();
      expect(page).toContain('redirect must be a path on Pairview');
      expect(page).toContain('redirect 必须是 Pairview 站内的路径');
    }
    expect(await count()).toBe(before);
  });
});

describe('sameSitePath', () => {
  const site = new URL('https://pairview.example.com');
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/interviews/42/room', '/interviews/42/room'],
    ['/a/../schedule?x=1#top', '/schedule?x=1#top'],
    ['/%0a', '/%0a'], // percent-encoded characters stay encoded in the path: harmless
  ])('%j → %j', (input, expected) => {
    expect(sameSitePath(input, site)).toBe(expected);
  });
  it.each(['https://pairview.example.com.evil.example/', '//evil.example', '/\\evil', '\n/x', '/\t/evil', 'x'])('refuses %j', (input) => {
    expect(() => sameSitePath(input, site)).toThrow(/redirect must be a path on Pairview/);
  });
});

describe('the sign-in problem page', () => {
  it('is in both languages, the configured locale first', async () => {
    const app = Fastify();
    app.get('/:locale', (request, reply) =>
      sendProblemPage(reply, {
        status: 403,
        problem: 'deactivated',
        locale: (request.params as { locale: 'zh' | 'en' }).locale,
        retryHref: '/auth/wecom/start?redirect=%2F',
        detail: { en: 'Detail <b>.', zh: '详情 <b>。' },
      }),
    );
    try {
      const en = await app.inject('/en');
      expect(en.statusCode).toBe(403);
      expect(en.body).toContain('<html lang="en">');
      expect(en.body.indexOf('Your WeCom account is deactivated')).toBeLessThan(en.body.indexOf('你的企业微信账号在 Pairview 通讯录中已停用'));
      expect(en.body).toContain('Detail &#60;b&#62;.');
      expect(en.body).toContain('详情 &#60;b&#62;。');
      expect(en.body).toContain('<title>Could not sign you in to Pairview · 无法登录 Pairview</title>');
      const zh = await app.inject('/zh');
      expect(zh.body.indexOf('你的企业微信账号在 Pairview 通讯录中已停用')).toBeLessThan(zh.body.indexOf('Your WeCom account is deactivated'));
    } finally {
      await app.close();
    }
  });
});
