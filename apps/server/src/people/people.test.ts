import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { signInAs, findSessionPerson } from '../auth/sessions.ts';
import { markWelcomed, syncDirectory } from './people.ts';

describe('people', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock();
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_people');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('syncs the directory: creates, renames, deactivates (and signs out) people WeCom no longer lists', async () => {
    expect(
      await syncDirectory(
        database.db,
        [
          { wecomUserId: 'zhangsan', name: '张三', departmentIds: [1], active: true },
          { wecomUserId: 'lisi', name: '李四', englishName: 'Lisa', active: true },
        ],
        clock,
      ),
    ).toEqual({ created: 2, updated: 0, deactivated: 0 });
    const session = await signInAs(database.db, 'lisi', { clock, ttlHours: 1 });

    expect(await syncDirectory(database.db, [{ wecomUserId: 'zhangsan', name: '张三丰', active: true }], clock)).toEqual({
      created: 0,
      updated: 1,
      deactivated: 1,
    });
    const people = await database.db.selectFrom('people').select(['wecom_userid', 'name', 'active']).orderBy('wecom_userid').execute();
    expect(people).toEqual([
      { wecom_userid: 'lisi', name: '李四', active: false },
      { wecom_userid: 'zhangsan', name: '张三丰', active: true },
    ]);
    expect(await findSessionPerson(database.db, session.sessionId, clock)).toBeUndefined();

    // An empty list is a failed read, not an empty company.
    expect(await syncDirectory(database.db, [], clock)).toEqual({ created: 0, updated: 0, deactivated: 0 });
  });

  it('marks the bot welcome once per person', async () => {
    const person = await createPerson(database.db);
    expect(await markWelcomed(database.db, person.id, clock)).toBe(true);
    expect(await markWelcomed(database.db, person.id, clock)).toBe(false);
  });

  it('admins grant roles; admin itself comes from PAIRVIEW_ADMINS; bad roles are refused', async () => {
    const app = await buildTestApp(database, { clock });
    try {
      const admin = await createPerson(database.db, { wecomUserId: 'admin' });
      const target = await createPerson(database.db, { name: 'Target' });
      const cookie = await sessionCookie(app, database.db, admin.id, clock);
      const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      expect(me.json().roles).toEqual(['admin', 'interviewer']);

      const granted = await app.inject({
        method: 'PUT',
        url: `/api/people/${target.id}/roles`,
        headers: { cookie },
        payload: { roles: ['recruiter', 'hiring_manager'] },
      });
      expect(granted.statusCode).toBe(200);
      expect(granted.json().roles).toEqual(['recruiter', 'hiring_manager', 'interviewer']);

      const bad = await app.inject({ method: 'PUT', url: `/api/people/${target.id}/roles`, headers: { cookie }, payload: { roles: ['admin'] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        code: 'validation_failed',
        fields: [{ in: 'body', path: 'roles.0', code: 'invalid_choice', message: 'Must be one of "recruiter", "hiring_manager"', messageZh: '只能是以下之一："recruiter", "hiring_manager"。' }],
      });
      expect(bad.json().message).toBe('Roles: must be one of "recruiter", "hiring_manager"');

      const listed = await app.inject({ method: 'GET', url: '/api/people?role=recruiter', headers: { cookie } });
      expect(listed.statusCode, listed.body).toBe(200);
      expect(listed.json().people.map((p: { name: string }) => p.name)).toEqual(['Target']);
    } finally {
      await app.close();
    }
  });
});
