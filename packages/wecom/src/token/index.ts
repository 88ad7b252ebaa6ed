export type { CredentialKey, CredentialKind, StoredCredential, TokenStore } from './store.ts';
export { MemoryTokenStore } from './memory-store.ts';
export { PostgresTokenStore, LeaseTimeoutError, type PostgresTokenStoreOptions } from './postgres-store.ts';
export { CredentialCache, type CredentialCacheOptions, type CredentialFetcher, type FetchedCredential } from './credential-cache.ts';
export { accessTokenFetcher } from './access-token.ts';

import { MemoryTokenStore } from './memory-store.ts';
import { PostgresTokenStore } from './postgres-store.ts';
import type { TokenStore } from './store.ts';

/** The store a configuration asks for: PostgreSQL when `databaseUrl` is set (shared across processes), else memory. */
export function tokenStoreFor(config: { databaseUrl?: string }): TokenStore {
  return config.databaseUrl ? new PostgresTokenStore({ connectionString: config.databaseUrl }) : new MemoryTokenStore();
}
