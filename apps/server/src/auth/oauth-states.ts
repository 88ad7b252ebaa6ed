/**
 * The `state` parameter of a WeCom OAuth round trip (wecom-protocol.md, OAuth): created per request, stored,
 * consumed once before it expires. It binds the callback to a sign-in we started, in the browser that started it
 * (the nonce of that browser's sign-in cookie, kept hashed), and carries where to go next.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { OAuthPurpose } from '../db/schema.ts';
import { InvalidRequestError } from '../errors.ts';
import { hashToken } from './tokens.ts';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** Only same-site paths: an open redirect after sign-in would hand a session to anyone's page. */
export function safeRedirect(to: string | undefined): string {
  if (!to || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return '/';
  return to;
}

/** A new browser nonce for the sign-in cookie: random, and only its hash is stored. */
export function newBrowserNonce(): string {
  return randomBytes(24).toString('base64url');
}

export async function createOAuthState(
  db: Db,
  clock: Clock,
  options: { purpose: OAuthPurpose; redirectTo?: string | undefined; browserNonce: string },
): Promise<string> {
  // WeCom passes `state` back verbatim; it allows a-zA-Z0-9 and at most 128 bytes (wecom-protocol.md, OAuth).
  const state = randomBytes(24).toString('hex');
  const now = clock.now();
  await db
    .insertInto('oauth_states')
    .values({
      state,
      purpose: options.purpose,
      redirect_to: safeRedirect(options.redirectTo),
      created_at: now,
      expires_at: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
      browser_hash: hashToken(options.browserNonce),
    })
    .execute();
  return state;
}

/**
 * Marks the state used and returns it; unknown, expired or already used states are refused, and so is a state
 * brought by another browser than the one that started the sign-in (`browserNonce` from its cookie). A refused
 * state stays unused, so its own browser can still finish.
 */
export async function consumeOAuthState(
  db: Db,
  clock: Clock,
  state: string,
  browserNonce: string | undefined,
): Promise<{ purpose: OAuthPurpose; redirectTo: string }> {
  const now = clock.now();
  const row = browserNonce
    ? await db
        .updateTable('oauth_states')
        .set({ used_at: now })
        .where('state', '=', state)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .where('browser_hash', '=', hashToken(browserNonce))
        .returning(['purpose', 'redirect_to'])
        .executeTakeFirst()
    : undefined;
  if (!row) {
    throw new InvalidRequestError({
      code: 'oauth_state_invalid',
      en: 'This sign-in link has expired, was already used, or was started in another browser: start the sign-in again here',
      zh: '这个登录链接已过期、已使用过，或是在另一个浏览器中发起的，请在此重新登录。',
    });
  }
  return { purpose: row.purpose, redirectTo: row.redirect_to };
}

/** Deletes states past their expiry, used or not: nothing can consume them any more. Returns how many. */
export async function deleteExpiredOAuthStates(db: Db, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('oauth_states').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
