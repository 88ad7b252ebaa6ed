/**
 * The one way pages talk to the server: same-origin JSON over fetch, with the session cookie the server set
 * (httpOnly: scripts never see it). Failures are typed, never swallowed:
 * - ApiError: the server answered 4xx/5xx with `{ error, message }` (message says what to fix);
 * - NetworkError: no answer at all (offline, server down, connection cut).
 */

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  /** The server's error code: invalid_request, unauthenticated, forbidden, not_found, conflict, internal. */
  readonly code: string;
  /** The parsed answer (/healthz answers 503 with its full report). */
  readonly body: unknown;
  constructor(status: number, code: string, message: string, body?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export class NetworkError extends Error {
  override name = 'NetworkError';
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
  if (!response.ok) {
    const payload = body as { error?: unknown; message?: unknown } | undefined;
    const code = typeof payload?.error === 'string' ? payload.error : `http_${response.status}`;
    const message = typeof payload?.message === 'string' ? payload.message : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, code, message, body);
  }
  if (body === undefined && text) throw new ApiError(response.status, 'bad_response', 'The server answered something that is not JSON');
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
