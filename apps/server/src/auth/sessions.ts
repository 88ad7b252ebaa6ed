/**
 * Sessions in PostgreSQL. The cookie holds a random id (signed with SESSION_SECRET); the table holds its SHA-256.
 * `signInAs` is what the WeCom OAuth callback calls once WeCom has told us who the user is.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { ForbiddenError } from '../errors.ts';
import { hashToken, newToken } from './tokens.ts';

export const SESSION_COOKIE = 'pairview_session';

/**
 * The cookie's name: on https, `__Host-` first, which browsers accept only with Secure, Path=/ and no Domain, so no
 * other host (a sibling subdomain) and no plain-http page can set or shadow it.
 */
export function sessionCookieName(publicUrl: URL): string {
  return publicUrl.protocol === 'https:' ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** A session not used for this long is over, whatever its expiry (a laptop left signed in on a shared desk). */
export const SESSION_IDLE_MS = 72 * 3600_000;
/** How stale `last_seen_at` may get: it is written at most this often per session, not on every request. */
export const SESSION_TOUCH_MS = 5 * 60_000;

export interface SessionOptions {
  clock: Clock;
  ttlHours: number;
  userAgent?: string | undefined;
}

export interface NewSession {
  /** The secret for the cookie; never stored or logged. */
  sessionId: string;
  personId: string;
  expiresAt: Date;
}

export async function createSession(db: Db, personId: string, options: SessionOptions): Promise<NewSession> {
  const sessionId = newToken();
  const expiresAt = new Date(options.clock.now().getTime() + options.ttlHours * 3600_000);
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashToken(sessionId),
      person_id: personId,
      created_at: options.clock.now(),
      last_seen_at: options.clock.now(),
      expires_at: expiresAt,
      user_agent: options.userAgent?.slice(0, 512) ?? null,
    })
    .execute();
  return { sessionId, personId, expiresAt };
}

/**
 * Signs in the WeCom member `wecomUserId` (as WeCom's OAuth `getuserinfo` returned it): a new session for an
 * active person in the directory. Someone WeCom knows but Pairview's directory does not (not synced yet, or
 * outside the app's visible range) is refused with a message that says so.
 */
export async function signInAs(db: Db, wecomUserId: string, options: SessionOptions): Promise<NewSession> {
  const person = await db
    .selectFrom('people')
    .select(['id', 'active'])
    .where('wecom_userid', '=', wecomUserId)
    .executeTakeFirst();
  if (!person) {
    throw new ForbiddenError({
      code: 'not_in_directory',
      en: 'Your WeCom account is not in Pairview\'s directory yet: ask an admin to sync the directory, or to add you to the app\'s visible range',
      zh: '你的企业微信账号还不在 Pairview 的通讯录中：请管理员同步通讯录，或把你加入应用的可见范围。',
    });
  }
  if (!person.active) {
    throw new ForbiddenError({
      code: 'account_deactivated',
      en: 'Your WeCom account is deactivated in Pairview\'s directory',
      zh: '你的企业微信账号在 Pairview 的通讯录中已停用。',
    });
  }
  return createSession(db, person.id, options);
}

/**
 * The person behind a session id, when the session exists, has not expired, was used within SESSION_IDLE_MS, and
 * the person is active. Marks the session seen (at most every SESSION_TOUCH_MS).
 */
export async function findSessionPerson(db: Db, sessionId: string, clock: Clock) {
  const now = clock.now();
  const idHash = hashToken(sessionId);
  const person = await db
    .selectFrom('sessions')
    .innerJoin('people', 'people.id', 'sessions.person_id')
    .selectAll('people')
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
    .where('people.active', '=', true)
    .executeTakeFirst();
  if (person) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .where('last_seen_at', '<', new Date(now.getTime() - SESSION_TOUCH_MS))
      .execute();
  }
  return person;
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hashToken(sessionId)).execute();
}

/** Ends every session of a person (deactivated in the directory). */
export async function endSessionsOf(db: Db, personId: string): Promise<void> {
  await db.deleteFrom('sessions').where('person_id', '=', personId).execute();
}

export async function deleteExpiredSessions(db: Db, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
