import { dedupeStoreContract } from '@pairview/wecom/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/helpers.ts';
import { CLAIMED_EVENT_TYPE, logInboundCallback } from '../callback-log.ts';
import { PostgresDedupeStore } from './dedupe-store.ts';

describe('PostgresDedupeStore', () => {
  let database: MigratedTestDatabase;
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_dedupe');
  });
  afterAll(async () => {
    await database.drop();
  });

  describe('the SDK contract', () => {
    for (const check of dedupeStoreContract) it(check.name, () => check.run(() => new PostgresDedupeStore(database.pool)));
  });

  it('claims on the callback log: the logged event fills the claimed row, with one handler job', async () => {
    const store = new PostgresDedupeStore(database.pool);
    const now = Date.now();
    expect(await store.claim({ key: 'log:k1', now, expiresAt: now + 600_000 })).toBe(true);
    const claimed = await database.db.selectFrom('inbound_callbacks').selectAll().where('dedupe_key', '=', 'log:k1').executeTakeFirstOrThrow();
    expect(claimed.event_type).toBe(CLAIMED_EVENT_TYPE);

    const clock = { now: () => new Date() };
    const logged = await logInboundCallback(database.db, { dedupeKey: 'log:k1', eventType: 'text', raw: { Content: 'today' } }, clock);
    expect(logged).toEqual({ id: claimed.id, duplicate: false });
    const again = await logInboundCallback(database.db, { dedupeKey: 'log:k1', eventType: 'text', raw: { Content: 'today' } }, clock);
    expect(again).toEqual({ id: claimed.id, duplicate: true });
    const row = await database.db.selectFrom('inbound_callbacks').selectAll().where('id', '=', claimed.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ event_type: 'text', raw: { Content: 'today' } });

    // After the hold the receiver may take the key again, but the log never logs it twice.
    expect(await store.claim({ key: 'log:k1', now: now + 600_000, expiresAt: now + 1_200_000 })).toBe(true);
    expect((await logInboundCallback(database.db, { dedupeKey: 'log:k1', eventType: 'text', raw: {} }, clock)).duplicate).toBe(true);
  });

  it('releases only a bare claim: a logged callback stays deduplicated', async () => {
    const store = new PostgresDedupeStore(database.pool);
    const now = Date.now();
    expect(await store.claim({ key: 'release:bare', now, expiresAt: now + 600_000 })).toBe(true);
    await store.release('release:bare');
    expect(await database.db.selectFrom('inbound_callbacks').select('id').where('dedupe_key', '=', 'release:bare').executeTakeFirst()).toBeUndefined();

    expect(await store.claim({ key: 'release:logged', now, expiresAt: now + 600_000 })).toBe(true);
    await logInboundCallback(database.db, { dedupeKey: 'release:logged', eventType: 'text', raw: {} }, { now: () => new Date() });
    await store.release('release:logged');
    expect(await store.claim({ key: 'release:logged', now: now + 1_000, expiresAt: now + 601_000 })).toBe(false);
  });
});
