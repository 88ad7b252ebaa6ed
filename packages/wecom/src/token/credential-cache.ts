/**
 * A cached WeCom credential: the access token (§2), or a JS-SDK ticket (§10) with a different fetcher.
 *
 * - One fetch in flight per process (a shared promise), one across processes (the store's lease, with a second
 *   look after taking it: whoever waited finds the token the holder stored and does not fetch).
 * - Hot path: a credential in memory that is neither expired nor due costs one clock read, no I/O.
 * - Refresh ahead: past `refreshAt` (80%) of its lifetime the cached value is still served while one refresh
 *   runs in the background; `refreshIfDue()` does the same for a scheduled job.
 * - `invalidate(failed)` after 40014/42001: compare-and-delete, so a process holding an old token never deletes the
 *   fresh one another process just stored.
 */
import type { WeComEvents } from '../events.ts';
import type { CredentialKey, StoredCredential, TokenStore } from './store.ts';

export interface FetchedCredential {
  value: string;
  /** `expires_in` as WeCom returned it. */
  expiresInSeconds: number;
}

/** Asks WeCom for a new credential (gettoken, get_jsapi_ticket, ticket/get?type=agent_config). */
export type CredentialFetcher = () => Promise<FetchedCredential>;

export interface CredentialCacheOptions {
  key: CredentialKey;
  store: TokenStore;
  fetch: CredentialFetcher;
  /** Epoch milliseconds. Inject a fake clock in tests. Default `Date.now`. */
  now?: () => number;
  /** Fraction of the lifetime after which a refresh is due. Default 0.8. */
  refreshAt?: number;
  /**
   * Stop using a credential this long before its expiry (clock skew, a request in flight), capped at a tenth of
   * its lifetime. Default 60 000 ms.
   */
  expiryMarginMs?: number;
  events?: WeComEvents;
}

type RefreshReason = 'missing' | 'expired' | 'due' | 'invalidated';

/** How many recently failed values are remembered so that a second look never adopts one of them. */
const REJECTED_MEMORY = 4;
/** After a failed background refresh, wait this long before the next one (the foreground path is unaffected). */
const BACKGROUND_RETRY_PAUSE_MS = 30_000;

export class CredentialCache {
  readonly key: CredentialKey;
  readonly #store: TokenStore;
  readonly #fetch: CredentialFetcher;
  readonly #now: () => number;
  readonly #refreshAt: number;
  readonly #expiryMarginMs: number;
  readonly #events: WeComEvents | undefined;

  #memo: StoredCredential | undefined;
  #inflight: Promise<StoredCredential> | undefined;
  #background: Promise<unknown> | undefined;
  #rejected: string[] = [];
  #backgroundPausedUntil = 0;

