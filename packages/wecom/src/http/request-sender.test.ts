/**
 * The pipeline against the WeCom emulator: real HTTP, real token issuance and expiry, injected faults.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig, type WeComConfig } from '../config.ts';
import {
  WeComHttpError,
  WeComInvalidInputError,
  WeComNetworkError,
  WeComRateLimitError,
  WeComSystemBusyError,
  WeComTokenError,
} from '../errors.ts';
import { WeComEvents, type WeComEventMap } from '../events.ts';
import { MemoryRateLimiter } from '../limiter/memory.ts';
import { MemoryTokenStore } from '../token/memory-store.ts';
import { RequestSender, type RequestSenderOptions } from './request-sender.ts';
import type { ApiRequest, WeComResponse } from './types.ts';

let emu: Emulator;
let config: WeComConfig;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  config = resolveConfig({ corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, baseUrl: emu.url, timeoutMs: 2_000 });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.control.reset();
});

function sender(options: Partial<RequestSenderOptions> = {}) {
  const events = new WeComEvents();
  const seen: Array<[keyof WeComEventMap, unknown]> = [];
  for (const name of ['request', 'response', 'retry', 'token:refresh', 'token:invalidate', 'token:error', 'limiter:wait'] as const) {
    events.on(name, (payload: unknown) => seen.push([name, payload]));
  }
  const s = new RequestSender({ config, events, backoff: { baseMs: 1, capMs: 5 }, ...options });
  return { sender: s, seen };
}

const text = (content: string, extra: Record<string, unknown> = {}) => ({
  touser: 'zhangwei',
  msgtype: 'text',
  agentid: emu.agentId,
  text: { content },
  ...extra,
});
const send = (content: string, extra: Partial<ApiRequest> = {}, bodyExtra: Record<string, unknown> = {}): ApiRequest => ({
  method: 'POST',
  path: '/cgi-bin/message/send',
  body: text(content, bodyExtra),
  quotas: ['member:zhangwei'],
  ...extra,
});
const paths = () => emu.control.calls().map((c) => `${c.path}${c.errcode ? `:${c.errcode}` : ''}${c.httpStatus && c.httpStatus !== 200 ? `:http${c.httpStatus}` : ''}`);

describe('RequestSender against the emulator', () => {
  it('fetches the token once for 20 concurrent calls and sends it as a query parameter only', async () => {
    const { sender: s } = sender();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.call<WeComResponse & { msgid: string }>(send(`hello ${i}`))));
    expect(results.every((r) => r.errcode === 0 && typeof r.msgid === 'string')).toBe(true);
    const calls = emu.control.calls();
    expect(calls.filter((c) => c.path === '/cgi-bin/gettoken')).toHaveLength(1);
    expect(calls.filter((c) => c.path === '/cgi-bin/message/send' && c.errcode === 0)).toHaveLength(20);
    expect(calls.find((c) => c.path === '/cgi-bin/message/send')?.query.access_token).toBe('***');
    expect(emu.control.messages({ userid: 'zhangwei' })).toHaveLength(20);
  });

  it('on an expired token: invalidates it, fetches a new one and retries the call once', async () => {
    const { sender: s, seen } = sender();
    await s.call(send('first'));
    emu.control.advanceClock(7_300); // WeCom's token expired; the SDK's clock still thinks it fresh
    const result = await s.call(send('second'));
    expect(result.errcode).toBe(0);
    const log = paths();
    expect(log[0]).toBe('/cgi-bin/gettoken');
    expect(log.slice(2)).toEqual([expect.stringMatching(/^\/cgi-bin\/message\/send:(42001|40014)$/), '/cgi-bin/gettoken', '/cgi-bin/message/send']);
    expect(seen.filter(([n]) => n === 'token:invalidate')).toHaveLength(1);
    expect(seen.find(([n]) => n === 'retry')?.[1]).toMatchObject({ reason: 'token', attempt: 1 });
  });

  it('after revokeTokens (40014): one refresh for many concurrent calls', async () => {
    const { sender: s } = sender();
    await s.call(send('warm up'));
    emu.control.revokeTokens();
    const since = emu.control.calls().at(-1)!.seq;
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.call(send(`after revoke ${i}`))));
    const after = emu.control.calls({ since });
    expect(after.filter((c) => c.path === '/cgi-bin/gettoken')).toHaveLength(1);
    expect(after.filter((c) => c.path === '/cgi-bin/message/send' && c.errcode === 0)).toHaveLength(10);
  });

  it('retries a token error only once: a second 40014 is thrown', async () => {
    const { sender: s } = sender();
    await s.call(send('warm up'));
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [40014, 40014] });
    await expect(s.call(send('twice refused'))).rejects.toBeInstanceOf(WeComTokenError);
    expect(paths().slice(2)).toEqual(['/cgi-bin/message/send:40014', '/cgi-bin/gettoken', '/cgi-bin/message/send:40014']);
  });

  it.each([
    [-1, WeComSystemBusyError],
    [45009, WeComRateLimitError],
    [45033, WeComRateLimitError],
  ])('retries %i with backoff (even a once-only send: WeCom did nothing) and gives up after maxRetries', async (errcode, Class) => {
    const { sender: s, seen } = sender({ frequencyBlockMs: 0 });
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [errcode, errcode] });
    expect((await s.call(send('eventually'))).errcode).toBe(0);
    expect(seen.filter(([n]) => n === 'retry').map(([, p]) => p)).toEqual([
      expect.objectContaining({ reason: 'errcode', errcode, attempt: 1 }),
      expect.objectContaining({ reason: 'errcode', errcode, attempt: 2 }),
    ]);
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [errcode, errcode, errcode, errcode] });
    await expect(s.call(send('never'))).rejects.toBeInstanceOf(Class);
    expect(emu.control.calls({ path: '/cgi-bin/message/send' }).filter((c) => c.errcode === errcode)).toHaveLength(6);
  });

  it('after a 45009 the API waits out WeCom\'s block before the retry, for every caller sharing the limiter', async () => {
    const limiter = new MemoryRateLimiter();
    const { sender: s, seen } = sender({ limiter, frequencyBlockMs: 300 });
    const other = sender({ limiter }).sender;
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [45009] });
    const started = Date.now();
    const [first, second] = await Promise.all([s.call(send('blocked once')), new Promise((r) => setTimeout(r, 100)).then(() => other.call(send('during the block')))]);
    expect([first.errcode, second.errcode]).toEqual([0, 0]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const waits = seen.filter(([n]) => n === 'limiter:wait').map(([, p]) => (p as WeComEventMap['limiter:wait']).waitedMs);
    expect(waits.length).toBe(1);
    expect(waits[0]).toBeGreaterThanOrEqual(250);
    // Nothing went out during the block: one refused call, then the two sends.
    expect(emu.control.calls({ path: '/cgi-bin/message/send' }).map((c) => c.errcode)).toEqual([45009, 0, 0]);
  });

  it('retries HTTP 5xx for a read, not for a once-only send (it may have been forwarded)', async () => {
    const { sender: s } = sender();
    emu.control.injectFault({ path: '/cgi-bin/user/get', httpStatus: 502 });
    expect((await s.call({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'zhangwei' } })).errcode).toBe(0);
    emu.control.injectFault({ path: '/cgi-bin/message/send', httpStatus: 502 });
    const error = await s.call(send('once')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComHttpError);
    expect((error as WeComHttpError).status).toBe(502);
    expect(emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(1);
  });

  it('an unknown path is a 404 WeComHttpError, not retried', async () => {
    const { sender: s } = sender();
    const error = await s.call({ method: 'GET', path: '/cgi-bin/no/such/api' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComHttpError);
    expect((error as WeComHttpError).status).toBe(404);
    expect(emu.control.calls({ path: '/cgi-bin/no/such/api' })).toHaveLength(1);
  });

  it('a dropped connection on a once-only send is not retried: outcome unknown, sent once', async () => {
    const { sender: s } = sender();
    await s.call(send('warm up'));
    emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true });
    const error = await s.call(send('maybe')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComNetworkError);
    expect((error as WeComNetworkError).outcomeUnknown).toBe(true);
    expect(emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(2);
  });

  it('a dropped connection on a duplicate-checked send is retried, and the member gets the message once', async () => {
    const { sender: s } = sender();
    await s.call(send('warm up'));
    emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true });
    const result = await s.call(send('exactly once', { retry: 'duplicate-checked' }, { enable_duplicate_check: 1 }));
    expect(result.errcode).toBe(0);
    expect(emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(3);
    expect(emu.control.messages({ userid: 'zhangwei' }).filter((m) => JSON.stringify(m.content).includes('exactly once'))).toHaveLength(1);
  });

  it('refuses duplicate-checked without enable_duplicate_check: 1, before sending anything', async () => {
    const { sender: s } = sender();
    await expect(s.call(send('x', { retry: 'duplicate-checked' }))).rejects.toThrow(/needs enable_duplicate_check: 1/);
    expect(emu.control.calls()).toHaveLength(0);
  });

  it('a timeout is an unknown outcome: retried for a read, not for a once-only send', async () => {
    const quick = resolveConfig({ ...config, timeoutMs: 150 });
    const { sender: s } = sender({ config: quick });
    await s.call(send('warm up'));
    emu.control.injectFault({ path: '/cgi-bin/user/get', latencyMs: 600 });
    expect((await s.call({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'zhangwei' } })).errcode).toBe(0);
    emu.control.injectFault({ path: '/cgi-bin/message/send', latencyMs: 600 });
    const error = await s.call(send('slow')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComNetworkError);
    expect(error).toMatchObject({ timedOut: true, outcomeUnknown: true });
  });

  it('passes business errors through as typed errors with the response fields', async () => {
    const { sender: s } = sender();
    const error = await s.call({ method: 'POST', path: '/cgi-bin/message/send', body: { touser: 'nobody_here', msgtype: 'text', agentid: emu.agentId, text: { content: 'x' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComInvalidInputError);
    expect(error).toMatchObject({ errcode: 81013, path: '/cgi-bin/message/send' });
  });

  it('a wrong secret fails at gettoken with a message naming the settings, and is not retried', async () => {
    const { sender: s } = sender({ config: resolveConfig({ ...config, secret: 'wrong-secret' }) });
    const error = await s.call(send('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComTokenError);
    expect(error).toMatchObject({ path: '/cgi-bin/gettoken' });
    expect((error as Error).message).toContain('WECOM_SECRET');
    expect((error as Error).message).not.toContain('wrong-secret');
    expect(paths()).toEqual([expect.stringMatching(/^\/cgi-bin\/gettoken:4\d+$/)]);
  });

  it('uploads multipart forms', async () => {
    const { sender: s } = sender();
    const form = new FormData();
    form.append('media', new Blob([Buffer.from('hello world file')], { type: 'text/plain' }), 'hello.txt');
    const result = await s.call<WeComResponse & { media_id: string; type: string }>({
      method: 'POST',
      path: '/cgi-bin/media/upload',
      query: { type: 'file' },
      form,
      retry: 'idempotent',
    });
    expect(result).toMatchObject({ errcode: 0, type: 'file' });
    expect(result.media_id).toEqual(expect.any(String));
  });

  it('waits for member quota instead of letting WeCom drop the message, and says so in an event', async () => {
    const limiter = new MemoryRateLimiter({ rules: { api: [{ limit: 1_000, windowMs: 60_000 }], member: [{ limit: 2, windowMs: 300 }] } });
    const { sender: s, seen } = sender({ limiter });
    await Promise.all([s.call(send('1')), s.call(send('2')), s.call(send('3'))]);
    const waits = seen.filter(([n]) => n === 'limiter:wait').map(([, p]) => p as WeComEventMap['limiter:wait']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ path: '/cgi-bin/message/send', quotas: ['api:/cgi-bin/message/send', 'ip:/cgi-bin/message/send', 'member:zhangwei'] });
    expect(waits[0]!.waitedMs).toBeGreaterThan(0);
    expect(emu.control.messages({ userid: 'zhangwei' }).filter((m) => m.status === 'delivered')).toHaveLength(3);
  });

  it('an aborted call rejects with the reason and is not retried', async () => {
    const { sender: s, seen } = sender();
    await s.call(send('warm up'));
    emu.control.injectFault({ path: '/cgi-bin/user/get', latencyMs: 500 });
    const controller = new AbortController();
    const pending = s.call({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'zhangwei' }, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    await expect(pending).rejects.toThrow('client went away');
    expect(seen.filter(([n, p]) => n === 'request' && (p as { path: string }).path === '/cgi-bin/user/get')).toHaveLength(1);
    expect(seen.filter(([n]) => n === 'retry')).toHaveLength(0);
  });

  it('an abort during the backoff pause rejects with the caller\'s reason', async () => {
    const { sender: s, seen } = sender({ backoff: { baseMs: 20_000, capMs: 20_000 }, random: () => 0.99 });
    emu.control.injectFault({ path: '/cgi-bin/user/get', errcodes: [-1, -1] });
    const controller = new AbortController();
    const pending = s.call({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'zhangwei' }, signal: controller.signal });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => seen.some(([n]) => n === 'retry') && (clearInterval(check), resolve()), 5);
    });
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    expect(emu.control.calls({ path: '/cgi-bin/user/get' })).toHaveLength(1);
  });

  it('shares one token between senders through the store (two processes, one gettoken)', async () => {
    const store = new MemoryTokenStore();
    const a = sender({ store }).sender;
    const b = sender({ store }).sender;
    await Promise.all([a.call(send('from a')), b.call(send('from b'))]);
    expect(emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
  });

  it('never puts the token or the secret in events or errors', async () => {
    const { sender: s, seen } = sender();
    await s.call(send('warm up'));
    emu.control.revokeTokens();
    await s.call(send('refresh'));
    emu.control.injectFault({ path: '/cgi-bin/message/send', errcodes: [-1] });
    await s.call(send('retry'));
    const error = await s.call({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'no_such_user' } }).catch((e: unknown) => e);
    const token = await s.accessToken.get();
    const shown = JSON.stringify(seen) + String((error as Error).message) + JSON.stringify(error);
    expect(seen.length).toBeGreaterThan(10);
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(emu.secret);
  });
});

describe('RequestSender transport edges', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // Not WeCom: a server that answers HTTP 200 with HTML, as a captive portal or a misrouted proxy would.
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>portal</html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('a 200 whose body is not JSON is a WeComHttpError, not retried', async () => {
    const s = new RequestSender({ config: resolveConfig({ ...config, baseUrl: base }), backoff: { baseMs: 1, capMs: 2 } });
    const error = await s.call({ method: 'GET', path: '/cgi-bin/gettoken', auth: 'none' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComHttpError);
    expect((error as Error).message).toContain('not a JSON object');
  });

  it('connection refused means nothing was sent: retried even for a once-only send, then reported', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const events = new WeComEvents();
    const retries: unknown[] = [];
    events.on('retry', (p) => retries.push(p));
    const s = new RequestSender({ config: resolveConfig({ ...config, baseUrl: `http://127.0.0.1:${port}` }), events, backoff: { baseMs: 1, capMs: 2 } });
    const error = await s.call({ method: 'POST', path: '/cgi-bin/webhook/send', query: { key: 'k' }, auth: 'none', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: false, timedOut: false });
    expect((error as Error).message).toBe('request to /cgi-bin/webhook/send failed (ECONNREFUSED)');
    expect(retries).toHaveLength(3);
  });

  it.each([
    [{ method: 'PUT' }, /method must be GET or POST/],
    [{ path: 'cgi-bin/user/get' }, /documented API path/],
    [{ path: '/cgi-bin/user/get?userid=x' }, /no query string/],
    [{ body: {}, form: new FormData() }, /either body \(JSON\) or form/],
    [{ query: { access_token: 'x' } }, /access_token is added by the pipeline/],
  ])('refuses a malformed request %o before sending', async (override, message) => {
    const s = new RequestSender({ config: resolveConfig({ ...config, baseUrl: base }) });
    await expect(s.call({ method: 'GET', path: '/cgi-bin/user/get', ...(override as object) } as ApiRequest)).rejects.toThrow(message);
  });
});
