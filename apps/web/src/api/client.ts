/**
 * The one way pages talk to the server: same-origin JSON over fetch, with the session cookie the server set
 * (httpOnly: scripts never see it). Failures are typed, never swallowed:
 * - ApiError: the server answered 4xx/5xx with `{ error, code, message, messageZh, fields? }` (apps/server
 *   README, "Errors"): its message, in the reader's language, says what to fix;
 * - NetworkError: no answer at all (offline, server down, connection cut).
 */
import type { Locale } from './types.ts';

/** The reader's language (I18nProvider keeps it current): server messages are shown in it. */
let readerLocale: Locale = 'zh';
export function setMessageLocale(locale: Locale): void {
  readerLocale = locale;
}

/** A message in both languages, as the server sends it. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** A problem with one input field (`path`: `candidate.email`, `interviewerIds.2`, …). */
export interface FieldProblem {
  in: 'body' | 'query' | 'params';
  path: string;
  code: string;
  messages: Bilingual;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  /** The kind of failure: invalid_request, unauthenticated, forbidden, not_found, conflict, internal. */
  readonly kind: string;
  /** The server's precise reason (stable): validation_failed, start_in_past, version_conflict, … */
  readonly code: string;
  readonly messages: Bilingual;
  readonly fields: readonly FieldProblem[];
  /** The parsed answer (/healthz answers 503 with its full report). */
  readonly body: unknown;
  constructor(
    status: number,
    kind: string,
    messages: Bilingual | string,
    options: { code?: string; fields?: readonly FieldProblem[]; body?: unknown } = {},
  ) {
    const both = typeof messages === 'string' ? { en: messages, zh: messages } : messages;
    super(both[readerLocale]);
    this.status = status;
    this.kind = kind;
    this.code = options.code ?? kind;
    this.messages = both;
    this.fields = options.fields ?? [];
    this.body = options.body;
  }
}

export class NetworkError extends Error {
  override name = 'NetworkError';
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The ApiError for a failed answer, from whatever the body holds (a proxy's HTML page holds nothing useful). */
function errorFrom(response: Response, body: unknown): ApiError {
  const payload = (body ?? {}) as { error?: unknown; code?: unknown; message?: unknown; messageZh?: unknown; fields?: unknown };
  const fallback = `${response.status} ${response.statusText}`.trim();
  const en = isString(payload.message) ? payload.message : fallback;
  const fields: FieldProblem[] = [];
  for (const f of Array.isArray(payload.fields) ? (payload.fields as Record<string, unknown>[]) : []) {
    if (!isString(f['path']) || !isString(f['message'])) continue;
    fields.push({
      in: f['in'] === 'query' || f['in'] === 'params' ? f['in'] : 'body',
      path: f['path'],
      code: isString(f['code']) ? f['code'] : 'invalid',
      messages: { en: f['message'], zh: isString(f['messageZh']) ? f['messageZh'] : f['message'] },
    });
  }
  return new ApiError(response.status, isString(payload.error) ? payload.error : `http_${response.status}`, { en, zh: isString(payload.messageZh) ? payload.messageZh : en }, {
    ...(isString(payload.code) ? { code: payload.code } : {}),
    fields,
    body,
  });
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Sent as JSON. Omitted: no body and no content type (fastify refuses an empty JSON body). */
  body?: unknown;
  signal?: AbortSignal;
}

/** Query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new NetworkError(error instanceof Error ? error.message : String(error));
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw errorFrom(response, body);
  if (body === undefined && text) {
    throw new ApiError(response.status, 'bad_response', { en: 'The server answered something that is not JSON', zh: '服务器的回复不是 JSON。' });
  }
  return body as T;
}

/** Where a signed-out member goes: the sign-in page, coming back here afterwards. */
export function signInPath(returnTo: string): string {
  return `/sign-in${query({ redirect: returnTo === '/' ? undefined : returnTo })}`;
}

/**
 * The server route that starts WeCom OAuth (the WeCom glue serves it): the in-client authorize page inside WeCom,
 * the web-login (QR) page in a browser; afterwards it sets the session cookie and redirects to `redirect`.
 */
export function wecomSignInUrl(redirect: string): string {
  return `/auth/wecom/start${query({ redirect })}`;
}

/** WeCom's in-app browser says so in its user agent (wxwork/<version>). */
export function insideWeCom(userAgent: string = navigator.userAgent): boolean {
  return /wxwork/i.test(userAgent);
}
