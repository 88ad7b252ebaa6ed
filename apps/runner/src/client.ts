// A small typed client for Piston's v2 API: this runner, one Piston, or many behind a load balancer.
// Every call has a timeout; every failure is a PistonError saying what happened and, when known, what to do.
import type { ExecuteRequest, ExecuteResponse, PistonClient, PistonClientOptions, PistonErrorKind, Runtime, SandboxStatus } from './types.ts';

export class PistonError extends Error {
  readonly kind: PistonErrorKind;
  /** The HTTP status, for kind "http". */
  readonly status: number | null;
  constructor(kind: PistonErrorKind, message: string, status: number | null = null) {
    super(message);
    this.name = 'PistonError';
    this.kind = kind;
    this.status = status;
  }
}

const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 5_000;

export function createPistonClient(baseUrl: string, options: PistonClientOptions = {}): PistonClient {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error('the runner URL is not a URL (e.g. http://127.0.0.1:2000)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`the runner URL must be http(s), not ${parsed.protocol}`);
  // A URL may carry the credentials of a proxy in front of Piston (https://user:pass@piston.example): they go
  // in an Authorization header (fetch refuses them in the URL) and never into an error message.
  const authorization = parsed.username || parsed.password ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` : null;
  parsed.username = '';
  parsed.password = '';
  const base = parsed.toString().replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const where = `${parsed.protocol}//${parsed.host}`;

  async function call<T>(method: 'GET' | 'POST', route: string, body: unknown, timeoutMs: number, signal: AbortSignal | undefined, allow404 = false): Promise<T | null> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await doFetch(`${base}${route}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(authorization ? { authorization } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      if (timeout.aborted) throw new PistonError('timeout', `the runner at ${where} did not answer ${method} ${route} within ${timeoutMs} ms`);
      if (signal?.aborted) throw new PistonError('aborted', `${method} ${route} was cancelled`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new PistonError('network', `cannot reach the runner at ${where}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is it running? check PAIRVIEW_RUNNER_URL)`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new PistonError('timeout', `the runner at ${where} did not finish answering ${method} ${route} within ${timeoutMs} ms`);
      throw new PistonError('network', `the runner at ${where} broke off its answer to ${method} ${route}: ${(error as Error).message}`);
    }
    if (allow404 && response.status === 404) return null;
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // handled below
    }
    if (!response.ok) {
      const message = json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string' ? (json as { message: string }).message : text.slice(0, 200) || response.statusText;
      throw new PistonError('http', `the runner at ${where} answered ${response.status} to ${method} ${route}: ${message}`, response.status);
    }
    if (json === undefined) throw new PistonError('invalid_response', `the runner at ${where} answered ${method} ${route} with no JSON`);
    return json as T;
  }

  return {
    baseUrl: base,
    async runtimes(o = {}) {
      const list = await call<Runtime[]>('GET', '/api/v2/runtimes', undefined, o.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS, o.signal);
      if (!Array.isArray(list)) throw new PistonError('invalid_response', `the runner at ${where} answered /api/v2/runtimes with something else than a list`);
      return list;
    },
    async execute(request: ExecuteRequest, o = {}) {
      const result = await call<ExecuteResponse>('POST', '/api/v2/execute', request, o.timeoutMs ?? options.timeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS, o.signal);
      if (!result || typeof result !== 'object' || !result.run || typeof result.run !== 'object') {
        throw new PistonError('invalid_response', `the runner at ${where} answered /api/v2/execute without a run stage`);
      }
      return result;
    },
    async sandbox(o = {}) {
      return call<SandboxStatus>('GET', '/api/v2/sandbox', undefined, o.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS, o.signal, true);
    },
  };
}
