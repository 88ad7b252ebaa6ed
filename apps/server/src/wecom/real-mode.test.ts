/**
 * Real-WeCom mode (all five WECOM_* set), the way a deployment runs it: startWeCom starts no emulator and talks to
 * whatever WECOM_API_BASE / WECOM_OAUTH_BASE / WECOM_LOGIN_BASE name — here an emulator this test starts on its
 * own, as a stand-in for qyapi.weixin.qq.com, with the app's Corp ID, Secret, callback Token and EncodingAESKey
 * given to both sides and its callback URL pointed at the Pairview app under test. The HTTP socket listens on
 * port 0 first, so Pairview's public URL is known before either side is configured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDemoDirectory, startEmulator, type Emulator } from '@pairview/wecom-emulator';
import type { FastifyInstance } from 'fastify';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import { buildApp } from '../app.ts';
import type { MemberPrincipal } from '../auth/principal.ts';
import { systemClock } from '../clock.ts';
import { createInterview } from '../interviews/service.ts';
import { notificationTasks } from '../notifications/tasks.ts';
import { startWeCom, type WeComIntegration } from './index.ts';

const silent = new Logger(() => () => {});
const CALLBACK_TOKEN = 'RealModeToken0123456789abcdefXYZ'; // §6.1: 1–32 letters or digits
const AES_KEY = 'RealModeEncodingAESKey0123456789abcdefghijk'; // §6.1: 43 letters or digits
const SECRET = 'real-mode-app-secret-0123456789abcdefghijkl';

describe('startWeCom with a real app (WECOM_* set) against WeCom at WECOM_API_BASE', () => {
  let database: MigratedTestDatabase;
  let server: Server;
  let emu: Emulator;
  let wecom: WeComIntegration;
  let app: FastifyInstance | undefined;
  let base: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_wecom_real');
    server = createServer((request, response) => {
      if (app) app.routing(request, response);
      else response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emu = await startEmulator({
      port: 0,
      secret: SECRET,
      app: { name: 'Pairview', trustedDomains: [new URL(base).host] },
      callback: { url: `${base}/wecom/callback`, token: CALLBACK_TOKEN, encodingAESKey: AES_KEY, retryDelayMs: 0 },
    });
    const config = testConfig({
      PAIRVIEW_PUBLIC_URL: base,
      PAIRVIEW_ADMINS: 'sunli',
      WECOM_CORP_ID: emu.corpId,
      WECOM_AGENT_ID: String(emu.agentId),
      WECOM_SECRET: SECRET,
      WECOM_CALLBACK_TOKEN: CALLBACK_TOKEN,
      WECOM_ENCODING_AES_KEY: AES_KEY,
      WECOM_API_BASE: emu.url,
      WECOM_OAUTH_BASE: emu.url,
      WECOM_LOGIN_BASE: emu.url,
    });
    wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock: systemClock, log: { info() {}, warn() {} } });
    app = await buildApp({ config, db: database.db, pool: database.pool, clock: systemClock, wecomStatus: () => wecom.status(), plugins: [wecom.plugin] });
  });
  afterAll(async () => {
    await app?.close();
    await wecom?.stop();
    await emu?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await database?.drop();
  });

  /** Every due job (delivery, callback handling), with the tasks main.ts gives the worker. */
  async function runJobs() {
    const taskList = { ...notificationTasks({ db: database.db, clock: systemClock, timeZone: 'Asia/Shanghai', notifier: wecom.notifier }), ...wecom.tasks };
    for (let round = 0; round < 20; round++) {
      await runOnce({ pgPool: database.pool, taskList, logger: silent });
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(database.db);
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where run_at <= now() and attempts < max_attempts`.execute(database.db);
      if (rows[0]!.n === 0) return;
    }
    throw new Error('jobs were still due after 20 rounds of runOnce');
  }

  it('runs against WECOM_API_BASE, not WeCom and not an emulator of its own', async () => {
    expect(wecom.mode).toBe('wecom');
    expect(wecom.emulator).toBeUndefined();
    expect(wecom.urls).toEqual([]);
    expect(wecom.deps.client.config.baseUrl).toBe(emu.url);
    // The sign-in routes send members to the OAuth pages at WECOM_OAUTH_BASE and WECOM_LOGIN_BASE.
    const inClient = await app!.inject('/auth/wecom/start?redirect=%2F&mode=client');
    expect(inClient.headers.location).toMatch(new RegExp(`^${emu.url}/connect/oauth2/authorize\\?`));
    const web = await app!.inject('/auth/wecom/start?redirect=%2F&mode=web');
    expect(web.headers.location).toMatch(new RegExp(`^${emu.url}/wwlogin/sso/login\\?`));
    expect(await (await fetch(inClient.headers.location as string)).text()).toContain('zhangwei');
  });

  it('syncs the directory from WECOM_API_BASE (in the background) and /healthz says mode wecom', async () => {
    // A real company is synced alongside serving (startWeCom does not wait for it): wait until it has landed.
    const demo = loadDemoDirectory();
    for (let i = 0; i < 500; i++) {
      const { directory } = (await wecom.status()) as { directory?: { lastSyncAt?: string | null } };
      if (directory?.lastSyncAt) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const people = await database.db.selectFrom('people').select(['wecom_userid', 'name']).execute();
    expect(people.map((p) => p.wecom_userid).sort()).toEqual(demo.users.map((u) => u.userid).sort());
    expect(emu.control.calls({ path: '/cgi-bin/gettoken' }).length).toBeGreaterThanOrEqual(1);

    const health = (await app!.inject('/healthz')).json();
    expect(health.wecom).toMatchObject({ status: 'ok', mode: 'wecom', corpId: emu.corpId, agentId: emu.agentId, callbackUrl: `${base}/wecom/callback` });
    expect(health.wecom.directory).toMatchObject({ members: demo.users.length, lastError: null });
    expect(JSON.stringify(health)).not.toContain(SECRET);
  });

  it('a scheduled interview\'s card reaches the interviewer; the click comes back signed with the configured Token and key', async () => {
    const person = (userid: string) => database.db.selectFrom('people').selectAll().where('wecom_userid', '=', userid).executeTakeFirstOrThrow();
    await database.db.updateTable('people').set({ roles: ['recruiter'] }).where('wecom_userid', '=', 'sunli').execute();
    await database.db.updateTable('people').set({ roles: ['hiring_manager'] }).where('wecom_userid', '=', 'zhangwei').execute();
    const recruiter: MemberPrincipal = { kind: 'member', person: await person('sunli'), roles: new Set(['recruiter', 'interviewer']) };
    const { interviewId } = await createInterview({ db: database.db, clock: systemClock }, recruiter, {
      candidate: { name: 'Li Ming' },
      position: 'Backend engineer',
      startsAt: new Date(Date.now() + 2 * 86_400_000),
      durationMinutes: 60,
      interviewerIds: [(await person('lina')).id],
      hiringManagerId: (await person('zhangwei')).id,
    });
    await runJobs();
    const [card] = emu.control.messages({ userid: 'lina' }).filter((m) => m.msgtype === 'template_card');
    expect(card).toBeDefined();
    expect((card!.content as { button_list: { key?: string }[] }).button_list[0]!.key).toBe(`invite:accept:${interviewId}`);

    // URL verification (§6.2) and the click are signed and encrypted with WECOM_CALLBACK_TOKEN / WECOM_ENCODING_AES_KEY.
    expect(await emu.control.verifyCallbackUrl()).toMatchObject({ status: 'passed', httpStatus: 200 });
    const delivery = await emu.control.clickCard('lina', card!.msgid, { action: 'button', key: `invite:accept:${interviewId}` });
    expect(delivery).toMatchObject({ status: 'delivered' });
    await runJobs();
    const seat = await database.db
      .selectFrom('interview_interviewers')
      .select('response')
      .where('interview_id', '=', interviewId)
      .where('person_id', '=', (await person('lina')).id)
      .executeTakeFirstOrThrow();
    expect(seat.response).toBe('accepted');

    // Signed with anything else, the same endpoint refuses (WeCom's signature is the only way in).
    const forged = await fetch(`${base}/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=1&nonce=1&echostr=abc`);
    expect(forged.status).toBe(401);
  });
});
