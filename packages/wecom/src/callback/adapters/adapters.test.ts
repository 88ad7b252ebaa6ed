import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPassiveReply, signCallback } from '../../testing/index.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from '../../testing/vectors.ts';
import type { CallbackEvent } from '../events.ts';
import { createCallbackHandler } from '../receiver.ts';
import { wecomCallbackPlugin } from './fastify.ts';
import { createNodeMiddleware } from './node.ts';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The same checks, run against each adapter. */
function adapterContract(name: string, setup: () => Promise<{ send(method: string, pathAndQuery: string, body?: string): Promise<Answer>; seen: CallbackEvent[]; close(): Promise<void> }>) {
  describe(name, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.close());

    const path = '/wecom/callback';
    const urlVerify = vectors.urlVerification.query;

    it('answers the §6.9 URL verification with 200 and the bare echostr', async () => {
      const answer = await ctx.send('GET', `${path}?${new URLSearchParams(urlVerify)}`);
      expect(answer).toMatchObject({ status: 200, body: vectors.urlVerification.plaintext });
    });

    it('keeps a raw "+" in echostr (a framework would read it as a space)', async () => {
      const raw = `${path}?msg_signature=${urlVerify.msg_signature}&timestamp=${urlVerify.timestamp}&nonce=${urlVerify.nonce}&echostr=${urlVerify.echostr}`;
      expect(await ctx.send('GET', raw)).toMatchObject({ status: 200, body: vectors.urlVerification.plaintext });
    });

    it('acknowledges the §6.9 POST with an empty 200 and runs the handler', async () => {
      const before = ctx.seen.length;
      const answer = await ctx.send('POST', `${path}?${new URLSearchParams(vectors.message.query)}`, vectors.message.body);
      expect(answer).toMatchObject({ status: 200, body: '' });
      expect(ctx.seen.slice(before)).toEqual([expect.objectContaining({ type: 'text', content: 'hello' })]);
    });

    it('answers with an encrypted passive reply when a handler replies', async () => {
      const signed = signCallback({ ...creds, event: { type: 'click', toUserName: creds.corpId, fromUserName: 'lisi', createTime: 1_700_000_000, agentId: 1, eventKey: 'PING' } });
      const answer = await ctx.send('POST', `${path}?${signed.search}`, signed.body);
      expect(answer.status).toBe(200);
      expect(String(answer.headers['content-type'])).toMatch(/xml/);
      expect(decryptPassiveReply(creds, answer.body)).toMatchObject({ toUserName: 'lisi', reply: { type: 'text', content: 'pong' } });
    });

    it('refuses a bad signature with 401 and a clear text, running no handler', async () => {
      const before = ctx.seen.length;
      const query = new URLSearchParams({ ...vectors.message.query, nonce: '1' });
      const answer = await ctx.send('POST', `${path}?${query}`, vectors.message.body);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatch(/msg_signature does not match/);
      expect(ctx.seen.length).toBe(before);
    });

    it('refuses missing parameters and a malformed body with 400', async () => {
      expect(await ctx.send('GET', path)).toMatchObject({ status: 400, body: expect.stringMatching(/msg_signature is missing/) });
      const answer = await ctx.send('POST', `${path}?${new URLSearchParams(vectors.message.query)}`, '<xml><Encrypt>');
      expect(answer).toMatchObject({ status: 400, body: expect.stringMatching(/not a WeCom callback envelope/) });
    });

    it('refuses a body over the cap with 413', async () => {
      const answer = await ctx.send('POST', `${path}?${new URLSearchParams(vectors.message.query)}`, `${vectors.message.body}${'x'.repeat(5000)}`);
      expect(answer.status).toBe(413);
      expect(answer.body).toMatch(/larger than 4096 bytes/);
    });

    it('answers 500 when a handler fails before the answer, so WeCom retries, and takes the retry in', async () => {
      const signed = signCallback({ ...creds, event: { type: 'click', toUserName: creds.corpId, fromUserName: 'lisi', createTime: 1_700_000_001, agentId: 1, eventKey: 'FAIL_ONCE' } });
      const first = await ctx.send('POST', `${path}?${signed.search}`, signed.body);
      expect(first.status).toBe(500);
      expect(first.body).toMatch(/not taken in/);
      const retry = await ctx.send('POST', `${path}?${signed.search}`, signed.body);
      expect(retry).toMatchObject({ status: 200, body: '' });
    });

    it('refuses other methods with 405', async () => {
      const answer = await ctx.send('PUT', path, 'x');
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, POST');
    });
  });
}

