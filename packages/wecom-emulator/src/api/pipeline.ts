/**
 * One request pipeline for every WeCom API route, in the order WeCom checks things (wecom-protocol.md §11):
 *
 *   injected fault / latency → access_token present (41001) → token valid (40014 / 42001) → caller IP trusted
 *   (60020) → per-API frequency, per corp and per caller IP, with their blocks (45009) → calls in flight (45033,
 *   when enabled) → method and JSON (40058) → the route's own checks → success.
 *
 * Errors are HTTP 200 with `{errcode, errmsg}` in the current errmsg format (§1.7) plus the route's zero-valued
 * business fields (§1.8). Every call is recorded in the call log with credentials masked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import { ApiError, formatErrmsg } from '../errors.ts';
import type { EmulatorState } from '../state/index.ts';
import type { IssuedToken } from '../state/tokens.ts';

export interface ApiContext {
  readonly state: EmulatorState;
  readonly request: FastifyRequest;
  /** Query parameters (first value of each). */
  readonly query: Record<string, string>;
  /** The parsed JSON body of a POST API ({} when empty); undefined for GET APIs and multipart. */
  readonly body: unknown;
  /** The caller's IP as WeCom would print it in "from ip:". */
  readonly ip: string;
  /** The token's record (routes with auth 'access_token'). */
  readonly token: IssuedToken | undefined;
  /** The token's app; undefined for a contact-sync token. */
  readonly app: AppConfig | undefined;
  /** Routes may replace what the call log records as the body (e.g. a multipart summary). */
  logBody?: unknown;
}

/** Business fields of a success response; `errmsg` may be overridden ("created", "" …). */
export type ApiResult = Record<string, unknown> | RawResult;

/** A success that is not JSON (media/get answers the file itself). */
export class RawResult {
  readonly contentType: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  constructor(contentType: string, body: Buffer, headers: Record<string, string> = {}) {
    this.contentType = contentType;
    this.body = body;
    this.headers = headers;
  }
}

export interface ApiRoute {
  /** The documented method. The other method still reaches the route: a GET on a POST API answers 40058 (§1.3). */
  method: 'GET' | 'POST';
  path: string;
  /** `none` for gettoken and the group-robot webhook (its key is checked by the route). */
  auth: 'access_token' | 'none';
  /** `multipart` routes read the upload themselves (media/upload). Default: JSON for POST. */
  body?: 'json' | 'multipart';
  /** Zero-valued business fields every error response of this route carries (§1.8). */
  zero?: Record<string, unknown>;
  /** Skip the per-corp per-API frequency limit (the robot webhook has its own). */
  noApiQuota?: boolean;
  handle(ctx: ApiContext): ApiResult | Promise<ApiResult>;
}

/** nginx's answer for an unknown path under /cgi-bin/ (§1.4: HTTP 404). */
const NOT_FOUND_HTML = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export function callerIp(request: FastifyRequest): string {
  return request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
}

function firstValues(query: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[key] = String(first);
  }
  return result;
}

function errorBody(state: EmulatorState, ip: string, route: Pick<ApiRoute, 'zero'>, errcode: number, text?: string, extra: Record<string, unknown> = {}) {
  return { errcode, errmsg: formatErrmsg(errcode, { text, ip, nowMs: state.clock.now() }), ...route.zero, ...extra };
}

