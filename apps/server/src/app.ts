/**
 * Builds the Pairview HTTP app from its dependencies; never listens (main.ts does, tests call `inject`).
 * Registers cookies, the access-control hook, the error handler and every domain's routes.
 */
import cookie from '@fastify/cookie';
import type { Server } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Policy } from './auth/policies.ts';
import type { Principal } from './auth/principal.ts';
import { authRoutes } from './auth/routes.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import { registerCsrfGuard } from './http/csrf.ts';
import { registerRateLimits } from './http/rate-limits.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { errorBody, handleError, routeNotFound } from './http/errors.ts';
import { registerRoutes, type AnyRoute } from './http/route.ts';
import { interviewRoutes } from './interviews/routes.ts';
import { messageRoutes } from './notifications/routes.ts';
import { peopleRoutes } from './people/routes.ts';
import { questionRoutes } from './questions/routes.ts';
import type { CollabServer } from './rooms/collab/server.ts';
import { playbackRoutes } from './rooms/playback-routes.ts';
import { roomRoutes } from './rooms/routes.ts';
import { testRoutes } from './rooms/test-routes.ts';
import type { CodeRunner } from './runner/service.ts';
import { scorecardRoutes } from './scorecards/routes.ts';
import { healthRoutes, type WeComStatus } from './health.ts';
import type { AppContext, AppPlugin } from './context.ts';
import { createLogger } from './log.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: who may call it (auth/policies.ts). */
    policy?: Policy;
    summary?: string;
  }
  interface FastifyRequest {
    /** Set by the access-control hook from the route's policy. */
    principal: Principal | undefined;
  }
}

export interface AppDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  clock?: Clock;
  /** Defaults to config.sessionSecret; one of the two is required. */
  sessionSecret?: string;
  /** WeCom connection status for /healthz; the WeCom glue provides it. */
  wecomStatus?: () => Promise<WeComStatus>;
  plugins?: readonly AppPlugin[];
  /** The interview rooms' collaboration server: its socket is served on this app's port (main.ts attaches it). */
  collab?: Pick<CollabServer, 'reseedUntouchedPad'>;
  /** Server-side runs for the languages the browser does not run (main.ts makes it from the config). */
  runner?: CodeRunner;
  /** The process's logger (log.ts; main.ts makes it); omitted: no logging (tests). */
  logger?: Logger;
  /** Or only a level: a JSON logger at that level (benchmarks). */
  logLevel?: string;
}

export interface RouteInfo {
  method: string;
  url: string;
  policy: string;
  summary: string | undefined;
}

/**
 * Candidate link tokens are bearer secrets, and the OAuth callback's `code` and `state` sign a member in: request
 * logs show the route and the other parameters, never those values.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/\/(room-links|r)\/[^/?#]+/, '/$1/[redacted]')
    .replace(/([?&](?:code|state|echostr)=)[^&#]*/g, '$1[redacted]');
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const sessionSecret = deps.sessionSecret ?? deps.config.sessionSecret;
  if (!sessionSecret) throw new Error('buildApp needs a session secret (SESSION_SECRET, or deps.sessionSecret)');
  const context: AppContext = {
    config: deps.config,
    db: deps.db,
    pool: deps.pool,
    clock: deps.clock ?? systemClock,
    sessionSecret,
    collab: deps.collab,
    runner: deps.runner,
  };

  const logger = deps.logger ?? (deps.logLevel ? createLogger({ level: deps.logLevel as Config['logLevel'], format: 'json' }) : undefined);
  const options: FastifyHttpOptions<Server> = {
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    // Requests are logged at debug by the hook below, with the URL's secrets redacted.
    logController: new LogController({ disableRequestLogging: true }),
    // X-Forwarded-* only from the proxies the configuration names: anyone else could claim any address.
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  };
  const app: FastifyInstance = Fastify(options);

  const routes: RouteInfo[] = [];
  app.decorate('pairviewRoutes', routes);
  app.addHook('onRoute', (options) => {
    const policy = options.config?.policy;
    if (!policy) {
      throw new Error(`${String(options.method)} ${options.url} declares no access policy: add config.policy (src/auth/policies.ts)`);
    }
    // fastify adds a HEAD twin for every GET; the GET entry covers it.
    if (options.method === 'HEAD') return;
    routes.push({ method: String(options.method), url: options.url, policy: policy.name, summary: options.config?.summary });
  });

  await app.register(cookie, { secret: sessionSecret });
  registerCsrfGuard(app, deps.config.publicUrl);
  registerSecurityHeaders(app, deps.config.publicUrl);

  app.decorateRequest('principal', undefined);
  // One debug line per request (LOG_LEVEL=debug shows them): the route and status, never a token in the URL.
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.addHook('preHandler', async (request) => {
    if (request.is404) return; // no route, nothing to guard: the 404 handler answers
    const policy = request.routeOptions.config.policy;
    if (!policy) throw new Error(`no policy on ${request.routeOptions.url}`); // unreachable: onRoute refuses such routes
    request.principal = await policy.authorize(request, context);
  });

  app.setErrorHandler(handleError);
  // No route: the same error body as every other 4xx (the web app's catch-all page route answers GETs itself).
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(routeNotFound(request.method, request.url.split('?')[0] ?? '/')));
  });

  await registerRateLimits(app);

  const routeSets: AnyRoute[][] = [
    healthRoutes(context, deps.wecomStatus),
    authRoutes(context),
    peopleRoutes(context),
    interviewRoutes(context),
    scorecardRoutes(context),
    roomRoutes(context),
    testRoutes(context),
    playbackRoutes(context),
    questionRoutes(context),
    messageRoutes(context),
  ];
  for (const set of routeSets) registerRoutes(app, set);
  for (const plugin of deps.plugins ?? []) await plugin(app, context);

  await app.ready();
  return app;
}

/** Every route with its policy, in registration order (the access-control test and the README use it). */
export function routeList(app: FastifyInstance): RouteInfo[] {
  return (app as FastifyInstance & { pairviewRoutes: RouteInfo[] }).pairviewRoutes;
}
