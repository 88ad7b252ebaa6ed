import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import { ConfigError } from '../config.ts';

let database: MigratedTestDatabase;
let app: FastifyInstance;
let https: FastifyInstance;

beforeAll(async () => {
  database = await createMigratedDatabase('pv_headers');
  app = await buildTestApp(database);
  https = await buildTestApp(database, { config: testConfig({ PAIRVIEW_PUBLIC_URL: 'https://pairview.example.com', SESSION_SECRET: 's'.repeat(40) }) });
});
afterAll(async () => {
  await app?.close();
  await https?.close();
  await database?.drop();
});

describe('security headers', () => {
  it('API answers with personal data are never cached, sniffed or framed', async () => {
    const person = await createPerson(database.db, { name: 'Alice' });
    const response = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: await sessionCookie(app, database.db, person.id) } });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "frame-ancestors 'none'",
      'referrer-policy': 'same-origin',
    });
    expect(response.headers['strict-transport-security']).toBeUndefined();
    // Errors too.
    expect((await app.inject({ method: 'GET', url: '/api/me' })).headers['cache-control']).toBe('no-store');
  });

  it('over https, Strict-Transport-Security', async () => {
    expect((await https.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security']).toBe('max-age=31536000');
  });
});

describe('PAIRVIEW_TRUST_PROXY', () => {
  it('believes no proxy unless told which', () => {
    expect(testConfig().trustProxy).toBe(false);
    expect(testConfig({ PAIRVIEW_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(testConfig({ PAIRVIEW_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(() => testConfig({ PAIRVIEW_TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
  });
});
