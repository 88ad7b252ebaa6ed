/**
 * Signing in with WeCom (wecom-protocol.md §7), the only way into Pairview:
 *
 *   GET /auth/wecom/start?redirect=<path>[&mode=web|client]
 *     a single-use `state` (auth/oauth-states.ts, 10 min) that remembers the path and is bound to this browser
 *     (the nonce of its sign-in cookie, SIGN_IN_COOKIE: login CSRF), then a redirect to WeCom: the
 *     in-client authorize page (§7.1, silent inside the WeCom app — its browser says `wxwork` in the user agent) or
 *     the web-login page (§7.2, QR code or one click in the desktop client). `mode` overrides the guess.
 *   GET /auth/wecom/callback?code&state
 *     consumes the state (only from the browser that started it), exchanges the code (auth/getuserinfo, §7.3),
 *     refuses outsiders and people Pairview's directory does not have (or has deactivated), else ends the
 *     browser's previous session, sets a new session cookie and redirects to the saved path.
 *
 * Both are public (policy `public`): they are how one gets a session. WeCom builds every link in its messages
 * through the start route (deps.ts links.signInThenGo), so a tap inside WeCom lands on the page signed in.
 * The OAuth pages are WeCom's, or the emulator's in development: the client's oauthBaseUrl/loginBaseUrl say which.
 */
import { WeComError } from '@pairview/wecom';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext, AppPlugin } from '../../context.ts';
import { OAUTH_STATE_TTL_MS, consumeOAuthState, createOAuthState, newBrowserNonce } from '../../auth/oauth-states.ts';
import { publicAccess } from '../../auth/policies.ts';
import { setSessionCookie } from '../../auth/routes.ts';
import { endSession, sessionCookieName, signInAs } from '../../auth/sessions.ts';
import { InvalidRequestError } from '../../errors.ts';
import { RATE_LIMITS } from '../../http/rate-limits.ts';
import type { WeComGlueDeps } from '../deps.ts';
import { sendProblemPage, type ProblemDetail, type SignInProblem } from './page.ts';
import { sameSitePath } from './redirect.ts';

export const START_PATH = '/auth/wecom/start';
export const CALLBACK_PATH = '/auth/wecom/callback';
/**
 * The starting browser's nonce: sent back only to /auth/wecom (its path), SameSite=Lax so WeCom's redirect back
 * (a top-level navigation) carries it, alive as long as a state. One nonce serves every sign-in this browser
 * starts meanwhile (two tabs), and a finished sign-in clears it.
 */
export const SIGN_IN_COOKIE = 'pairview_signin';

export type OAuthDeps = Pick<WeComGlueDeps, 'client' | 'config' | 'db' | 'clock' | 'log'>;

const startQuery = z.object({
  redirect: z.string().optional(),
  mode: z.enum(['web', 'client']).optional(),
});

const callbackQuery = z.object({
  // §7.1: code ≤ 512 bytes; state is ours (a-zA-Z0-9). Absent code: the member cancelled the web login (§7.2).
  code: z.string().max(512).optional(),
  state: z.string().max(128).optional(),
});

/** WeCom's built-in browser: its user agent carries `wxwork/<version>` (the in-client OAuth page works only there). */
export function isWeComBrowser(userAgent: string | undefined): boolean {
  return /\bwxwork\//i.test(userAgent ?? '');
}

