import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, queuedJobs, type MigratedTestDatabase } from '../../../test/helpers.ts';
import { systemClock } from '../../clock.ts';
import { HANDLE_CALLBACK_TASK, logInboundCallbacks } from '../callback-log.ts';
import { CallbackLogBatch } from './log-batch.ts';

describe('CallbackLogBatch and logInboundCallbacks', () => {
  let database: MigratedTestDatabase;
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_callback_batch');
  });
  afterAll(async () => {
    await database?.drop();
  });

  const text = (key: string, raw: Record<string, string> = { Content: key }) => ({ dedupeKey: key, eventType: 'text', raw });
  const rowsFor = (prefix: string) => database.db.selectFrom('inbound_callbacks').selectAll().where('dedupe_key', 'like', `${prefix}%`).execute();
  const jobIdsFor = async (ids: readonly string[]) => (await queuedJobs(database.db, HANDLE_CALLBACK_TASK)).filter((j) => ids.includes(j.payload.callbackId as string));

  it('writes the callbacks of one turn in one statement, each with its own row and job', async () => {
    const batch = new CallbackLogBatch(database.pool, systemClock);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batch.log(text(`turn:${i}`))));
    expect(batch.stats).toEqual({ batches: 1, callbacks: 20 });
    expect(results.every((r) => !r.duplicate)).toBe(true);
    const rows = await rowsFor('turn:');
    expect(rows.map((r) => r.id).sort()).toEqual(results.map((r) => r.id).sort());
    expect(rows.find((r) => r.dedupe_key === 'turn:7')).toMatchObject({ id: results[7]!.id, event_type: 'text', raw: { Content: 'turn:7' } });
    const jobs = await jobIdsFor(results.map((r) => r.id));
    expect(jobs).toHaveLength(20);
    expect(jobs[0]).toMatchObject({ key: null, attempts: 0 });
  });

  it('logs a key once: a repeat in the same batch and a later retry are duplicates with the first id, and add no job', async () => {
    const batch = new CallbackLogBatch(database.pool, systemClock);
    const [first, repeat, other] = await Promise.all([batch.log(text('dup:a')), batch.log(text('dup:a')), batch.log(text('dup:b'))]);
    expect(first).toMatchObject({ duplicate: false });
    expect(repeat).toEqual({ id: first!.id, duplicate: true });
    expect(other).toMatchObject({ duplicate: false });
    expect(await batch.log(text('dup:a'))).toEqual({ id: first!.id, duplicate: true });
    expect(await rowsFor('dup:')).toHaveLength(2);
    expect(await jobIdsFor([first!.id, other!.id])).toHaveLength(2);
  });

  it('fails only the callback PostgreSQL refuses; the others of its batch are logged', async () => {
    const batch = new CallbackLogBatch(database.pool, systemClock);
    // jsonb has no \u0000: this raw is refused, and with it the whole first statement.
    const outcomes = await Promise.allSettled([batch.log(text('bad:ok1')), batch.log(text('bad:nul', { Content: 'a\u0000b' })), batch.log(text('bad:ok2'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await rowsFor('bad:')).map((r) => r.dedupe_key).sort()).toEqual(['bad:ok1', 'bad:ok2']);
    expect(batch.stats.batches).toBe(1);
  });

  it('keeps at most maxInFlight batches in flight; the rest join the next batch', async () => {
    const batch = new CallbackLogBatch(database.pool, systemClock, { maxInFlight: 1, maxBatch: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => batch.log(text(`cap:${i}`))));
    expect(batch.stats).toEqual({ batches: 3, callbacks: 12 });
    expect(new Set(results.map((r) => r.id)).size).toBe(12);
  });

  it('leaves the connection\'s plan_cache_mode as it was (the statement sets it for its own transaction)', async () => {
    const single = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      await logInboundCallbacks(single, [text('plans:1')], systemClock);
      expect((await single.query('show plan_cache_mode')).rows[0]).toEqual({ plan_cache_mode: 'auto' });
    } finally {
      await single.end();
    }
  });

  it('fills a row claimed by an older Pairview\'s dedupe store, and answers in the order asked', async () => {
    await database.db.insertInto('inbound_callbacks').values({ dedupe_key: 'old:claimed', event_type: 'claimed', raw: JSON.stringify(null), received_at: new Date() }).execute();
    const results = await logInboundCallbacks(database.pool, [text('old:new'), text('old:claimed')], systemClock);
    const rows = await rowsFor('old:');
    expect(results.map((r) => r.id)).toEqual(['old:new', 'old:claimed'].map((key) => rows.find((r) => r.dedupe_key === key)!.id));
    expect(results.map((r) => r.duplicate)).toEqual([false, false]);
    expect(rows.find((r) => r.dedupe_key === 'old:claimed')).toMatchObject({ event_type: 'text', raw: { Content: 'old:claimed' } });
    expect(await logInboundCallbacks(database.pool, [], systemClock)).toEqual([]);
  });
});
