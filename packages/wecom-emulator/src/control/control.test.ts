import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, loadDemoDirectory } from '../config.ts';
import { ControlError } from './control.ts';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
});
afterAll(() => emu?.close());

const text = { msgtype: 'text', text: { content: 'hi' }, touser: 'lina' };
const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as any };
};

describe('calls()', () => {
  it('records every API call with credentials masked', async () => {
    const token = await emu.token();
    await emu.send(text, token);
    const calls = emu.control.calls();
    expect(calls.map((c) => [c.method, c.path, c.errcode, c.httpStatus])).toEqual([
      ['GET', '/cgi-bin/gettoken', 0, 200],
      ['POST', '/cgi-bin/message/send', 0, 200],
    ]);
    expect(calls[0]!.query).toEqual({ corpid: DEMO.corpId, corpsecret: '***' });
    expect(calls[1]!.query).toEqual({ access_token: '***' });
    expect(calls[1]!.body).toMatchObject({ msgtype: 'text', touser: 'lina' });
    expect(JSON.stringify(calls)).not.toContain(token);
    expect(JSON.stringify(calls)).not.toContain(DEMO.secret);
  });

  it('filters by path and since (a seq)', async () => {
    const token = await emu.token();
    await emu.send(text, token);
    const [first] = emu.control.calls({ path: '/cgi-bin/message/send' });
    await emu.send(text, token);
    expect(emu.control.calls({ path: '/cgi-bin/message/send', since: first!.seq })).toHaveLength(1);
    const http = await control('GET', `calls?path=${encodeURIComponent('/cgi-bin/message/send')}&since=${first!.seq}`);
    expect(http.body).toHaveLength(1);
  });
});

describe('injectFault', () => {
  it('serves a sequence of errcodes, one per call, then behaves normally', async () => {
    const token = await emu.token();
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [-1, 45033] });
    const first = await emu.send(text, token);
    expect(first.errcode).toBe(-1);
    expect(first.errmsg).toMatch(/^system busy, hint: \[\d{25}\]/);
    expect((await emu.send(text, token)).errcode).toBe(45033);
    expect((await emu.send(text, token)).errcode).toBe(0);
    // Faulted calls did nothing.
    expect(emu.control.messages()).toHaveLength(1);
  });

  it('takes `times`, and a path without /cgi-bin/', async () => {
    const token = await emu.token();
    emu.control.injectFault({ path: 'message/send', errcodes: [40014], times: 2 });
    expect((await emu.send(text, token)).errcode).toBe(40014);
    expect((await emu.send(text, token)).errcode).toBe(40014);
    expect((await emu.send(text, token)).errcode).toBe(0);
  });

  it('answers an HTTP status with an nginx body', async () => {
    emu.control.injectFault({ path: '/cgi-bin/gettoken', httpStatus: 502 });
    const response = await fetch(`${emu.url}/cgi-bin/gettoken?corpid=${emu.corpId}&corpsecret=${emu.secret}`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('502 Bad Gateway');
    expect(emu.control.calls({ path: '/cgi-bin/gettoken' })[0]).toMatchObject({ httpStatus: 502, errcode: null });
  });

  it('drops the connection after reading the request', async () => {
    const token = await emu.token();
    emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true });
    await expect(emu.send(text, token)).rejects.toThrow();
    expect(emu.control.messages()).toHaveLength(0);
    expect(emu.control.calls({ path: '/cgi-bin/message/send' })[0]).toMatchObject({ errcode: null, httpStatus: 0 });
    expect((await emu.send(text, token)).errcode).toBe(0);
  });

  it('adds latency', async () => {
    emu.control.injectFault({ path: '/cgi-bin/gettoken', latencyMs: 50 });
    const controller = AbortSignal.timeout(10);
    await expect(fetch(`${emu.url}/cgi-bin/gettoken?corpid=${emu.corpId}&corpsecret=${emu.secret}`, { signal: controller })).rejects.toThrow();
  });

  it('refuses a bad fault with a message that says what to fix', async () => {
    expect(() => emu.control.injectFault({ path: '' })).toThrow(ControlError);
    expect(() => emu.control.injectFault({ path: '/cgi-bin/message/send' })).toThrow(/at least one of/);
    expect(() => emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [] })).toThrow(/errcodes/);
    const http = await control('POST', 'faults', { path: '/cgi-bin/message/send', httpStatus: 42 });
    expect(http.status).toBe(400);
    expect(http.body.error).toMatch(/httpStatus/);
  });

  it('clearFaults removes pending faults (HTTP DELETE too)', async () => {
    const token = await emu.token();
    await control('POST', 'faults', { path: '/cgi-bin/message/send', errcodes: [-1] });
    await control('DELETE', 'faults');
    expect((await emu.send(text, token)).errcode).toBe(0);
  });
});

