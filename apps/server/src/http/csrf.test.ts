import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';

let database: MigratedTestDatabase;
let app: FastifyInstance;
let personId: string;

beforeAll(async () => {
  database = await createMigratedDatabase('pv_csrf');
  app = await buildTestApp(database);
  personId = (await createPerson(database.db, { name: 'Alice' })).id;
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const signedIn = async (cookie: string) => (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode === 200;

describe('cross-site request forgery', () => {
  it('refuses a state-changing request another site made the browser send, and changes nothing', async () => {
    const cookie = await sessionCookie(app, database.db, personId);
    // The test config's public URL is http://localhost:3000.
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }]) {
      const response = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, ...headers } });
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toMatchObject({ code: 'cross_site_request' });
      expect(response.json().messageZh).toContain('来自其他网站');
      expect(await signedIn(cookie)).toBe(true);
    }
  });

  it('lets Pairview\'s own pages through (same-origin, its public URL or the Host it was reached at), and non-browsers', async () => {
    for (const headers of [
      { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:3000' },
      { origin: 'http://localhost:3000' },
      { origin: 'http://pairview.internal:8080', host: 'pairview.internal:8080' },
      {},
    ]) {
      const cookie = await sessionCookie(app, database.db, personId);
      const response = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, ...headers } });
      expect(response.statusCode, JSON.stringify(headers)).toBe(200);
      expect(await signedIn(cookie)).toBe(false);
    }
    // Reading stays open to every site's links (GET is not state-changing).
    expect((await app.inject({ method: 'GET', url: '/healthz', headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(200);
  });

  it('reads JSON bodies only: text/plain (what a cross-site form or simple fetch can send) gets 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/api/room-links/${'A'.repeat(43)}/join`,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ name: 'x' }),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'unsupported_media_type' });
  });
});
