import type { QuotaClaim } from '../limiter/types.ts';
import type { QuotaPriority } from '../limiter/rules.ts';

/**
 * The seam between resource classes (one documented request each) and the request pipeline (token,
 * errcode → error, retries, limits, events). Resources build an ApiRequest; the pipeline does the rest.
 */

/** Every WeCom JSON response carries errcode (0 = success) and errmsg (wecom-protocol.md §1.4). */
export interface WeComResponse {
  errcode: number;
  errmsg: string;
}

/**
 * How a request may be retried when its outcome is unknown (the body was sent, then the connection failed or
 * timed out). Errors where WeCom provably did nothing (an errcode came back) are governed by the errcode alone.
 * - `idempotent`: reads and idempotent writes; retry freely.
 * - `once-only`: a repeat would act twice (message/send without duplicate check, appchat/send, webhook send):
 *   never retried after an unknown outcome.
 * - `duplicate-checked`: message/send with `enable_duplicate_check: 1`; WeCom drops an identical repeat within
 *   the interval, so a retry after an unknown outcome is safe.
 */
export type RetrySafety = 'idempotent' | 'once-only' | 'duplicate-checked';

export interface ApiRequest {
  method: 'GET' | 'POST';
  /** The documented path, e.g. `/cgi-bin/message/send`. */
  path: string;
  /** Query parameters other than access_token (the pipeline adds that one). */
  query?: Record<string, string | number | undefined>;
  /** JSON body for POST. */
  body?: unknown;
  /** Multipart body (media upload); mutually exclusive with `body`. */
  form?: FormData;
  /** `access_token` (default) injects the app's token; `none` for gettoken and the group-robot webhook. */
  auth?: 'access_token' | 'none';
  /** Default `idempotent` for GET, `once-only` for POST. */
  retry?: RetrySafety;
  /**
   * Quotas this call must take besides the per-API and per-IP ones the pipeline always applies, e.g.
   * `member:zhangsan` for each recipient of message/send, `{ quota: 'day:message', units: 12 }` for its
   * person-times, `robot:<key>` for a webhook.
   */
  quotas?: readonly (string | QuotaClaim)[];
  /** Who goes first when a quota is short (limiter). Default `normal`. */
  priority?: QuotaPriority;
  /**
   * Throw RateLimitWaitError (with `retryAt`) instead of waiting longer than this for a quota, e.g. to re-plan a
   * job rather than hold a worker. Default: the limiter's (by default, wait as long as needed).
   */
  maxWaitMs?: number;
  signal?: AbortSignal;
}

/** What resource classes call. The pipeline resolves with the parsed JSON (errcode 0) or throws a WeComError. */
export interface ApiCaller {
  call<T extends WeComResponse = WeComResponse>(request: ApiRequest): Promise<T>;
}
