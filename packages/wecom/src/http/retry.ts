/**
 * "Should we retry?" and "how long do we wait?" as small pure functions (stripe-node RequestSender style), so the
 * policy is readable in one place and tested as a table. Token refresh (40014/42001 → refetch, retry once) is
 * separate: it is not a transient failure and does not spend these retries.
 */
import type { RetrySafety } from './types.ts';

/** What one attempt came to, as far as retrying is concerned. */
export type AttemptOutcome =
  | { type: 'errcode'; errcode: number }
  | { type: 'http'; status: number }
  /** `outcomeUnknown`: the request may have reached WeCom (timeout, socket dropped after sending). */
  | { type: 'network'; outcomeUnknown: boolean };

/**
 * Errcodes that mean "try again later", where WeCom provably did nothing: -1 system busy (retry ≤3, §4),
 * 45009 frequency limit and 45033 concurrency limit (§5).
 */
export const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

export interface RetryContext {
  /** The request's declared safety (ApiRequest.retry). */
  retry: RetrySafety;
  /** Transient retries already made for this call. */
  retriesDone: number;
  maxRetries: number;
}

/**
 * Whether to send the call again after `outcome`.
 * - An errcode came back: WeCom acted or refused as a whole, so only the transient codes are retried.
 * - A network failure before the request went out (connection refused, DNS): always safe to retry.
 * - The outcome is unknown (timeout, dropped socket, HTTP 5xx from a gateway that may have forwarded it):
 *   retried only when a repeat is harmless — `idempotent`, or `duplicate-checked` (WeCom drops the identical
 *   repeat within the duplicate-check interval, §3.1). Never for `once-only`: better one lost send reported as
 *   an error than a message delivered twice.
 */
export function shouldRetry(outcome: AttemptOutcome, context: RetryContext): boolean {
  if (context.retriesDone >= context.maxRetries) return false;
  const repeatIsHarmless = context.retry !== 'once-only';
  switch (outcome.type) {
    case 'errcode':
      return TRANSIENT_ERRCODES.has(outcome.errcode);
    case 'http':
      if (outcome.status === 429) return true; // refused before any work
      return outcome.status >= 500 && outcome.status <= 599 && repeatIsHarmless;
    case 'network':
      return !outcome.outcomeUnknown || repeatIsHarmless;
  }
}

export interface BackoffPolicy {
  /** The first retry waits up to this long. Default 500 ms. */
  baseMs: number;
  /** No wait exceeds this. Default 8 000 ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, capMs: 8_000 });

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(cap, base·2^(n−1))) before retry n (1-based),
 * so processes that failed together do not come back together.
 */
export function backoffDelay(retryNumber: number, random: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}
