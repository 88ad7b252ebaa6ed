/**
 * The contract every DedupeStore must keep, as plain async checks (node:assert), so any test runner can run them
 * against any implementation (memory here; an app's PostgreSQL store in its own tests):
 *
 *   for (const check of dedupeStoreContract) it(check.name, () => check.run(() => new MyStore(...)));
 */
import assert from 'node:assert/strict';
import type { DedupeStore } from '../callback/dedupe.ts';

export interface DedupeStoreCheck {
  readonly name: string;
  /** `makeStore` returns a fresh, empty store (or one with keys no other check uses). */
  run(makeStore: () => DedupeStore | Promise<DedupeStore>): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const unique = (label: string): string => `contract:${label}:${Math.random().toString(36).slice(2)}`;

async function withStore(makeStore: () => DedupeStore | Promise<DedupeStore>, fn: (store: DedupeStore) => Promise<void>): Promise<void> {
  const store = await makeStore();
  try {
    await fn(store);
  } finally {
    await store.close?.();
  }
}

export const dedupeStoreContract: readonly DedupeStoreCheck[] = [
  {
    name: 'a released key can be claimed again at once (stores without release skip this)',
    run: (make) =>
      withStore(make, async (store) => {
        if (!store.release) return;
        const key = unique('release');
        const other = unique('release-other');
        assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 60_000 }), true);
        assert.equal(await store.claim({ key: other, now: T0, expiresAt: T0 + 60_000 }), true);
        await store.release(key);
        assert.equal(await store.claim({ key, now: T0 + 1_000, expiresAt: T0 + 61_000 }), true);
        assert.equal(await store.claim({ key: other, now: T0 + 1_000, expiresAt: T0 + 61_000 }), false);
      }),
  },
  {
    name: 'the first claim of a key succeeds and a repeat is refused',
    run: (make) =>
      withStore(make, async (store) => {
        const key = unique('repeat');
        assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 60_000 }), true);
        assert.equal(await store.claim({ key, now: T0 + 1_000, expiresAt: T0 + 61_000 }), false);
      }),
  },
  {
    name: 'different keys do not affect each other',
    run: (make) =>
      withStore(make, async (store) => {
        const a = unique('a');
        const b = unique('b');
        assert.equal(await store.claim({ key: a, now: T0, expiresAt: T0 + 60_000 }), true);
        assert.equal(await store.claim({ key: b, now: T0, expiresAt: T0 + 60_000 }), true);
      }),
  },
  {
    name: 'a key can be claimed again once it expired, and is then held again',
    run: (make) =>
      withStore(make, async (store) => {
        const key = unique('expiry');
        assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 60_000 }), true);
        assert.equal(await store.claim({ key, now: T0 + 59_999, expiresAt: T0 + 119_999 }), false);
        assert.equal(await store.claim({ key, now: T0 + 60_000, expiresAt: T0 + 120_000 }), true);
        assert.equal(await store.claim({ key, now: T0 + 60_001, expiresAt: T0 + 120_001 }), false);
      }),
  },
  {
    name: 'a refused claim does not extend the hold',
    run: (make) =>
      withStore(make, async (store) => {
        const key = unique('extend');
        assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 10_000 }), true);
        assert.equal(await store.claim({ key, now: T0 + 5_000, expiresAt: T0 + 900_000 }), false);
        assert.equal(await store.claim({ key, now: T0 + 10_000, expiresAt: T0 + 20_000 }), true);
      }),
  },
  {
    name: 'of 20 concurrent claims of one key exactly one succeeds',
    run: (make) =>
      withStore(make, async (store) => {
        const key = unique('race');
        const results = await Promise.all(Array.from({ length: 20 }, () => store.claim({ key, now: T0, expiresAt: T0 + 60_000 })));
        assert.equal(results.filter(Boolean).length, 1);
      }),
  },
  {
    name: 'keys with any characters are kept apart (long, unicode, separators)',
    run: (make) =>
      withStore(make, async (store) => {
        const base = unique('chars');
        const keys = [`${base}:a:b`, `${base}:a%3Ab`, `${base}:张三`, `${base}:${'x'.repeat(500)}`];
        for (const key of keys) assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 60_000 }), true, key.slice(0, 80));
        for (const key of keys) assert.equal(await store.claim({ key, now: T0, expiresAt: T0 + 60_000 }), false, key.slice(0, 80));
      }),
  },
];
