/**
 * The default TokenStore: one process, no I/O. Its lease is an in-process mutex per key, so it gives "one fetch
 * in flight" within a process; processes that must share a token use PostgresTokenStore.
 */
import type { CredentialKey, StoredCredential, TokenStore } from './store.ts';

export function credentialKeyString(key: CredentialKey): string {
  return `${key.corpId}/${key.agentId}/${key.kind}`;
}

export class MemoryTokenStore implements TokenStore {
  readonly #credentials = new Map<string, StoredCredential>();
  /** The tail of each key's lease queue. */
  readonly #leases = new Map<string, Promise<void>>();

  async get(key: CredentialKey): Promise<StoredCredential | undefined> {
    const found = this.#credentials.get(credentialKeyString(key));
    return found && { ...found };
  }

  async set(key: CredentialKey, credential: StoredCredential): Promise<void> {
    const id = credentialKeyString(key);
    const current = this.#credentials.get(id);
    // A stale writer (fetched before the stored one) never overwrites a newer token.
    if (current && current.fetchedAt > credential.fetchedAt) return;
    this.#credentials.set(id, { value: credential.value, expiresAt: credential.expiresAt, fetchedAt: credential.fetchedAt });
  }

  async invalidate(key: CredentialKey, value: string): Promise<boolean> {
    const id = credentialKeyString(key);
    if (this.#credentials.get(id)?.value !== value) return false;
    this.#credentials.delete(id);
    return true;
  }

  async withLease<T>(key: CredentialKey, fn: () => Promise<T>): Promise<T> {
    const id = credentialKeyString(key);
    const previous = this.#leases.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#leases.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#leases.get(id) === tail) this.#leases.delete(id);
    }
  }
}
