/** ContactsApi (§8) and OAuthApi (§7) against the emulator's demo company. */
import { loadDemoDirectory } from '@pairview/wecom-emulator';
import { describe, expect, it } from 'vitest';
import { WeComInvalidInputError, WeComPermissionError } from '../../src/errors.ts';
import { MessageValidationError } from '../../src/messages/checker.ts';
import { parseIdentity } from '../../src/resources/oauth.ts';
import { useEmulator } from './setup.ts';

const h = useEmulator();
const directory = loadDemoDirectory();

describe('ContactsApi', () => {
  it('lists departments, the whole tree or under one id', async () => {
    const contacts = h.client().contacts;
    const all = await contacts.listDepartments();
    expect(all.map((d) => d.id).sort((a, b) => a - b)).toEqual(directory.departments.map((d) => d.id).sort((a, b) => a - b));
    expect(all.find((d) => d.id === 2)).toMatchObject({ id: 2, name: '工程部', name_en: 'Engineering', parentid: 1, department_leader: ['zhangwei'] });
    const engineering = await contacts.listDepartments(2);
    expect(engineering.map((d) => d.id).sort()).toEqual([2, 3, 4]);
    expect(h.emu.control.calls({ path: '/cgi-bin/department/list' }).map((c) => c.query.id)).toEqual([undefined, '2']);
  });

  it('lists department ids (simplelist) and gets one department', async () => {
    const contacts = h.client().contacts;
    const ids = await contacts.listDepartmentsSimple(2);
    expect(ids).toContainEqual({ id: 3, parentid: 2, order: 80 });
    expect(await contacts.getDepartment(4)).toMatchObject({ id: 4, name: '后端组', parentid: 2 });
    await expect(contacts.getDepartment(999)).rejects.toMatchObject({ errcode: 60003 });
  });

  it('gets a member, case-insensitively, and says 60111 for an unknown one', async () => {
    const contacts = h.client().contacts;
    const user = await contacts.getUser('ZhouQiang');
    expect(user).toMatchObject({ userid: 'zhouqiang', department: [2, 4] });
    expect(user).not.toHaveProperty('errcode');
    const error = await contacts.getUser('nobody').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComInvalidInputError);
    expect(error).toMatchObject({ errcode: 60111 });
  });

  it('lists the members of a department, simple and detailed', async () => {
    const contacts = h.client().contacts;
    const expected = directory.users.filter((u) => u.department.includes(3)).map((u) => u.userid).sort();
    const simple = await contacts.listUsersSimple(3);
    expect(simple.map((u) => u.userid).sort()).toEqual(expected);
    expect(Object.keys(simple[0]!).sort()).toEqual(['department', 'name', 'userid']);
    const detailed = await contacts.listUsers(3);
    expect(detailed.map((u) => u.userid).sort()).toEqual(expected);
    expect(detailed[0]).toHaveProperty('status');
  });

  it('refuses a department id that is not a positive integer, without calling WeCom', async () => {
    await expect(h.client().contacts.listUsers(0)).rejects.toThrow(MessageValidationError);
    expect(h.emu.control.calls()).toEqual([]);
  });

  it('iterates user/list_id page by page with the contact-sync secret (agentId 0: not an app)', async () => {
    const sync = h.client({ secret: h.emu.contactSyncSecret, agentId: 0 });
    const rows = [];
    for await (const row of sync.contacts.listUserIds({ limit: 5 })) rows.push(row);
    const expected = directory.users.flatMap((u) => u.department.map((department) => ({ userid: u.userid, department })));
    expect(rows).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => `${r.userid}/${r.department}`))).toEqual(new Set(expected.map((r) => `${r.userid}/${r.department}`)));
    const calls = h.emu.control.calls({ path: '/cgi-bin/user/list_id' });
    expect(calls).toHaveLength(Math.ceil(expected.length / 5));
    expect(calls[0]!.body).toEqual({ limit: 5 });
    expect((calls[1]!.body as { cursor: string }).cursor).toEqual(expect.any(String));
  });

  it('user/list_id with the app secret is WeCom\'s 48002 (§8)', async () => {
    const iterator = h.client().contacts.listUserIds();
    await expect(iterator.next()).rejects.toBeInstanceOf(WeComPermissionError);
  });
});

describe('OAuthApi', () => {
  const redirectUri = 'https://pairview.example/auth/wecom?next=%2Finterviews';

  it('signs in through the in-client authorize page the emulator serves, then exchanges the code', async () => {
    const client = h.client({ oauthBaseUrl: h.emu.url });
    const state = client.oauth.createState();
    const url = client.oauth.authorizeUrl({ redirectUri, state, scope: 'snsapi_privateinfo' });
    expect(url.endsWith('#wechat_redirect')).toBe(true);
    // A browser never sends the fragment.
    const pageUrl = url.slice(0, url.indexOf('#'));
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('zhangwei');

    const chosen = await fetch(pageUrl, { method: 'POST', body: new URLSearchParams({ userid: 'zhangwei' }), redirect: 'manual' });
    expect(chosen.status).toBe(302);
    const back = new URL(chosen.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://pairview.example/auth/wecom');
    expect(back.searchParams.get('next')).toBe('/interviews');
    expect(back.searchParams.get('state')).toBe(state);

    const identity = await client.oauth.getUserInfo(back.searchParams.get('code')!);
    expect(identity).toEqual({ kind: 'member', userId: 'zhangwei', userTicket: expect.any(String) });
    const detail = await client.oauth.getUserDetail((identity as { userTicket: string }).userTicket);
    expect(detail).toMatchObject({ userId: 'zhangwei', gender: expect.any(String), qrCode: expect.stringContaining('zhangwei') });
  });

  it('signs in through the web-login page (login_type CorpApp)', async () => {
    const client = h.client({ loginBaseUrl: h.emu.url });
    const state = client.oauth.createState();
    const url = client.oauth.webLoginUrl({ redirectUri, state, lang: 'en' });
    expect(url.startsWith(`${h.emu.url}/wwlogin/sso/login?login_type=CorpApp&appid=${h.emu.corpId}&agentid=${h.emu.agentId}&`)).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    const chosen = await fetch(url, { method: 'POST', body: new URLSearchParams({ userid: 'lina' }), redirect: 'manual' });
    const code = new URL(chosen.headers.get('location')!).searchParams.get('code')!;
    expect(await client.oauth.getUserInfo(code)).toEqual({ kind: 'member', userId: 'lina' });
  });

  it('a code is single use (40029)', async () => {
    const client = h.client();
    const code = h.emu.control.oauthCode('wangfang');
    expect(await client.oauth.getUserInfo(code)).toEqual({ kind: 'member', userId: 'wangfang' });
    await expect(client.oauth.getUserInfo(code)).rejects.toMatchObject({ errcode: 40029 });
    expect(h.emu.control.calls({ path: '/cgi-bin/auth/getuserinfo' })).toHaveLength(2);
  });

  it('reads the legacy user/getuserinfo casing (UserId) the same way', async () => {
    const client = h.client();
    const code = h.emu.control.oauthCode('lina');
    const raw = await client.call<{ errcode: number; errmsg: string; UserId?: string }>({ method: 'GET', path: '/cgi-bin/user/getuserinfo', query: { code } });
    expect(raw.UserId).toBe('lina');
    expect(parseIdentity(raw)).toEqual({ kind: 'member', userId: 'lina' });
  });
});