function statusText(status: number): string {
  return ({ 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out', 429: 'Too Many Requests' } as Record<number, string>)[status] ?? 'Error';
}

/** Registers the WeCom API routes and the /cgi-bin/ 404, inside their own encapsulated context. */
export function registerApiRoutes(app: FastifyInstance, state: EmulatorState, routes: ApiRoute[]): void {
  for (const route of routes) {
    app.route({
      method: ['GET', 'POST'],
      url: route.path,
      // media/upload takes up to 20 MB (§3.7); other bodies are small JSON.
      bodyLimit: 25 * 1024 * 1024,
      handler: (request, reply) => handle(state, route, request, reply),
    });
  }
}

/** 404 for unknown /cgi-bin/ paths, like WeCom's nginx (§1.4); other unknown paths get fastify's JSON 404. */
export function apiNotFound(state: EmulatorState, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0]!;
  if (path.startsWith('/cgi-bin/')) {
    state.calls.add({ at: state.clock.now(), method: request.method, path, query: firstValues(request.query), body: undefined, errcode: null, httpStatus: 404 });
    return reply.code(404).type('text/html').send(NOT_FOUND_HTML);
  }
  return reply.code(404).send({ error: 'Not Found', message: `${request.method} ${path} is not a WeCom API path, a console page or a control API path` });
}

async function handle(state: EmulatorState, route: ApiRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const query = firstValues(request.query);
  const ip = callerIp(request);
  const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
  const log = (body: unknown, errcode: number | null, httpStatus: number) =>
    state.calls.add({ at: state.clock.now(), method: request.method, path: route.path, query, body, errcode, httpStatus });

  state.inflight.set(route.path, (state.inflight.get(route.path) ?? 0) + 1);
  try {
    await answer(state, route, request, reply, query, ip, raw, log);
  } finally {
    state.inflight.set(route.path, state.inflight.get(route.path)! - 1);
  }
}

async function answer(
  state: EmulatorState,
  route: ApiRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  query: Record<string, string>,
  ip: string,
  raw: Buffer | undefined,
  log: (body: unknown, errcode: number | null, httpStatus: number) => void,
): Promise<void> {
  const fault = state.faults.take(route.path);
  const latency = state.latencyMs + (fault?.latencyMs ?? 0);
  if (latency > 0) await sleep(latency);

  if (fault?.drop) {
    // The request was read; the answer never comes. The client cannot know whether WeCom acted.
    log(parseForLog(raw), null, 0);
    reply.hijack();
    request.raw.socket.destroy();
    return;
  }
  if (fault?.errcode !== undefined) {
    const status = fault.httpStatus ?? 200;
    log(parseForLog(raw), fault.errcode, status);
    reply.code(status).send(errorBody(state, ip, route, fault.errcode));
    return;
  }
  if (fault?.httpStatus !== undefined) {
    log(parseForLog(raw), null, fault.httpStatus);
    const title = `${fault.httpStatus} ${statusText(fault.httpStatus)}`;
    reply.code(fault.httpStatus).type('text/html').send(`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`);
    return;
  }

  let logged: unknown = parseForLog(raw);
  try {
    const ctx = await authenticate(state, route, request, query, ip, raw);
    const result = await route.handle(ctx);
    if (ctx.logBody !== undefined) logged = ctx.logBody;
    if (result instanceof RawResult) {
      log(logged, 0, 200);
      reply.type(result.contentType).headers(result.headers).send(result.body);
      return;
    }
    const body = { errcode: 0, errmsg: 'ok', ...result };
    log(logged, 0, 200);
    reply.send(body);
  } catch (error) {
    if (!(error instanceof ApiError)) {
      // An emulator bug: answer 500 (fastify's handler) so it cannot pass for a WeCom behaviour, and log it.
      log(logged, null, 500);
      throw error;
    }
    log(logged, error.errcode, 200);
    reply.send(errorBody(state, ip, route, error.errcode, error.text, error.extra));
  }
}

async function authenticate(state: EmulatorState, route: ApiRoute, request: FastifyRequest, query: Record<string, string>, ip: string, raw: Buffer | undefined): Promise<ApiContext> {
  let token: IssuedToken | undefined;
  let app: AppConfig | undefined;
  if (route.auth === 'access_token') {
    // §1.2: only the query string counts; a header or body token is ignored → 41001.
    const presented = query.access_token;
    if (!presented) throw new ApiError(41001);
    const check = state.tokens.check(presented);
    if (!check.ok) throw new ApiError(check.reason === 'expired' ? state.config.behaviour.expiredTokenErrcode : 40014);
    token = check.token;
    app = token.agentId === null ? undefined : state.app(token.agentId);
    // §7.5, §11: a valid token from an IP outside 企业可信IP → 60020 (a fake one already got 40014).
    if (app?.trustedIps && !app.trustedIps.includes(ip)) throw new ApiError(60020);
  }
  if (!route.noApiQuota) {
    // §5: per corp per API, then per caller IP per API. Once exceeded, the API stays blocked (60 s after the minute's
    // limit, 60 min after the hour's) and every call meanwhile is refused too, without counting.
    if (state.quotas.api.tryTake(route.path) !== -1) throw new ApiError(45009);
    if (state.quotas.ip.tryTake(`${ip} ${route.path}`) !== -1) throw new ApiError(45009);
  }
  // Unpublished concurrency limit (off unless limits.concurrentPerApi is set): too many calls of one API at once.
  const concurrent = state.config.limits.concurrentPerApi;
  if (concurrent > 0 && (state.inflight.get(route.path) ?? 0) > concurrent) throw new ApiError(45033);

  let body: unknown;
  if (route.method === 'POST' && route.body !== 'multipart') {
    if (request.method !== 'POST') throw new ApiError(40058, { text: 'invalid Request Parameter, this API must be called with POST' });
    const text = raw?.toString('utf8').trim() ?? '';
    if (text === '') {
      body = {};
    } else {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(40058);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(40058);
    }
  }
  return { state, request, query, body, ip, token, app };
}

function parseForLog(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 10_000 ? `${text.slice(0, 10_000)}…` : text;
  }
}
