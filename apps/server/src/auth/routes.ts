/**
 * Who am I, and sign out. Signing IN happens through WeCom OAuth, whose routes the WeCom glue adds: it exchanges
 * the code for a user id with the SDK, then calls `signInAs` and `setSessionCookie` from here.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { route } from '../http/route.ts';
import { ROLES } from './principal.ts';
import { publicAccess, requireMember, signedIn } from './policies.ts';
import { endSession, sessionCookieName, type NewSession } from './sessions.ts';

/**
 * httpOnly (scripts cannot read it), SameSite=Lax (sent on top-level navigation from WeCom), Secure and `__Host-`
 * on https (sessionCookieName).
 */
export function setSessionCookie(reply: FastifyReply, session: NewSession, context: AppContext): void {
  reply.setCookie(sessionCookieName(context.config.publicUrl), session.sessionId, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: context.config.publicUrl.protocol === 'https:',
    path: '/',
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, context: AppContext): void {
  reply.clearCookie(sessionCookieName(context.config.publicUrl), { path: '/', httpOnly: true, sameSite: 'lax', secure: context.config.publicUrl.protocol === 'https:' });
}

export const meResponse = z.object({
  id: z.uuid(),
  wecomUserId: z.string(),
  name: z.string(),
  englishName: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  locale: z.enum(['zh', 'en']),
});

export function authRoutes(context: AppContext) {
  return [
    route({
      method: 'GET',
      url: '/api/me',
      summary: 'The signed-in member and their roles',
      policy: signedIn,
      response: meResponse,
      async handler({ principal }) {
        const me = requireMember(principal);
        return {
          id: me.person.id,
          wecomUserId: me.person.wecom_userid,
          name: me.person.name,
          englishName: me.person.english_name,
          roles: ROLES.filter((r) => me.roles.has(r)),
          locale: context.config.locale,
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/auth/sign-out',
      summary: 'Ends the current session (no-op when signed out)',
      policy: publicAccess,
      response: z.object({ signedOut: z.literal(true) }),
      async handler({ request, reply }) {
        const raw = request.cookies[sessionCookieName(context.config.publicUrl)];
        const unsigned = raw ? request.unsignCookie(raw) : undefined;
        if (unsigned?.valid && unsigned.value) await endSession(context.db, unsigned.value);
        clearSessionCookie(reply, context);
        return { signedOut: true as const };
      },
    }),
  ];
}
