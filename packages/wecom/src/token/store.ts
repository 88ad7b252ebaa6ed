/**
 * Where cached credentials live: the access token, and the JS-SDK tickets (cached the same way). One interface,
 * two implementations (memory, PostgreSQL) that pass the same contract test.
 */

export type CredentialKind = 'access_token' | 'jsapi_ticket' | 'agent_config_ticket';

/** A cache key: credentials are per app (corpId, agentId) and per kind (wecom-protocol.md §2, §10). */
export interface CredentialKey {
  corpId: string;
  agentId: number;
  kind: CredentialKind;
}

export interface StoredCredential {
  value: string;
  /** Epoch milliseconds when WeCom will stop accepting it. */
  expiresAt: number;
  /** Epoch milliseconds when it was fetched. */
  fetchedAt: number;
}

export interface TokenStore {
  get(key: CredentialKey): Promise<StoredCredential | undefined>;
  /**
   * Stores a freshly fetched credential unless the store already holds one fetched later (a stale writer never
   * overwrites a newer token).
   */
  set(key: CredentialKey, credential: StoredCredential): Promise<void>;
  /** Compare-and-delete: removes the credential only if the store still holds `value`. Returns whether it did. */
  invalidate(key: CredentialKey, value: string): Promise<boolean>;
  /**
   * Runs `fetch` under a lease that spans processes sharing the store, so N processes on an expired token make
   * one fetch: the callee takes the lease, looks again (another holder may have refreshed), fetches only if still
   * needed, stores, releases. The memory store's lease spans one process.
   */
  withLease<T>(key: CredentialKey, fn: () => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}
