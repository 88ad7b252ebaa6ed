import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberPrincipal } from '../auth/principal.ts';
import { createInterview } from '../interviews/service.ts';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { RATE_LIMITS } from './rate-limits.ts';

let database: MigratedTestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createMigratedDatabase('pv_rate_limits');
  app = await buildTestApp(database);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('rate limits', () => {
  it('a flood of candidate links from one address is cut off before the links are even looked up', async () => {
    const { max } = RATE_LIMITS.candidateLink;
    const statuses: number[] = [];
    for (let i = 0; i <= max; i++) {
      const response = await app.inject({ method: 'GET', url: `/api/room-links/${String(i).padStart(43, 'A')}`, remoteAddress: '198.51.100.7' });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json()).toMatchObject({ error: 'too_many_requests', code: 'rate_limited' });
        expect(response.json().messageZh).toContain(`每分钟最多 ${max} 次`);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.slice(0, max).every((s) => s === 403)).toBe(true);
    expect(statuses[max]).toBe(429);
    // Another address is not affected.
    expect((await app.inject({ method: 'GET', url: `/api/room-links/${'B'.repeat(43)}`, remoteAddress: '198.51.100.8' })).statusCode).toBe(403);
  });

  it('code run on the server is counted per person, whatever address they come from', async () => {
    const recruiterRow = await createPerson(database.db, { roles: ['recruiter'] });
    const recruiter: MemberPrincipal = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter']) };
    const [alice, bob] = [await createPerson(database.db), await createPerson(database.db)];
    const clock = { now: () => new Date() };
    const { interviewId } = await createInterview({ db: database.db, clock }, recruiter, {
      candidate: { name: '王芳' },
      position: 'Backend engineer',
      startsAt: new Date(Date.now() + 3600_000),
      durationMinutes: 60,
      interviewerIds: [alice.id, bob.id],
    });
    const run = async (cookie: string, remoteAddress: string) =>
      (await app.inject({ method: 'POST', url: `/api/interviews/${interviewId}/room/execute`, headers: { cookie }, remoteAddress, payload: { language: 'java', code: 'x' } })).statusCode;
    const aliceCookie = await sessionCookie(app, database.db, alice.id);
    const { max } = RATE_LIMITS.serverRun;
    // The room has not started: each is refused (409) and still counted.
    for (let i = 0; i < max; i++) expect(await run(aliceCookie, `203.0.113.${i % 5}`)).toBe(409);
    expect(await run(aliceCookie, '203.0.113.99')).toBe(429);
    expect(await run(await sessionCookie(app, database.db, bob.id), '203.0.113.1')).toBe(409);
  });
});
