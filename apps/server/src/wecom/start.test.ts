/**
 * The WeCom side started as `npm start` starts it in development: the emulator in-process with its demo company,
 * the SDK client on the PostgreSQL token store, the directory synced, the nightly sync and the token refresh
 * planned as graphile-worker jobs, and /healthz's `wecom` field. Real PostgreSQL, real emulator, the worker run
 * with Date moved (graphile-worker's useNodeTime), never waited for.
 */
import { loadDemoDirectory } from '@pairview/wecom-emulator';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, createMigratedDatabase, queuedJobs, sessionCookie, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import type { Clock } from '../clock.ts';
import { DEMO_PEOPLE, startWeCom, withDevelopmentDefaults, type WeComIntegration } from './index.ts';
import { DIRECTORY_SYNC_TASK, nextDirectorySyncAt, runDirectorySync } from './directory/sync.ts';
import { TOKEN_REFRESH_TASK } from './token-refresh.ts';

const clock: Clock = { now: () => new Date() }; // reads the faked Date
const silent = new Logger(() => () => {});
const quiet = { info: () => {}, warn: () => {} };
const START = '2030-01-07T02:00:00.000Z'; // Monday 10:00 in Shanghai

describe('startWeCom in development mode (the emulator)', () => {
  let database: MigratedTestDatabase;
  let wecom: WeComIntegration;
  const config = withDevelopmentDefaults(testConfig({ PAIRVIEW_ADMINS: '', PORT: '3999' }));

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });
  beforeEach(async () => {
    vi.setSystemTime(new Date(START));
    database = await createMigratedDatabase('pv_wecom_start');
    wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock, log: quiet, emulatorPort: 0 });
  });
  afterEach(async () => {
    await wecom.stop();
    await database.drop();
  });

  /** Moves time to `at` and lets graphile-worker run every job due by then, with the glue's tasks. */
  async function runAt(at: string | Date) {
    vi.setSystemTime(new Date(at));
    await runOnce({ pgPool: database.pool, taskList: wecom.tasks, useNodeTime: true, logger: silent });
    for (let i = 0; i < 200; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(database.db);
      if (rows[0]!.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('graphile-worker left jobs locked after runOnce');
  }

  const people = () => database.db.selectFrom('people').selectAll().orderBy('wecom_userid').execute();
  const person = async (userid: string) => (await people()).find((p) => p.wecom_userid === userid);

  it('syncs the demo company before serving; demo people get their roles on a fresh database', async () => {
    const demo = loadDemoDirectory();
    expect(wecom.mode).toBe('emulator');
    expect(wecom.firstSync).toEqual({ status: 'synced', members: demo.users.length, created: demo.users.length, updated: 0, deactivated: 0 });
    const all = await people();
    expect(all.map((p) => p.wecom_userid).sort()).toEqual(demo.users.map((u) => u.userid).sort());
    expect(await person('zhangwei')).toMatchObject({ name: '张伟', english_name: 'Wei Zhang', department_ids: [2], active: true, roles: ['hiring_manager'] });
    expect(await person(DEMO_PEOPLE.adminRecruiter)).toMatchObject({ roles: ['recruiter'] });
    // Daniel Kim's alias is Chinese: it is not an English name.
    expect(await person('daniel')).toMatchObject({ name: 'Daniel Kim', english_name: null });
    // linxiao has not activated WeCom (status 4): known, but not active.
    expect(await person('linxiao')).toMatchObject({ active: false });
    expect([...config.admins]).toEqual([DEMO_PEOPLE.adminRecruiter]);
  });

  it('keeps roles an admin changed: demo roles are granted on a fresh database only', async () => {
    await database.db.updateTable('people').set({ roles: [] }).where('wecom_userid', '=', 'zhangwei').execute();
    await wecom.stop();
    wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock, log: quiet, emulatorPort: 0 });
    expect(wecom.firstSync).toMatchObject({ status: 'synced', created: 0 });
    expect(await person('zhangwei')).toMatchObject({ roles: [] });
  });

  it('wires the emulator to Pairview: callback URL, fresh callback secrets shared with the client, trusted domain', async () => {
    const emu = wecom.emulator!;
    const callback = emu.state.config.callback!;
    expect(callback.url).toBe('http://localhost:3999/wecom/callback');
    expect(callback.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(callback.encodingAESKey).toMatch(/^[A-Za-z0-9]{43}$/);
    const client = wecom.deps.client.config;
    expect([client.corpId, client.agentId, client.callbackToken, client.encodingAESKey]).toEqual([emu.corpId, emu.agentId, callback.token, callback.encodingAESKey]);
    expect(emu.state.config.app.trustedDomains).toEqual(['localhost:3999']);
    // The OAuth URLs the sign-in routes build point at the emulator's pages, and the emulator accepts them.
    const authorize = wecom.deps.client.oauth.authorizeUrl({ redirectUri: 'http://localhost:3999/auth/wecom/callback', state: 's1' });
    expect(authorize.startsWith(`${emu.url}/connect/oauth2/authorize?`)).toBe(true);
    const page = await fetch(authorize);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('zhangwei');
    const foreign = await fetch(wecom.deps.client.oauth.authorizeUrl({ redirectUri: 'http://evil.example/cb', state: 's2' }));
    expect(await foreign.text()).toContain('not a trusted domain');
    // A second start makes a new pair: nothing to keep in .data/.
    const other = await startWeCom({ config, db: database.db, pool: database.pool, clock, log: quiet, emulatorPort: 0 });
    try {
      expect(other.emulator!.state.config.callback!.token).not.toBe(callback.token);
    } finally {
      await other.stop();
    }
  });

  it('plans the nightly sync at 02:00 in the company time zone and the token refresh every 5 minutes', async () => {
    const jobs = await queuedJobs(database.db);
    expect(jobs.filter((j) => j.task_identifier === DIRECTORY_SYNC_TASK).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T18:00:00.000Z']);
    expect(jobs.filter((j) => j.task_identifier === TOKEN_REFRESH_TASK).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T02:05:00.000Z']);
    expect(nextDirectorySyncAt(new Date('2030-01-07T17:59:59Z'), 'Asia/Shanghai').toISOString()).toBe('2030-01-07T18:00:00.000Z');
    expect(nextDirectorySyncAt(new Date('2030-01-07T18:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2030-01-08T18:00:00.000Z');
    // The night clocks spring forward in Berlin, 02:00 does not exist: the sync runs at 03:00 CEST.
    expect(nextDirectorySyncAt(new Date('2030-03-30T23:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2030-03-31T01:00:00.000Z');
  });

  it('nightly: members gone from WeCom are deactivated, renames applied, newcomers created; then tomorrow is planned', async () => {
    const demo = loadDemoDirectory();
    const users = demo.users
      .filter((u) => u.userid !== 'wangfang')
      .map((u) => (u.userid === 'lina' ? { ...u, name: '李娜娜' } : u));
    users.push({ userid: 'newhire', name: '新人', department: [4], status: 1 } as (typeof users)[number]);
    wecom.emulator!.control.loadDirectory({ ...demo, users });

    await runAt('2030-01-07T18:00:00.000Z');
    expect(await person('wangfang')).toMatchObject({ active: false });
    expect(await person('lina')).toMatchObject({ name: '李娜娜', active: true });
    expect(await person('newhire')).toMatchObject({ name: '新人', active: true, department_ids: [4] });
    expect((await queuedJobs(database.db, DIRECTORY_SYNC_TASK)).map((j) => j.run_at.toISOString())).toEqual(['2030-01-08T18:00:00.000Z']);

    const status = await wecom.status();
    expect(status).toMatchObject({ status: 'ok', directory: { lastSyncAt: '2030-01-07T18:00:00.000Z', members: users.length, lastError: null } });
  });

  it('a failed read changes nothing and shows on /healthz with its errcode', async () => {
    const before = await people();
    wecom.emulator!.control.loadDirectory({ ...loadDemoDirectory(), users: [] });
    wecom.emulator!.control.injectFault({ path: 'user/list', errcodes: [60011] });
    await expect(runDirectorySync(wecom.deps)).rejects.toThrow(/60011/);
    expect(await people()).toEqual(before);

    const app = await buildTestApp(database, { clock, wecomStatus: () => wecom.status() });
    try {
      const health = (await app.inject('/healthz')).json();
      expect(health.status).toBe('degraded');
      expect(health.wecom).toMatchObject({
        status: 'error',
        mode: 'emulator',
        corpId: wecom.emulator!.corpId,
        agentId: wecom.emulator!.agentId,
        callbackUrl: 'http://localhost:3999/wecom/callback',
        directory: { lastError: { errcode: 60011 }, members: loadDemoDirectory().users.length },
      });
      expect(health.wecom.message).toMatch(/directory sync failed/);
    } finally {
      await app.close();
    }
  });

  it('an admin syncs the directory now from the web app (POST /api/wecom/directory-sync); a WeCom refusal is a 502 that changes nothing', async () => {
    const app = await buildTestApp(database, { clock, config, plugins: [wecom.plugin], wecomStatus: () => wecom.status() });
    try {
      const demo = loadDemoDirectory();
      wecom.emulator!.control.loadDirectory({ ...demo, users: [...demo.users, { userid: 'newhire', name: '新人', department: [4], status: 1 } as (typeof demo.users)[number]] });
      const cookieOf = async (userid: string) => sessionCookie(app, database.db, (await person(userid))!.id, clock);
      const sync = async (userid: string) => app.inject({ method: 'POST', url: '/api/wecom/directory-sync', headers: { cookie: await cookieOf(userid) } });

      expect((await sync(DEMO_PEOPLE.hiringManager)).statusCode).toBe(403);
      expect(await person('newhire')).toBeUndefined();
      const synced = await sync(DEMO_PEOPLE.adminRecruiter);
      expect(synced.statusCode).toBe(200);
      expect(synced.json()).toMatchObject({ status: 'synced', members: demo.users.length + 1, created: 1, deactivated: 0 });
      expect(await person('newhire')).toMatchObject({ name: '新人', active: true });

      const before = await people();
      wecom.emulator!.control.loadDirectory({ ...demo, users: [] });
      wecom.emulator!.control.injectFault({ path: 'user/list', errcodes: [60011] });
      const refused = await sync(DEMO_PEOPLE.adminRecruiter);
      expect(refused.statusCode).toBe(502);
      expect(refused.json()).toMatchObject({ error: 'wecom_unavailable', code: 'directory_sync_failed', message: expect.stringContaining('errcode 60011') });
      expect(refused.json().messageZh).toContain('错误码 60011');
      expect(refused.body).not.toContain(wecom.emulator!.secret);
      expect(await people()).toEqual(before);
    } finally {
      await app.close();
    }
  });

  it('refreshes the shared token ahead of time and after expiry; /healthz shows its state, never the token', async () => {
    const token = async () =>
      (await sql<{ value: string; fetched_at: string; expires_at: string }>`select value, fetched_at, expires_at from wecom_credentials where kind = 'access_token'`.execute(database.db)).rows;
    const gettokenCalls = () => wecom.emulator!.control.calls({ path: '/cgi-bin/gettoken' }).length;
    const [first] = await token();
    expect(first).toBeDefined(); // fetched by the start-up sync
    expect(gettokenCalls()).toBe(1);

    await runAt('2030-01-07T02:05:00.000Z'); // fresh: nothing fetched
    expect(gettokenCalls()).toBe(1);
    expect((await wecom.status()) as object).toMatchObject({ token: { cached: true, lastRefreshAt: '2030-01-07T02:05:00.000Z', lastRefreshError: null } });

    // Past 80% of 7200 s (5760 s): the job asks WeCom again before the token expires (WeCom answers with the
    // same token while it is valid, §2, so its expiry stays 04:00).
    await sql`update graphile_worker._private_jobs set run_at = '2030-01-07T03:40:00Z' where key = ${TOKEN_REFRESH_TASK}`.execute(database.db);
    await runAt('2030-01-07T03:40:00.000Z');
    expect(gettokenCalls()).toBe(2);
    expect((await token())[0]).toMatchObject({ value: first!.value, fetched_at: String(Date.parse('2030-01-07T03:40:00.000Z')) });
    expect((await queuedJobs(database.db, TOKEN_REFRESH_TASK)).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T03:45:00.000Z']);

    // From the old token's expiry on, the next run fetches the new one.
    await sql`update graphile_worker._private_jobs set run_at = '2030-01-07T04:00:00Z' where key = ${TOKEN_REFRESH_TASK}`.execute(database.db);
    await runAt('2030-01-07T04:00:00.000Z');
    const [second] = await token();
    expect(second!.value).not.toBe(first!.value);
    expect(Number(second!.expires_at)).toBe(Date.parse('2030-01-07T06:00:00.000Z'));

    const status = await wecom.status();
    expect(status).toMatchObject({ status: 'ok', mode: 'emulator', token: { cached: true, expiresAt: '2030-01-07T06:00:00.000Z', fetchedAt: '2030-01-07T04:00:00.000Z' } });
    const text = JSON.stringify(status);
    expect(text).not.toContain(second!.value);
    expect(text).not.toContain(wecom.emulator!.secret);
    expect(text).not.toContain(wecom.emulator!.state.config.callback!.token);
  });

  it('a failing refresh is recorded with its errcode and does not stop the next one', async () => {
    await sql`delete from wecom_credentials`.execute(database.db);
    wecom.emulator!.control.injectFault({ path: 'gettoken', errcodes: [40013] });
    await runAt('2030-01-07T02:05:00.000Z');
    const status = await wecom.status();
    expect(status).toMatchObject({ status: 'error', token: { cached: false, lastRefreshError: { errcode: 40013 } } });
    expect(JSON.stringify(status)).not.toContain(wecom.emulator!.secret);
    expect((await queuedJobs(database.db, TOKEN_REFRESH_TASK)).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T02:10:00.000Z']);

    await runAt('2030-01-07T02:10:00.000Z');
    expect(await wecom.status()).toMatchObject({ status: 'ok', token: { cached: true, lastRefreshError: null } });
  });
});
