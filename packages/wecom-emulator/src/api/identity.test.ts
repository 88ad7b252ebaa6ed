import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../config.ts';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const getuserinfo = async (code: string, token?: string, path = 'auth/getuserinfo') =>
  emu.call(`/cgi-bin/${path}`, { token: token ?? (await emu.token()), query: { code } });

/** Opens an OAuth page and picks a member, as the member would; returns the redirect Location. */
async function signIn(path: string, query: Record<string, string>, userid: string): Promise<{ status: number; location: string | null; html: string }> {
  const url = new URL(path, emu.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const page = await fetch(url);
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, location: null, html };
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams({ userid }), redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), html };
}

describe('auth/getuserinfo (§7.3, §7.5)', () => {
  it('exchanges a code once; reuse → 40029', async () => {
    const code = emu.control.oauthCode('lina');
    expect(await getuserinfo(code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'lina' });
    const again = await getuserinfo(code);
    expect(again.errcode).toBe(40029);
    expect(again.errmsg).toMatch(/^invalid code, hint: /);
  });

  it('codes expire after 5 minutes → 40029', async () => {
    const code = emu.control.oauthCode('lina');
    emu.control.advanceClock(300);
    expect((await getuserinfo(code)).errcode).toBe(40029);
  });

  it("codes are bound to their app: another app's token → 40029", async () => {
    const code = emu.control.oauthCode('lina');
    expect((await getuserinfo(code, await emu.token(DEMO.otherApp.secret))).errcode).toBe(40029);
    // The failed attempt did not use it up.
    expect((await getuserinfo(code)).errcode).toBe(0);
  });

  it('missing code → 41008', async () => {
    expect((await emu.call('/cgi-bin/auth/getuserinfo', { token: await emu.token() })).errcode).toBe(41008);
  });

  it('legacy user/getuserinfo answers with its own casing (UserId, DeviceId)', async () => {
    const body = await getuserinfo(emu.control.oauthCode('zhangwei'), undefined, 'user/getuserinfo');
    expect(body).toEqual({ errcode: 0, errmsg: 'ok', UserId: 'zhangwei', DeviceId: '' });
  });

  it('snsapi_privateinfo gives a user_ticket for auth/getuserdetail (§7.4)', async () => {
    const code = emu.control.oauthCode('lina', { scope: 'snsapi_privateinfo' });
    const info = await getuserinfo(code);
    expect(info).toMatchObject({ userid: 'lina', user_ticket: expect.any(String), expires_in: 1800 });
    const token = await emu.token();
    const detail = await emu.call('/cgi-bin/auth/getuserdetail', { token, body: { user_ticket: info.user_ticket } });
    expect(detail).toMatchObject({ errcode: 0, userid: 'lina', gender: '2', email: 'lina@pairview.example', mobile: expect.any(String) });
    const legacy = await emu.call('/cgi-bin/user/getuserdetail', { token, body: { user_ticket: info.user_ticket } });
    expect(legacy.userid).toBe('lina');
    emu.control.advanceClock(1800);
    expect((await emu.call('/cgi-bin/auth/getuserdetail', { token, body: { user_ticket: info.user_ticket } })).errcode).toBe(40029);
  });
});

