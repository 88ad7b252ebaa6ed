import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, createMigratedDatabase, createPerson, type MigratedTestDatabase } from '../../test/helpers.ts';
import { consumeOAuthState, createOAuthState, newBrowserNonce, safeRedirect } from './oauth-states.ts';
import { SESSION_IDLE_MS, SESSION_TOUCH_MS, createSession, deleteExpiredSessions, endSession, findSessionPerson, signInAs } from './sessions.ts';
import { hashToken } from './tokens.ts';

describe('sessions and OAuth states', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_sessions');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('signs in a directory member: only the hash of the session id is stored, and it expires', async () => {
    const person = await createPerson(database.db, { wecomUserId: 'zhangsan' });
    const session = await signInAs(database.db, 'zhangsan', { clock, ttlHours: 1, userAgent: 'wxwork' });
    const rows = await database.db.selectFrom('sessions').selectAll().where('person_id', '=', person.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toEqual(hashToken(session.sessionId));
    expect(rows[0]!.id_hash.toString('utf8')).not.toContain(session.sessionId);
    expect((await findSessionPerson(database.db, session.sessionId, clock))?.id).toBe(person.id);

    clock.advance(3600_000);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeUndefined();
    expect(await deleteExpiredSessions(database.db, clock)).toBeGreaterThanOrEqual(1);
  });

  it('refuses someone the directory does not know, or who is deactivated', async () => {
    await expect(signInAs(database.db, 'nobody', { clock, ttlHours: 1 })).rejects.toThrow(/not in Pairview's directory yet/);
    await createPerson(database.db, { wecomUserId: 'gone', active: false });
    await expect(signInAs(database.db, 'gone', { clock, ttlHours: 1 })).rejects.toThrow(/deactivated/);
  });

  it('ends a session on sign-out', async () => {
    await createPerson(database.db, { wecomUserId: 'lisi' });
    const session = await signInAs(database.db, 'lisi', { clock, ttlHours: 1 });
    await endSession(database.db, session.sessionId);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeUndefined();
  });

  it('ends a session unused for SESSION_IDLE_MS, whatever its expiry; use keeps it alive (written at most every SESSION_TOUCH_MS)', async () => {
    const person = await createPerson(database.db);
    const session = await createSession(database.db, person.id, { clock, ttlHours: 24 * 14 });
    const lastSeen = async () => (await database.db.selectFrom('sessions').select('last_seen_at').where('person_id', '=', person.id).executeTakeFirstOrThrow()).last_seen_at.getTime();
    const seenAt = await lastSeen();
    clock.advance(SESSION_TOUCH_MS / 2);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeDefined();
    expect(await lastSeen()).toBe(seenAt); // not written again so soon
    clock.advance(SESSION_IDLE_MS - SESSION_TOUCH_MS);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeDefined();
    expect(await lastSeen()).toBe(clock.now().getTime());
    clock.advance(SESSION_IDLE_MS + 1000);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeUndefined();
  });

  it('uses an OAuth state once, before it expires, only from the browser that started it, and keeps redirects on this site', async () => {
    const nonce = newBrowserNonce();
    const state = await createOAuthState(database.db, clock, { purpose: 'sign_in', redirectTo: '/interviews/1', browserNonce: nonce });
    expect(state).toMatch(/^[a-f0-9]{48}$/);
    // Another browser (a colleague given the finished callback URL), or none: refused, and the state stays usable.
    await expect(consumeOAuthState(database.db, clock, state, newBrowserNonce())).rejects.toThrow(/started in another browser/);
    await expect(consumeOAuthState(database.db, clock, state, undefined)).rejects.toThrow(/started in another browser/);
    expect(await consumeOAuthState(database.db, clock, state, nonce)).toEqual({ purpose: 'sign_in', redirectTo: '/interviews/1' });
    await expect(consumeOAuthState(database.db, clock, state, nonce)).rejects.toThrow(/expired, was already used/);

    const late = await createOAuthState(database.db, clock, { purpose: 'join', redirectTo: 'https://evil.example/', browserNonce: nonce });
    clock.advance(11 * 60_000);
    await expect(consumeOAuthState(database.db, clock, late, nonce)).rejects.toThrow(/expired, was already used/);

    expect(['//evil.example', '/\\evil', 'https://evil.example', '/ok?x=1'].map(safeRedirect)).toEqual(['/', '/', '/', '/ok?x=1']);
  });
});