describe('tokens, clock, latency, reset over HTTP', () => {
  it('POST /_emulator/tokens/revoke → 40014', async () => {
    const token = await emu.token();
    expect((await control('POST', 'tokens/revoke')).status).toBe(200);
    expect((await emu.send(text, token)).errcode).toBe(40014);
  });

  it('POST /_emulator/clock/advance expires tokens → 42001, and refuses bad input', async () => {
    const token = await emu.token();
    expect((await control('POST', 'clock/advance', { seconds: 7200 })).status).toBe(200);
    expect((await emu.send(text, token)).errcode).toBe(42001);
    expect((await control('POST', 'clock/advance', { seconds: -1 })).status).toBe(400);
    expect((await control('POST', 'clock/advance', {})).status).toBe(400);
  });

  it('POST /_emulator/latency sets latency on every API call', async () => {
    expect((await control('POST', 'latency', { ms: 40 })).status).toBe(200);
    await expect(fetch(`${emu.url}/cgi-bin/gettoken`, { signal: AbortSignal.timeout(5) })).rejects.toThrow();
    expect((await control('POST', 'latency', { ms: 0 })).status).toBe(200);
    expect((await control('POST', 'latency', { ms: 'x' })).status).toBe(400);
  });

  it('reset clears tokens, messages, calls, faults and restores the directory', async () => {
    const token = await emu.token();
    await emu.send(text, token);
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [-1] });
    emu.control.loadDirectory({ departments: [{ id: 1, name: 'Tiny', parentid: 0 }], users: [{ userid: 'solo', name: 'Solo', department: [1] }] });
    expect((await control('POST', 'reset')).status).toBe(200);
    expect(emu.control.messages()).toEqual([]);
    expect(emu.control.calls()).toEqual([]);
    expect((await emu.send(text, token)).errcode).toBe(40014);
    expect((await emu.send(text)).errcode).toBe(0);
    expect(emu.state.directory.users()).toHaveLength(loadDemoDirectory().users.length);
  });
});

describe('directory, messages, oauth code over HTTP', () => {
  it('PUT /_emulator/directory replaces the directory; a bad one is refused and changes nothing', async () => {
    const directory = { departments: [{ id: 1, name: '总部', parentid: 0 }], users: [{ userid: 'Alice', name: '爱丽丝', department: [1] }] };
    expect((await control('PUT', 'directory', directory)).status).toBe(200);
    expect((await emu.send({ ...text, touser: 'alice|lina' })).invaliduser).toBe('lina');
    const bad = await control('PUT', 'directory', { departments: [{ id: 1, name: 'x', parentid: 0 }], users: [{ userid: 'bob', name: 'Bob', department: [9] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/user bob: department 9 does not exist/);
    expect(emu.state.directory.user('alice')).toBeDefined();
  });

  it('GET /_emulator/messages?userid= lists one member inbox', async () => {
    await emu.send({ ...text, touser: 'lina|zhangwei' });
    const http = await control('GET', 'messages?userid=LINA');
    expect(http.body).toHaveLength(1);
    expect(http.body[0]).toMatchObject({ userid: 'lina', msgtype: 'text', content: { content: 'hi' }, status: 'delivered' });
  });

  it('POST /_emulator/oauth/code mints a code for a member; unknown members are refused', async () => {
    const http = await control('POST', 'oauth/code', { userid: 'Lina' });
    expect(http.body.code).toEqual(expect.any(String));
    const info = await emu.call('/cgi-bin/auth/getuserinfo', { token: await emu.token(), query: { code: http.body.code } });
    expect(info).toMatchObject({ errcode: 0, userid: 'lina' });
    expect((await control('POST', 'oauth/code', { userid: 'ghost' })).status).toBe(400);
  });

  it('sendCallback without a callback URL is a clear error', async () => {
    await expect(emu.control.sendCallback({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'lina' })).rejects.toMatchObject({ name: 'CallbackNotConfiguredError' });
  });
});

describe('the HTTP control API is for this machine, not for web pages', () => {
  it('refuses another site\'s page (Origin) and a rebound host name (Host); a tool calling by IP or localhost is served', async () => {
    emu ??= await startTestEmulator();
    const { port } = new URL(emu.url);
    const { request } = await import('node:http');
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const call = request({ host: '127.0.0.1', port, path: '/_emulator/reset', method: 'POST', headers }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        call.on('error', reject);
        call.end();
      });
    const refusedOrigin = await post({ host: `127.0.0.1:${port}`, origin: 'https://evil.example' });
    expect(refusedOrigin.status).toBe(403);
    expect(refusedOrigin.body).toContain('cross-site request refused');
    const rebound = await post({ host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('by IP address or localhost');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect((await post({ host })).status, host).toBe(200);
    expect((await post({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });
});
