/**
 * The contract every TokenStore passes (style habit 11: one spec, every implementation). Each implementation's
 * test file calls `tokenStoreContract` with a way to open instances: a shared store (PostgreSQL) opens one
 * instance per simulated process on the same database; the memory store hands back the same instance.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialKey, StoredCredential, TokenStore } from './store.ts';

export interface ContractSubject {
  /** Opens a store; for shared stores every call is a new instance (a separate process's view). */
  open(): Promise<TokenStore>;
  /** Whether distinct instances share state (and leases). */
  shared: boolean;
}

let keySeq = 0;
const freshKey = (kind: CredentialKey['kind'] = 'access_token'): CredentialKey => ({
  corpId: `wwcontract${process.pid}x${++keySeq}`,
  agentId: 1000002,
  kind,
});

const credential = (value: string, fetchedAt: number): StoredCredential => ({ value, fetchedAt, expiresAt: fetchedAt + 7_200_000 });

export function tokenStoreContract(name: string, subject: ContractSubject): void {
  describe(`${name} (TokenStore contract)`, () => {
    const opened: TokenStore[] = [];
    const open = async () => {
      const store = await subject.open();
      opened.push(store);
      return store;
    };
    afterAll(async () => {
      for (const store of new Set(opened)) await store.close?.();
    });

    it('returns what was stored, per key', async () => {
      const store = await open();
      const key = freshKey();
      expect(await store.get(key)).toBeUndefined();
      await store.set(key, credential('tokenA', 1_000));
      expect(await store.get(key)).toEqual(credential('tokenA', 1_000));
      expect(await store.get({ ...key, kind: 'jsapi_ticket' })).toBeUndefined();
      expect(await store.get({ ...key, agentId: key.agentId + 1 })).toBeUndefined();
    });

    it('one fetch under concurrency: 20 callers (as separate processes where the store is shared) fetch once', async () => {
      const key = freshKey();
      const stores = await Promise.all(Array.from({ length: subject.shared ? 5 : 1 }, open));
      let fetches = 0;
      let inside = 0;
      let maxInside = 0;
      const getOrFetch = (store: TokenStore, i: number) =>
        store.withLease(key, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          try {
            const again = await store.get(key); // the second look after taking the lease
            if (again) return again.value;
            fetches++;
            await delay(30); // a slow gettoken: everyone else must be queued on the lease meanwhile
            await store.set(key, credential(`token-from-${i}`, Date.now()));
            return `token-from-${i}`;
          } finally {
            inside--;
          }
        });
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => getOrFetch(stores[i % stores.length]!, i)));
      expect(fetches).toBe(1);
      expect(maxInside).toBe(1);
      expect(new Set(values).size).toBe(1);
    });

    it('a stale token never overwrites a newer one', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      const key = freshKey();
      await a!.set(key, credential('newer', 2_000));
      await b!.set(key, credential('stale', 1_000));
      expect((await a!.get(key))?.value).toBe('newer');
      expect((await b!.get(key))?.value).toBe('newer');
      // A later fetch does replace it.
      await b!.set(key, credential('newest', 3_000));
      expect((await a!.get(key))?.value).toBe('newest');
    });

    it('a stale writer racing newer writers loses, whatever the order of arrival', async () => {
      const stores = await Promise.all([open(), open(), open()]);
      const key = freshKey();
      await Promise.all(
        [5, 1, 4, 2, 3].map((n, i) => stores[i % stores.length]!.set(key, credential(`t${n}`, n * 1_000))),
      );
      expect((await stores[0]!.get(key))?.value).toBe('t5');
    });

    it('invalidate only deletes the token that failed', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      const key = freshKey();
      await a!.set(key, credential('old', 1_000));
      await a!.set(key, credential('new', 2_000)); // another process already refreshed
      expect(await b!.invalidate(key, 'old')).toBe(false);
      expect((await a!.get(key))?.value).toBe('new');
      expect(await b!.invalidate(key, 'new')).toBe(true);
      expect(await a!.get(key)).toBeUndefined();
      expect(await a!.invalidate(key, 'new')).toBe(false);
    });

    it('releases the lease when the holder fails', async () => {
      const store = await open();
      const key = freshKey();
      await expect(store.withLease(key, async () => Promise.reject(new Error('gettoken failed')))).rejects.toThrow('gettoken failed');
      expect(await store.withLease(key, async () => 'next holder')).toBe('next holder');
    });

    it('leases on different keys do not wait for each other', async () => {
      const store = await open();
      const a = freshKey();
      const b = { ...a, kind: 'jsapi_ticket' as const };
      let releaseA!: () => void;
      const holdingA = store.withLease(a, () => new Promise<void>((resolve) => (releaseA = resolve)));
      await delay(20);
      expect(await store.withLease(b, async () => 'b while a is held')).toBe('b while a is held');
      releaseA();
      await holdingA;
    });
  });
}
