import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../config.ts';
import { ERRMSG_FORMAT, startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const gettoken = (query: Record<string, string>) => emu.call('/cgi-bin/gettoken', { query });

describe('gettoken (§2)', () => {
  it('issues a token with expires_in 7200 for the demo company', async () => {
    const body = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.secret });
    expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{32,512}$/);
  });

  it('checks corpsecret before corpid, then the corpid, then the secret', async () => {
    expect((await gettoken({})).errcode).toBe(41004);
    expect((await gettoken({ corpid: DEMO.corpId })).errcode).toBe(41004);
    expect((await gettoken({ corpsecret: DEMO.secret })).errcode).toBe(41002);
    expect((await gettoken({ corpid: 'wwunknown', corpsecret: DEMO.secret })).errcode).toBe(40013);
    expect((await gettoken({ corpid: DEMO.corpId, corpsecret: 'wrong' })).errcode).toBe(40001);
  });

  it('answers errors in the current errmsg format with hint and caller ip', async () => {
    const body = await gettoken({ corpid: 'wwunknown', corpsecret: DEMO.secret });
    const match = ERRMSG_FORMAT.exec(body.errmsg);
    expect(match?.[1]).toBe('invalid corpid');
    expect(match?.[3]).toBe('127.0.0.1');
    expect(match?.[4]).toBe('40013');
    expect(body).not.toHaveProperty('access_token');
  });

  it('returns the same token while it is valid and a new one after expiry', async () => {
    const first = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.secret });
    emu.control.advanceClock(7000);
    const second = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.secret });
    expect(second.access_token).toBe(first.access_token);
    expect(second.expires_in).toBe(7200);
    emu.control.advanceClock(200);
    const third = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.secret });
    expect(third.access_token).not.toBe(first.access_token);
  });

  it('gives each app and the contact-sync secret its own token', async () => {
    const app = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.secret });
    const other = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.otherApp.secret });
    const sync = await gettoken({ corpid: DEMO.corpId, corpsecret: DEMO.contactSyncSecret });
    expect(new Set([app.access_token, other.access_token, sync.access_token]).size).toBe(3);
  });
});

describe('access_token on API calls (§1.2, §2)', () => {
  const ping = (query: Record<string, string>, init?: RequestInit) => {
    const url = new URL('/cgi-bin/message/send', emu.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return fetch(url, { method: 'POST', body: '{}', ...init }).then((r) => r.json() as Promise<{ errcode: number }>);
  };

  it('is read from the query string only: a header or body token is ignored → 41001', async () => {
    const token = await emu.token();
    expect((await ping({})).errcode).toBe(41001);
    expect((await ping({}, { headers: { authorization: `Bearer ${token}` } })).errcode).toBe(41001);
    expect((await ping({}, { body: JSON.stringify({ access_token: token }) })).errcode).toBe(41001);
    expect((await ping({}, { headers: { access_token: token, cookie: `access_token=${token}` } })).errcode).toBe(41001);
    const form = await fetch(new URL('/cgi-bin/message/send', emu.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${token}` });
    expect(((await form.json()) as { errcode: number }).errcode).toBe(41001);
    const get = await fetch(new URL('/cgi-bin/user/get?userid=lina', emu.url), { headers: { authorization: `Bearer ${token}`, access_token: token } });
    expect(((await get.json()) as { errcode: number }).errcode).toBe(41001);
    // The same token in the query string works.
    expect((await ping({ access_token: token }, { body: JSON.stringify({ touser: 'lina', msgtype: 'text', agentid: emu.agentId, text: { content: 'x' } }) })).errcode).toBe(0);
  });

  it('unknown → 40014; expired → 42001; revoked → 40014', async () => {
    expect((await ping({ access_token: 'not-a-token' })).errcode).toBe(40014);
    const token = await emu.token();
    emu.control.advanceClock(7200);
    expect((await ping({ access_token: token })).errcode).toBe(42001);
    const fresh = await emu.token();
    emu.control.revokeTokens();
    expect((await ping({ access_token: fresh })).errcode).toBe(40014);
    // After a revoke, gettoken issues a new working token.
    expect(await emu.token()).not.toBe(fresh);
  });
});

describe('token options', () => {
  it('--token-ttl changes expires_in and the lifetime', async () => {
    const short = await startTestEmulator({ tokenTtlSeconds: 60 });
    try {
      const body = await short.call('/cgi-bin/gettoken', { query: { corpid: short.corpId, corpsecret: short.secret } });
      expect(body.expires_in).toBe(60);
      short.control.advanceClock(60);
      const send = await short.call('/cgi-bin/message/send', { token: body.access_token as string, body: {} });
      expect(send.errcode).toBe(42001);
    } finally {
      await short.close();
    }
  });

  it('can answer 40014 for expired tokens and the remaining seconds as expires_in (§12.1, §12.2)', async () => {
    const other = await startTestEmulator({ behaviour: { expiredTokenErrcode: 40014, tokenExpiresIn: 'remaining' }, now: () => 1_700_000_000_000 });
    try {
      const first = await other.call('/cgi-bin/gettoken', { query: { corpid: other.corpId, corpsecret: other.secret } });
      other.control.advanceClock(1000);
      const again = await other.call('/cgi-bin/gettoken', { query: { corpid: other.corpId, corpsecret: other.secret } });
      expect(again.expires_in).toBe(6200);
      other.control.advanceClock(6200);
      expect((await other.call('/cgi-bin/message/send', { token: first.access_token as string, body: {} })).errcode).toBe(40014);
    } finally {
      await other.close();
    }
  });

  it('refuses valid tokens from outside the trusted IPs with 60020 (§7.5), but fake tokens get 40014 first', async () => {
    const strict = await startTestEmulator({ app: { trustedIps: ['10.0.0.1'] } });
    try {
      const token = await strict.token();
      expect((await strict.call('/cgi-bin/message/send', { token, body: {} })).errcode).toBe(60020);
      expect((await strict.call('/cgi-bin/message/send', { token: 'fake', body: {} })).errcode).toBe(40014);
    } finally {
      await strict.close();
    }
  });
});