export function createOAuthPlugin(deps: OAuthDeps): AppPlugin {
  const { client, config, db, clock, log } = deps;
  const redirectUri = new URL(CALLBACK_PATH, config.publicUrl).toString();
  const startHref = (path: string) => `${START_PATH}?redirect=${encodeURIComponent(path)}`;
  const problem = (reply: FastifyReply, status: number, kind: SignInProblem, options: { detail?: ProblemDetail; retry?: string } = {}) =>
    sendProblemPage(reply, {
      status,
      problem: kind,
      locale: config.locale,
      retryHref: startHref(options.retry ?? '/'),
      ...(options.detail !== undefined ? { detail: options.detail } : {}),
    });

  return (app: FastifyInstance, context: AppContext) => {
    app.route({
      method: 'GET',
      url: START_PATH,
      config: {
        policy: publicAccess,
        summary: 'Sign in with WeCom: redirect to WeCom\'s in-client or web-login (QR) page (`?redirect=<path>&mode=`)',
        rateLimit: RATE_LIMITS.signIn,
      },
      handler: async (request, reply) => {
        const query = startQuery.safeParse(request.query ?? {});
        if (!query.success) {
          return problem(reply, 400, 'bad_request', {
            detail: { en: 'Use ?redirect=<path on Pairview>&mode=web|client.', zh: '请使用 ?redirect=<Pairview 站内路径>&mode=web|client。' },
          });
        }
        let redirectTo: string;
        try {
          redirectTo = sameSitePath(query.data.redirect, config.publicUrl);
        } catch (error) {
          if (error instanceof InvalidRequestError) return problem(reply, 400, 'bad_request', { detail: { en: error.message, zh: error.messageZh } });
          throw error;
        }
        const browserNonce = request.cookies[SIGN_IN_COOKIE] || newBrowserNonce();
        const state = await createOAuthState(db, clock, { purpose: 'sign_in', redirectTo, browserNonce });
        reply.setCookie(SIGN_IN_COOKIE, browserNonce, {
          httpOnly: true,
          sameSite: 'lax',
          secure: config.publicUrl.protocol === 'https:',
          path: '/auth/wecom',
          maxAge: OAUTH_STATE_TTL_MS / 1000,
        });
        const inClient = query.data.mode ? query.data.mode === 'client' : isWeComBrowser(request.headers['user-agent']);
        const target = inClient
          ? client.oauth.authorizeUrl({ redirectUri, state })
          : client.oauth.webLoginUrl({ redirectUri, state, lang: config.locale });
        return reply.header('cache-control', 'no-store').redirect(target, 302);
      },
    });

    app.route({
      method: 'GET',
      url: CALLBACK_PATH,
      config: {
        policy: publicAccess,
        summary: 'WeCom sends the member back here (`?code&state`): session cookie, then the saved page',
        rateLimit: RATE_LIMITS.signIn,
      },
      handler: async (request, reply) => {
        // The code must not travel on in a Referer header, nor the answer sit in a cache.
        reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
        const query = callbackQuery.safeParse(request.query ?? {});
        if (!query.success || !query.data.state) return problem(reply, 400, 'state');

        let redirectTo: string;
        try {
          const saved = await consumeOAuthState(db, clock, query.data.state, request.cookies[SIGN_IN_COOKIE]);
          if (saved.purpose !== 'sign_in') return problem(reply, 400, 'state');
          redirectTo = saved.redirectTo;
        } catch (error) {
          if (error instanceof InvalidRequestError) return problem(reply, 400, 'state');
          throw error;
        }
        if (!query.data.code) return problem(reply, 400, 'cancelled', { retry: redirectTo });

        let userId: string;
        try {
          const identity = await client.oauth.getUserInfo(query.data.code);
          if (identity.kind === 'outsider') return problem(reply, 403, 'outsider');
          userId = identity.userId;
        } catch (error) {
          // 40029: the code is single use and lives 5 minutes (§7.5).
          if (error instanceof WeComError && error.errcode === 40029) return problem(reply, 400, 'code', { retry: redirectTo });
          log.warn(`WeCom sign-in: the code exchange failed: ${error instanceof Error ? error.message : String(error)}`);
          return problem(reply, 502, 'wecom_unavailable', { retry: redirectTo });
        }

        const person = await db.selectFrom('people').select('active').where('wecom_userid', '=', userId).executeTakeFirst();
        if (!person) return problem(reply, 403, 'not_in_directory');
        if (!person.active) return problem(reply, 403, 'deactivated');
        // Whoever was signed in in this browser before is signed out: one browser, one session.
        const sessionCookie = request.cookies[sessionCookieName(config.publicUrl)];
        const previous = sessionCookie ? request.unsignCookie(sessionCookie) : undefined;
        if (previous?.valid && previous.value) await endSession(db, previous.value);
        const session = await signInAs(db, userId, { clock, ttlHours: config.sessionTtlHours, userAgent: request.headers['user-agent'] });
        setSessionCookie(reply, session, context);
        reply.clearCookie(SIGN_IN_COOKIE, { path: '/auth/wecom', httpOnly: true, sameSite: 'lax', secure: config.publicUrl.protocol === 'https:' });
        return reply.redirect(redirectTo, 302);
      },
    });
  };
}