describe('OAuth pages (§7.1, §7.2)', () => {
  const authorize = {
    appid: DEMO.corpId,
    redirect_uri: 'http://127.0.0.1:3000/auth/wecom?next=%2Fhome',
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'xyz123',
    agentid: String(DEMO.agentId),
  };

  it('in-client authorize shows "sign in as…" and redirects with code and state', async () => {
    const { status, location, html } = await signIn('/connect/oauth2/authorize', authorize, 'lina');
    expect(html).toContain('Sign in as');
    expect(html).toContain('李娜');
    expect(html).toContain('Na Li');
    expect(status).toBe(302);
    const target = new URL(location!);
    expect(`${target.origin}${target.pathname}`).toBe('http://127.0.0.1:3000/auth/wecom');
    expect(target.searchParams.get('next')).toBe('/home');
    expect(target.searchParams.get('state')).toBe('xyz123');
    expect(await getuserinfo(target.searchParams.get('code')!)).toMatchObject({ errcode: 0, userid: 'lina' });
  });

  it('web login (wwlogin/sso/login) does the same, and can be cancelled', async () => {
    const query = { login_type: 'CorpApp', appid: DEMO.corpId, agentid: String(DEMO.agentId), redirect_uri: 'http://localhost:5173/cb', state: 's1' };
    const { location } = await signIn('/wwlogin/sso/login', query, 'zhangwei');
    const code = new URL(location!).searchParams.get('code')!;
    expect(await getuserinfo(code)).toMatchObject({ userid: 'zhangwei' });
    const url = new URL('/wwlogin/sso/login', emu.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const cancelled = await fetch(url, { method: 'POST', body: new URLSearchParams({ cancel: '1' }), redirect: 'manual' });
    const target = new URL(cancelled.headers.get('location')!);
    expect(target.searchParams.has('code')).toBe(false);
    expect(target.searchParams.get('state')).toBe('s1');
  });

  it('refuses bad parameters with a page that says what to fix', async () => {
    const bad = async (path: string, query: Record<string, string>, pattern: RegExp) => {
      const result = await signIn(path, query, 'lina');
      expect(result.status).toBe(400);
      expect(result.html).toMatch(pattern);
    };
    await bad('/connect/oauth2/authorize', { ...authorize, appid: 'wwother' }, /appid must be the CorpID/);
    await bad('/connect/oauth2/authorize', { ...authorize, redirect_uri: 'not a url' }, /redirect_uri must be/);
    await bad('/connect/oauth2/authorize', { ...authorize, response_type: 'token' }, /response_type/);
    await bad('/connect/oauth2/authorize', { ...authorize, scope: 'snsapi_all' }, /scope/);
    await bad('/connect/oauth2/authorize', { ...authorize, agentid: '42' }, /agentid/);
    await bad('/wwlogin/sso/login', { login_type: 'CorpApp', appid: DEMO.corpId, redirect_uri: 'http://x.example/' }, /agentid is required/);
  });

  it('checks trusted domains (host and port) when configured', async () => {
    const strict = await startTestEmulator({ app: { trustedDomains: ['127.0.0.1:3000'] } });
    try {
      const url = new URL('/connect/oauth2/authorize', strict.url);
      for (const [k, v] of Object.entries({ ...authorize, redirect_uri: 'http://127.0.0.1:3001/cb' })) url.searchParams.set(k, v);
      const response = await fetch(url);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('not a trusted domain');
      url.searchParams.set('redirect_uri', 'http://127.0.0.1:3000/cb');
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('escapes member names in the page', async () => {
    emu.control.loadDirectory({ departments: [{ id: 1, name: 'R', parentid: 0 }], users: [{ userid: 'x1', name: '<script>alert(1)</script>', department: [1] }] });
    const { html } = await signIn('/connect/oauth2/authorize', authorize, 'x1');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('JS-SDK tickets (§10)', () => {
  it('get_jsapi_ticket and ticket/get?type=agent_config; same ticket while valid', async () => {
    const token = await emu.token();
    const corp = await emu.call('/cgi-bin/get_jsapi_ticket', { token });
    expect(corp).toMatchObject({ errcode: 0, ticket: expect.any(String), expires_in: 7200 });
    expect((await emu.call('/cgi-bin/get_jsapi_ticket', { token })).ticket).toBe(corp.ticket);
    const agent = await emu.call('/cgi-bin/ticket/get', { token, query: { type: 'agent_config' } });
    expect(agent).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(agent.ticket).not.toBe(corp.ticket);
    emu.control.advanceClock(7200);
    expect((await emu.call('/cgi-bin/get_jsapi_ticket', { token: await emu.token() })).ticket).not.toBe(corp.ticket);
  });

  it('a bad type → 91040', async () => {
    const token = await emu.token();
    expect((await emu.call('/cgi-bin/ticket/get', { token, query: { type: 'jsapi' } })).errcode).toBe(91040);
    expect((await emu.call('/cgi-bin/ticket/get', { token })).errcode).toBe(91040);
  });

  it('100 app tickets per hour → 45009', async () => {
    const limited = await startTestEmulator({ limits: { agentTicketPerHourPerApp: 2 } });
    try {
      const token = await limited.token();
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await limited.call('/cgi-bin/ticket/get', { token, query: { type: 'agent_config' } })).errcode);
      expect(codes).toEqual([0, 0, 45009]);
    } finally {
      await limited.close();
    }
  });
});

describe('getcallbackip (§6.11)', () => {
  it('lists the addresses callbacks come from', async () => {
    expect(await emu.call('/cgi-bin/getcallbackip', { token: await emu.token() })).toEqual({ errcode: 0, errmsg: 'ok', ip_list: ['127.0.0.1'] });
    expect(await emu.call('/cgi-bin/getcallbackip', { token: 'bad' })).toMatchObject({ errcode: 40014, ip_list: [] });
  });
});