function makeReceiver() {
  const seen: CallbackEvent[] = [];
  const receiver = createCallbackHandler({ ...creds, maxBodyBytes: 4096, onError: () => {} });
  receiver.onAny((e) => void seen.push(e.event));
  receiver.on('click', 'PING', () => ({ type: 'text', content: 'pong' }));
  let failed = false;
  receiver.on('click', 'FAIL_ONCE', () => {
    if (failed) return;
    failed = true;
    throw new Error('could not store the callback');
  });
  return { receiver, seen };
}

adapterContract('createNodeMiddleware on a real node:http server', async () => {
  const { receiver, seen } = makeReceiver();
  const middleware = createNodeMiddleware(receiver, { path: '/wecom/callback' });
  const server: Server = createServer((req, res) => void middleware(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    send: (method, pathAndQuery, body) =>
      new Promise<Answer>((resolve, reject) => {
        // node:http rather than fetch: fetch would normalise the raw "+" the test sends on purpose.
        const req = httpRequest({ host: '127.0.0.1', port, method, path: pathAndQuery, headers: body ? { 'content-type': 'text/xml' } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        });
        req.on('error', reject);
        req.end(body);
      }),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await receiver.idle();
    },
  };
});

adapterContract('wecomCallbackPlugin on fastify', async () => {
  const { receiver, seen } = makeReceiver();
  const app = Fastify();
  await app.register(wecomCallbackPlugin, { receiver, path: '/wecom/callback' });
  await app.ready();
  return {
    seen,
    send: async (method, pathAndQuery, body) => {
      const res = await app.inject({ method: method as 'GET', url: pathAndQuery, ...(body !== undefined ? { payload: body, headers: { 'content-type': 'text/xml' } } : {}) });
      return { status: res.statusCode, body: res.body, headers: res.headers as Answer['headers'] };
    },
    close: async () => {
      await app.close();
      await receiver.idle();
    },
  };
});

describe('createNodeMiddleware routing', () => {
  it('passes other paths to next, or answers 404 without one', async () => {
    const { receiver } = makeReceiver();
    const middleware = createNodeMiddleware(receiver);
    let passed = 0;
    const server = createServer((req, res) => {
      void middleware(req, res, () => {
        passed += 1;
        res.end('app');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/other`);
    expect(await res.text()).toBe('app');
    expect(passed).toBe(1);
    server.closeAllConnections();
    server.close();

    const lone = createServer((req, res) => void createNodeMiddleware(receiver, { path: '/cb' })(req, res));
    lone.listen(0, '127.0.0.1');
    await once(lone, 'listening');
    const res404 = await fetch(`http://127.0.0.1:${(lone.address() as AddressInfo).port}/other`);
    expect(res404.status).toBe(404);
    lone.closeAllConnections();
    lone.close();
  });
});

describe('wecomCallbackPlugin body handling', () => {
  it('accepts a POST without a content type, and leaves the rest of the app its own parsers', async () => {
    const { receiver, seen } = makeReceiver();
    const app = Fastify();
    await app.register(wecomCallbackPlugin, { receiver });
    app.post('/json', async (request) => ({ echoed: request.body }));
    const url = `/wecom/callback?${new URLSearchParams(vectors.message.query)}`;
    const res = await app.inject({ method: 'POST', url, payload: Buffer.from(vectors.message.body) });
    expect(res.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    const json = await app.inject({ method: 'POST', url: '/json', payload: { a: 1 } });
    expect(json.json()).toEqual({ echoed: { a: 1 } });
    await app.close();
  });
});
