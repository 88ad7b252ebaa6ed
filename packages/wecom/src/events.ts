/**
 * Typed events instead of log lines (style habit 6). The pipeline, the credential cache and the limiter report
 * what they do here; an app turns them into logs or metrics. Payloads carry paths, errcodes, attempts and
 * timings — never a token, ticket, secret or request URL (which would contain the token).
 */
import type { CredentialKind } from './token/store.ts';

export interface WeComEventMap {
  /** An attempt is about to be sent. `attempt` counts from 1 across retries of one call. */
  request: { method: 'GET' | 'POST'; path: string; attempt: number };
  /** An attempt got an answer (any errcode or HTTP status) or failed in transport (`errcode` and `status` absent). */
  response: {
    method: 'GET' | 'POST';
    path: string;
    attempt: number;
    elapsedMs: number;
    status?: number;
    errcode?: number;
    /** The error name for a transport failure (WeComNetworkError, WeComHttpError). */
    error?: string;
  };
  /** The call will be sent again after `delayMs`. */
  retry: {
    method: 'GET' | 'POST';
    path: string;
    /** The attempt that failed. */
    attempt: number;
    delayMs: number;
    reason: 'token' | 'errcode' | 'http' | 'network';
    errcode?: number;
    status?: number;
  };
  /** A credential was fetched from WeCom (and stored). */
  'token:refresh': {
    corpId: string;
    agentId: number;
    kind: CredentialKind;
    /** Why: nothing cached, the cached one expired, refresh-ahead was due, or a call reported it invalid. */
    reason: 'missing' | 'expired' | 'due' | 'invalidated';
    elapsedMs: number;
    expiresInSeconds: number;
  };
  /** A call reported a credential invalid; `deleted` says whether the store still held it (compare-and-delete). */
  'token:invalidate': { corpId: string; agentId: number; kind: CredentialKind; deleted: boolean; errcode?: number };
  /** A background refresh failed; the cached credential stays in use until it expires. */
  'token:error': { corpId: string; agentId: number; kind: CredentialKind; message: string; errcode?: number };
  /** A call waited for quota before it was sent. */
  'limiter:wait': { path: string; quotas: readonly string[]; waitedMs: number };
}

export type WeComEventName = keyof WeComEventMap;
export type WeComListener<E extends WeComEventName> = (payload: WeComEventMap[E]) => void;

/**
 * A small typed emitter. Listeners run synchronously in registration order; a listener that throws is reported
 * with `process.emitWarning` and does not break the request that emitted the event.
 */
export class WeComEvents {
  readonly #listeners = new Map<WeComEventName, Set<(payload: never) => void>>();

  on<E extends WeComEventName>(event: E, listener: WeComListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  once<E extends WeComEventName>(event: E, listener: WeComListener<E>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<E extends WeComEventName>(event: E, listener: WeComListener<E>): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  /** Whether anyone listens; emitters skip building payloads otherwise. */
  has(event: WeComEventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends WeComEventName>(event: E, payload: WeComEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as WeComListener<E>)(payload);
      } catch (error) {
        process.emitWarning(`a "${event}" listener threw: ${(error as Error)?.message ?? String(error)}`, 'WeComEventsWarning');
      }
    }
  }
}
