import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, createMigratedDatabase, queuedJobs, type MigratedTestDatabase } from '../../test/helpers.ts';
import { HANDLE_CALLBACK_TASK, logInboundCallback, markCallbackHandled } from './callback-log.ts';

describe('inbound callback log', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock();
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_callbacks');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('logs a callback once with one handler job; WeCom\'s retry of the same callback is a duplicate', async () => {
    const callback = { dedupeKey: 'zhangsan:1700000000:enter_agent', eventType: 'event:enter_agent', raw: { FromUserName: 'zhangsan' } };
    const first = await logInboundCallback(database.pool, callback, clock);
    const again = await logInboundCallback(database.pool, callback, clock);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect((await queuedJobs(database.db, HANDLE_CALLBACK_TASK)).map((j) => j.payload)).toEqual([{ callbackId: first.id }]);

    await markCallbackHandled(database.db, first.id, clock);
    const row = await database.db.selectFrom('inbound_callbacks').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ event_type: 'event:enter_agent', raw: { FromUserName: 'zhangsan' }, handled_at: clock.now(), error: null });
  });
});
