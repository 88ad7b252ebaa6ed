/**
 * The request pipeline (style habit 2): the one place where a documented request becomes HTTP. Per call:
 * quota (limiter) → access token (query parameter only, §1.2) → fetch with a timeout → JSON → errcode → error
 * (errors.ts) → refresh-and-retry-once on a token error → transient retries with backoff (retry.ts) → events.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { WeComConfig } from '../config.ts';
import { errorFromResponse, REFRESH_TOKEN_ERRCODES, WeComHttpError, WeComNetworkError, type ErrorResponse, type WeComError } from '../errors.ts';
import { WeComEvents } from '../events.ts';
import { RateLimitWaitError } from '../limiter/limiter.ts';
import { MemoryRateLimiter } from '../limiter/memory.ts';
import type { RateLimiter } from '../limiter/types.ts';
import { accessTokenFetcher } from '../token/access-token.ts';
import { CredentialCache } from '../token/credential-cache.ts';
import { MemoryTokenStore } from '../token/memory-store.ts';
import type { TokenStore } from '../token/store.ts';
import { backoffDelay, DEFAULT_BACKOFF, shouldRetry, type AttemptOutcome, type BackoffPolicy } from './retry.ts';
import type { ApiCaller, ApiRequest, RetrySafety, WeComResponse } from './types.ts';

export interface RequestSenderOptions {
  /** corpId, agentId, secret, baseUrl, timeoutMs, maxRetries (see resolveConfig). */
  config: Pick<WeComConfig, 'corpId' | 'agentId' | 'secret' | 'baseUrl' | 'timeoutMs' | 'maxRetries'>;
  /** Where the access token is cached. Default a MemoryTokenStore; PostgresTokenStore to share it across processes. */
  store?: TokenStore;
  /** Default a MemoryRateLimiter with the documented quotas. */
  limiter?: RateLimiter;
  events?: WeComEvents;
  /** Epoch milliseconds, for token freshness and elapsed times. Default `Date.now`. */
  now?: () => number;
  /** For backoff jitter. Default `Math.random`. */
  random?: () => number;
  backoff?: Partial<BackoffPolicy>;
  /** Fraction of a token's lifetime after which it is refreshed ahead. Default 0.8. */
  refreshAt?: number;
  /** Default the global fetch (Node's undici). */
  fetch?: typeof globalThis.fetch;
  /**
   * After a 45009, how long the limiter grants nothing of that API (in every process sharing its store). Default
   * 60 000 ms, WeCom's block after a per-minute limit (§5); 0 only retries with backoff.
   */
  frequencyBlockMs?: number;
}

type Attempt =
  | { ok: true; json: WeComResponse & Record<string, unknown> }
  | { ok: false; outcome: AttemptOutcome; error: Error };

/** §5: a per-minute frequency limit blocks the API for 60 s once exceeded. */
const API_BLOCK_MS = 60_000;

