import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { enqueueNotification } from './outbox.ts';

describe('message log (admin)', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock();
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_messages');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('lists outbound messages with recipients, filtered by status, kind and recipient; retries a failed one', async () => {
    const app = await buildTestApp(database, { clock });
    try {
      const admin = await createPerson(database.db, { wecomUserId: 'admin', name: 'Ada' });
      const zhang = await createPerson(database.db, { name: '张三' });
      const li = await createPerson(database.db, { name: '李四' });
      const cookie = await sessionCookie(app, database.db, admin.id, clock);
      const [welcome, reply] = await database.db.transaction().execute(async (tx) => [
        await enqueueNotification(tx, { kind: 'welcome', recipients: [zhang.id] }),
        await enqueueNotification(tx, { kind: 'bot_reply', command: 'today', recipients: [li.id] }),
      ]);
      await database.db
        .updateTable('outbox')
        .set({ status: 'failed', errcode: 81013, errmsg: 'user & party & tag all invalid' })
        .where('id', '=', reply!)
        .execute();

      const get = async (query: string) => (await app.inject({ method: 'GET', url: `/api/messages${query}`, headers: { cookie } })).json();
      expect((await get('')).messages.map((m: { id: string }) => m.id).sort()).toEqual([welcome, reply].sort());
      const failed = await get('?status=failed');
      expect(failed.messages).toEqual([
        expect.objectContaining({
          id: reply,
          kind: 'bot_reply',
          status: 'failed',
          errcode: 81013,
          recipients: [{ id: li.id, name: '李四', wecomUserId: li.wecom_userid }],
          payload: { kind: 'bot_reply', command: 'today', recipients: [li.id] },
        }),
      ]);
      expect((await get(`?recipientId=${zhang.id}`)).messages.map((m: { id: string }) => m.id)).toEqual([welcome]);
      expect((await get('?kind=welcome')).messages.map((m: { id: string }) => m.id)).toEqual([welcome]);
      const badKind = await app.inject({ method: 'GET', url: '/api/messages?kind=fax', headers: { cookie } });
      expect(badKind.statusCode).toBe(400);
      expect(badKind.json()).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^Kind: must be one of "interview_scheduled", /) });
      expect(badKind.json().fields).toEqual([expect.objectContaining({ in: 'query', path: 'kind', code: 'invalid_choice' })]);

      const retried = await app.inject({ method: 'POST', url: `/api/messages/${reply}/retry`, headers: { cookie } });
      expect(retried.json()).toEqual({ id: reply, status: 'queued' });
      const notFailed = await app.inject({ method: 'POST', url: `/api/messages/${welcome}/retry`, headers: { cookie } });
      expect(notFailed.statusCode).toBe(409);
      expect(notFailed.json().message).toMatch(/this one is queued/);
    } finally {
      await app.close();
    }
  });
});