  constructor(options: CredentialCacheOptions) {
    this.key = Object.freeze({ ...options.key });
    this.#store = options.store;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#refreshAt = options.refreshAt ?? 0.8;
    if (!(this.#refreshAt > 0 && this.#refreshAt <= 1)) throw new RangeError('refreshAt must be in (0, 1]');
    this.#expiryMarginMs = options.expiryMarginMs ?? 60_000;
    this.#events = options.events;
  }

  /**
   * The current credential value, fetching it if needed. `signal` stops this caller's wait, not the shared fetch
   * other callers are waiting on.
   */
  async get(signal?: AbortSignal): Promise<string> {
    const memo = this.#memo;
    if (memo) {
      const now = this.#now();
      if (now < this.#usableUntil(memo)) {
        if (now >= this.#dueAt(memo)) this.#refreshInBackground();
        return memo.value;
      }
    }
    return (await abortable(this.#load(), signal)).value;
  }

  /**
   * For a scheduled job: fetches a new credential if the stored one is missing, expired or due. Returns whether
   * this call fetched one (false when it was fresh, or another process refreshed it first).
   */
  async refreshIfDue(): Promise<boolean> {
    const stored = await this.#store.get(this.key);
    const now = this.#now();
    if (stored && this.#acceptable(stored, now) && now < this.#dueAt(stored)) {
      this.#memo = stored;
      return false;
    }
    const reason: RefreshReason = !stored ? 'missing' : now >= this.#usableUntil(stored) ? 'expired' : 'due';
    const { fetched } = await this.#fetchUnderLease(reason, (c, at) => at < this.#dueAt(c));
    return fetched;
  }

  /**
   * A call reported `failedValue` invalid (40001/40014/42001/42009). Deletes it from the store only if the store
   * still holds it, and makes sure this process does not use it again. Returns whether it was deleted.
   */
  async invalidate(failedValue: string, errcode?: number): Promise<boolean> {
    if (this.#memo?.value === failedValue) this.#memo = undefined;
    if (!this.#rejected.includes(failedValue)) this.#rejected = [failedValue, ...this.#rejected].slice(0, REJECTED_MEMORY);
    const deleted = await this.#store.invalidate(this.key, failedValue);
    this.#events?.emit('token:invalidate', { ...this.#who(), deleted, ...(errcode !== undefined && { errcode }) });
    return deleted;
  }

  /** What this process holds in memory (for diagnostics and tests): value omitted. */
  peek(): { expiresAt: number; fetchedAt: number } | undefined {
    return this.#memo && { expiresAt: this.#memo.expiresAt, fetchedAt: this.#memo.fetchedAt };
  }

  // ---------------------------------------------------------------------------------------------------------------

  #load(): Promise<StoredCredential> {
    this.#inflight ??= (async () => {
      try {
        const stored = await this.#store.get(this.key);
        const now = this.#now();
        if (stored && this.#acceptable(stored, now)) {
          this.#memo = stored;
          if (now >= this.#dueAt(stored)) this.#refreshInBackground();
          return stored;
        }
        const reason: RefreshReason = !stored ? (this.#rejected.length ? 'invalidated' : 'missing') : this.#isRejected(stored) ? 'invalidated' : 'expired';
        return (await this.#fetchUnderLease(reason, () => true)).credential;
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }

  #refreshInBackground(): void {
    if (this.#background || this.#inflight || this.#now() < this.#backgroundPausedUntil) return;
    this.#background = this.#fetchUnderLease('due', (c, at) => at < this.#dueAt(c))
      .catch((error: unknown) => {
        // Do not retry on every call while WeCom is unreachable; the cached token is still good for a while.
        this.#backgroundPausedUntil = this.#now() + BACKGROUND_RETRY_PAUSE_MS;
        this.#events?.emit('token:error', {
          ...this.#who(),
          message: (error as Error)?.message ?? String(error),
          ...(typeof (error as { errcode?: unknown })?.errcode === 'number' && { errcode: (error as { errcode: number }).errcode }),
        });
      })
      .finally(() => {
        this.#background = undefined;
      });
  }

  /**
   * Takes the lease, looks again (another process may have stored a good credential meanwhile — then `accept`
   * decides whether it will do), otherwise fetches and stores.
   */
  #fetchUnderLease(
    reason: RefreshReason,
    accept: (credential: StoredCredential, now: number) => boolean,
  ): Promise<{ credential: StoredCredential; fetched: boolean }> {
    return this.#store.withLease(this.key, async () => {
      const again = await this.#store.get(this.key);
      const lookedAt = this.#now();
      if (again && this.#acceptable(again, lookedAt) && accept(again, lookedAt)) {
        this.#memo = again;
        return { credential: again, fetched: false };
      }
      const fetched = await this.#fetch();
      if (typeof fetched.value !== 'string' || fetched.value === '' || !(fetched.expiresInSeconds > 0)) {
        throw new TypeError(`WeCom returned no usable ${this.key.kind} (empty value or expires_in)`);
      }
      const fetchedAt = this.#now();
      let expiresAt = fetchedAt + fetched.expiresInSeconds * 1000;
      // §2: within its validity a repeated fetch returns the same token, and its life is not extended by that;
      // so for the same value keep the expiry we already knew (if it is still ahead).
      const previous = again ?? this.#memo;
      if (previous && previous.value === fetched.value && previous.expiresAt > fetchedAt) {
        expiresAt = Math.min(expiresAt, previous.expiresAt);
      }
      const credential: StoredCredential = { value: fetched.value, fetchedAt, expiresAt };
      // WeCom vouched for it just now, even if a call reported it invalid earlier.
      this.#rejected = this.#rejected.filter((v) => v !== fetched.value);
      await this.#store.set(this.key, credential);
      this.#memo = credential;
      this.#events?.emit('token:refresh', {
        ...this.#who(),
        reason,
        elapsedMs: fetchedAt - lookedAt,
        expiresInSeconds: fetched.expiresInSeconds,
      });
      return { credential, fetched: true };
    });
  }

  #acceptable(credential: StoredCredential, now: number): boolean {
    return now < this.#usableUntil(credential) && !this.#isRejected(credential);
  }

  #isRejected(credential: StoredCredential): boolean {
    return this.#rejected.includes(credential.value);
  }

  #usableUntil(credential: StoredCredential): number {
    const lifetime = credential.expiresAt - credential.fetchedAt;
    return credential.expiresAt - Math.min(this.#expiryMarginMs, Math.max(0, lifetime) / 10);
  }

  #dueAt(credential: StoredCredential): number {
    return credential.fetchedAt + (credential.expiresAt - credential.fetchedAt) * this.#refreshAt;
  }

  #who() {
    return { corpId: this.key.corpId, agentId: this.key.agentId, kind: this.key.kind };
  }
}

/** Lets one caller stop waiting on a shared promise without cancelling it for the others. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