/** Socket errors raised before anything was written: the request certainly did not reach WeCom. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class RequestSender implements ApiCaller {
  readonly events: WeComEvents;
  readonly limiter: RateLimiter;
  readonly store: TokenStore;
  /** The app's access token (§2): cached, shared through `store`, refreshed ahead. */
  readonly accessToken: CredentialCache;

  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #backoff: BackoffPolicy;
  readonly #fetch: typeof globalThis.fetch;
  readonly #frequencyBlockMs: number;

  constructor(options: RequestSenderOptions) {
    const { config } = options;
    this.#baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = config.timeoutMs;
    this.#maxRetries = config.maxRetries;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#frequencyBlockMs = options.frequencyBlockMs ?? API_BLOCK_MS;
    this.events = options.events ?? new WeComEvents();
    this.limiter = options.limiter ?? new MemoryRateLimiter();
    this.store = options.store ?? new MemoryTokenStore();
    this.accessToken = new CredentialCache({
      key: { corpId: config.corpId, agentId: config.agentId, kind: 'access_token' },
      store: this.store,
      fetch: accessTokenFetcher(this, config.corpId, config.secret),
      now: this.#now,
      events: this.events,
      ...(options.refreshAt !== undefined && { refreshAt: options.refreshAt }),
    });
  }

  async call<T extends WeComResponse = WeComResponse>(request: ApiRequest): Promise<T> {
    checkRequest(request);
    const safety: RetrySafety = request.retry ?? (request.method === 'GET' ? 'idempotent' : 'once-only');
    const usesToken = (request.auth ?? 'access_token') === 'access_token';
    // Every call takes its API's quota per corp and per caller IP (§5), plus what the resource names.
    const quotas = [`api:${request.path}`, `ip:${request.path}`, ...(request.quotas ?? [])];
    const quotaNames = quotas.map((q) => (typeof q === 'string' ? q : q.quota));
    const acquireOptions = { signal: request.signal, priority: request.priority, maxWaitMs: request.maxWaitMs };
    let transientRetries = 0;
    let tokenRetried = false;

    for (let attempt = 1; ; attempt++) {
      // The token first: a quota unit must reach WeCom soon after it is taken (the limiter's margin), not after a
      // gettoken that may wait for another process's refresh.
      let token = usesToken ? await this.accessToken.get(request.signal) : undefined;
      let waited;
      try {
        waited = await this.limiter.acquire(quotas, acquireOptions);
      } catch (error) {
        // Tell the caller whether an earlier attempt may have reached WeCom (a job re-planned for later must then
        // resend the same body under the duplicate check, not a new one).
        if (error instanceof RateLimitWaitError) error.attempt = attempt;
        throw error;
      }
      if (typeof waited === 'number' && waited > 0) {
        this.events.emit('limiter:wait', { path: request.path, quotas: quotaNames, waitedMs: waited });
      }
      // A long wait may have outlived the cached token's refresh point: the cache answers from memory if not.
      if (usesToken && typeof waited === 'number' && waited > 0) token = await this.accessToken.get(request.signal);
      const result = await this.#attempt(request, token, attempt);
      if (result.ok) return result.json as T;

      const { outcome, error } = result;
      // WeCom refused on frequency anyway (another sender on this corp, a stricter WeCom): it blocks the API for
      // 60 s (§5), so every process sharing the quota waits that out instead of calling into the block.
      if (outcome.type === 'errcode' && outcome.errcode === 45009 && this.#frequencyBlockMs > 0) {
        await this.limiter.penalize?.([`api:${request.path}`], this.#frequencyBlockMs).catch(() => undefined);
      }
      // 40001/40014/42001/42009: drop the token only if the store still holds it, fetch again, retry once (§1.10).
      if (token !== undefined && outcome.type === 'errcode' && REFRESH_TOKEN_ERRCODES.has(outcome.errcode) && !tokenRetried) {
        tokenRetried = true;
        await this.accessToken.invalidate(token, outcome.errcode);
        this.events.emit('retry', { method: request.method, path: request.path, attempt, delayMs: 0, reason: 'token', errcode: outcome.errcode });
        continue;
      }
      if (!shouldRetry(outcome, { retry: safety, retriesDone: transientRetries, maxRetries: this.#maxRetries })) throw error;
      transientRetries++;
      const delayMs = backoffDelay(transientRetries, this.#random, this.#backoff);
      this.events.emit('retry', {
        method: request.method,
        path: request.path,
        attempt,
        delayMs,
        reason: outcome.type,
        ...(outcome.type === 'errcode' && { errcode: outcome.errcode }),
        ...(outcome.type === 'http' && { status: outcome.status }),
      });
      if (delayMs > 0) await pause(delayMs, request.signal);
    }
  }

  async #attempt(request: ApiRequest, token: string | undefined, attempt: number): Promise<Attempt> {
    const { method, path } = request;
    const url = new URL(this.#baseUrl + path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    // §1.2: the token goes in the query string only; a header or body token is ignored (41001).
    if (token !== undefined) url.searchParams.set('access_token', token);

    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | FormData | undefined;
    if (request.form) body = request.form;
    else if (request.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(request.body);
    }

    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    this.events.emit('request', { method, path, attempt });
    const started = this.#now();
    const fail = (outcome: AttemptOutcome, error: Error, status?: number): Attempt => {
      this.events.emit('response', {
        method,
        path,
        attempt,
        elapsedMs: this.#now() - started,
        ...(status !== undefined && { status }),
        ...(outcome.type === 'errcode' && { errcode: outcome.errcode }),
        ...(outcome.type !== 'errcode' && { error: error.name }),
      });
      return { ok: false, outcome, error };
    };

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, { method, headers, body, signal });
    } catch (cause) {
      if (request.signal?.aborted) throw request.signal.reason;
      const timedOut = timeout.aborted;
      const outcomeUnknown = timedOut || !NOT_SENT_CODES.has(socketErrorCode(cause) ?? '');
      const error = new WeComNetworkError(path, { outcomeUnknown, timedOut, cause });
      return fail({ type: 'network', outcomeUnknown }, error);
    }
    try {
      text = await response.text();
    } catch (cause) {
      if (request.signal?.aborted) throw request.signal.reason;
      // WeCom started answering, so it had the request: whatever it did is unknown to us.
      const error = new WeComNetworkError(path, { outcomeUnknown: true, timedOut: timeout.aborted, cause });
      return fail({ type: 'network', outcomeUnknown: true }, error, response.status);
    }

    if (response.status !== 200) {
      return fail({ type: 'http', status: response.status }, new WeComHttpError(path, response.status), response.status);
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError('not an object');
    } catch {
      const error = new WeComHttpError(path, 200, `HTTP 200 on ${path} with a body that is not a JSON object`);
      return fail({ type: 'http', status: 200 }, error, 200);
    }
    // Business errors come with HTTP 200 and errcode ≠ 0 (§1.4). A response without errcode counts as success.
    const errcode = json.errcode === undefined ? 0 : Number(json.errcode);
    if (errcode !== 0) {
      const error: WeComError = errorFromResponse(path, { ...json, errcode, errmsg: String(json.errmsg ?? '') } as ErrorResponse);
      return fail({ type: 'errcode', errcode }, error, 200);
    }
    this.events.emit('response', { method, path, attempt, elapsedMs: this.#now() - started, status: 200, errcode: 0 });
    return { ok: true, json: json as WeComResponse & Record<string, unknown> };
  }
}

/** Rejects malformed requests before anything is sent; the message says what to fix. */
function checkRequest(request: ApiRequest): void {
  if (request.method !== 'GET' && request.method !== 'POST') throw new TypeError(`method must be GET or POST, got ${String(request.method)}`);
  if (typeof request.path !== 'string' || !/^\/[A-Za-z0-9_\-/.]*$/.test(request.path) || request.path.includes('?')) {
    throw new TypeError(`path must be a documented API path such as /cgi-bin/message/send (no query string), got ${JSON.stringify(request.path)}`);
  }
  if (request.body !== undefined && request.form !== undefined) throw new TypeError(`${request.path}: pass either body (JSON) or form (multipart), not both`);
  if (request.query && 'access_token' in request.query) throw new TypeError(`${request.path}: access_token is added by the pipeline; leave it out of query`);
  // The only way a retry after an unknown outcome is safe for a send: WeCom's duplicate check is really on (§3.1).
  if (request.retry === 'duplicate-checked') {
    const body = request.body as { enable_duplicate_check?: unknown } | undefined;
    if (body?.enable_duplicate_check !== 1) {
      throw new TypeError(`${request.path}: retry 'duplicate-checked' needs enable_duplicate_check: 1 in the body`);
    }
  }
}

/** Waits between retries; an abort rejects with the caller's own reason, as everywhere else in the pipeline. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** The socket error code under undici's "fetch failed" TypeError, if any. */
function socketErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
