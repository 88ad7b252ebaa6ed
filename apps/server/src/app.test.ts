import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../test/helpers.ts';
import { publicAccess } from './auth/policies.ts';

describe('the app', () => {
  let database: MigratedTestDatabase;
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_app');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('/healthz reports the database, and WeCom as not configured until the glue says otherwise', async () => {
    const app = await buildTestApp(database);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', database: { status: 'ok' }, wecom: { status: 'not_configured' } });
    await app.close();

    const failing = await buildTestApp(database, {
      wecomStatus: async () => {
        throw new Error('gettoken: errcode 40001 invalid credential');
      },
    });
    expect((await failing.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'degraded',
      database: { status: 'ok' },
      wecom: { status: 'error', mode: 'emulator', message: 'gettoken: errcode 40001 invalid credential' },
    });
    await failing.close();
  });

  it('answers bad input with a 400 that says what to fix, and hides what went wrong inside a 500', async () => {
    const app = await buildTestApp(database, {
      plugins: [
        (instance) => {
          instance.get('/api/boom', { config: { policy: publicAccess } }, async () => {
            throw new Error('connection to 10.0.0.5 refused: password=hunter2');
          });
        },
      ],
    });
    try {
      const person = await createPerson(database.db, { roles: ['recruiter'] });
      const cookie = await sessionCookie(app, database.db, person.id);
      const badJson = await app.inject({
        method: 'POST',
        url: '/api/interviews',
        headers: { cookie, 'content-type': 'application/json' },
        payload: '{"candidate":',
      });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json().error).toBe('invalid_request');

      const boom = await app.inject({ method: 'GET', url: '/api/boom' });
      expect(boom.statusCode).toBe(500);
      expect(boom.json()).toEqual({
        error: 'internal',
        code: 'internal',
        message: 'Something went wrong on our side; it has been logged. Try again later.',
        messageZh: '服务器出错了，已记录下来，请稍后重试。',
      });
      expect(boom.body).not.toMatch(/hunter2|10\.0\.0\.5/);

      expect((await app.inject({ method: 'GET', url: '/api/nothing-here' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('sets an httpOnly, SameSite=Lax session cookie, Secure and __Host- on https, and clears it on sign-out', async () => {
    const { setSessionCookie } = await import('./auth/routes.ts');
    const { createSession } = await import('./auth/sessions.ts');
    const { testConfig } = await import('../test/helpers.ts');
    const person = await createPerson(database.db);
    for (const [publicUrl, secure, name] of [
      ['http://localhost:3000', false, 'pairview_session'],
      ['https://pairview.example.com', true, '__Host-pairview_session'],
    ] as const) {
      const config = testConfig({ PAIRVIEW_PUBLIC_URL: publicUrl });
      const app = await buildTestApp(database, {
        config,
        plugins: [
          (instance, context) => {
            instance.post('/test/sign-in', { config: { policy: publicAccess } }, async (_request, reply) => {
              setSessionCookie(reply, await createSession(context.db, person.id, { clock: context.clock, ttlHours: 1 }), context);
              return { ok: true };
            });
          },
        ],
      });
      const signIn = await app.inject({ method: 'POST', url: '/test/sign-in' });
      const setCookie = String(signIn.headers['set-cookie']);
      const attributes = setCookie.split('; ').slice(1);
      expect(setCookie.startsWith(`${name}=`)).toBe(true);
      expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax']));
      expect(attributes.some((a) => a.startsWith('Expires='))).toBe(true);
      expect(attributes.includes('Secure')).toBe(secure);
      const cookie = setCookie.split(';')[0]!;
      expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);

      const out = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } });
      expect(String(out.headers['set-cookie']).startsWith(`${name}=; `)).toBe(true);
      // The plain name is not read on https (a cookie set by a plain-http page or another subdomain).
      if (secure) expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookie.replace('__Host-', '') } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
      await app.close();
    }
  });
});
