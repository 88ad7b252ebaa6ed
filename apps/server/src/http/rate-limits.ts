/**
 * Rate limits (@fastify/rate-limit) where a flood costs something: the anonymous sign-in routes (each start
 * writes an OAuth state), a candidate link's routes (anyone holding a link, no account), and the routes that run
 * code on the server. Counted per signed-in person where there is one, else per client address (which is the
 * socket's unless PAIRVIEW_TRUST_PROXY names the proxy in front). In memory, per process: with several
 * processes each counts its own share (docs/operations.md). Over the limit: 429 with Retry-After, in the API's
 * error shape, in both languages.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TooManyRequestsError } from '../errors.ts';

export interface RouteRateLimit {
  max: number;
  timeWindow: string;
  /** 'onRequest': counted before the access policy (anonymous routes: a flood of bad links costs no query). */
  hook?: 'onRequest';
}

export const RATE_LIMITS = {
  /** /auth/wecom/start and /callback: a person signs in a few times a day. */
  signIn: { max: 30, timeWindow: '1 minute', hook: 'onRequest' },
  /** A candidate's page: its view, joining, language, runs, paste and focus signals. */
  candidateLink: { max: 240, timeWindow: '1 minute', hook: 'onRequest' },
  /** Code run on the server (execute, test cases): seconds of CPU each. */
  serverRun: { max: 30, timeWindow: '1 minute' },
} as const satisfies Record<string, RouteRateLimit>;

/** Registers the plugin (no global limit: only routes with `config.rateLimit` are counted). After the session is read. */
export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // After the access policy, so a signed-in person is counted as themselves (not as their office's address).
    hook: 'preHandler',
    keyGenerator: (request: FastifyRequest) => (request.principal?.kind === 'member' ? `member:${request.principal.person.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsError({
        code: 'rate_limited',
        en: `Too many requests: at most ${context.max} in ${context.after === '1 minute' ? 'a minute' : context.after}. Wait a moment and try again`,
        zh: `请求过于频繁：每分钟最多 ${context.max} 次。请稍候再试。`,
      }),
  });
}
