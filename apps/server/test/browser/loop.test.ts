/**
 * Issue 4's browser test: the whole loop as people live it, in Debian's Chromium (playwright-core, never a
 * downloaded browser), against Pairview composed as `npm start` composes it — the WeCom emulator started by
 * startWeCom with its demo company, the SDK client on the PostgreSQL token store, the real graphile-worker, the
 * built web app — on a test database.
 *
 * 1. The recruiter (孙丽 sunli, admin and recruiter in development) signs in through the emulator's "sign in as…"
 *    page and schedules an interview in the web app, with 陈杰 chenjie on the panel.
 * 2. chenjie's inbox in the emulator's member console shows the invitation card.
 * 3. Join on the card: the link goes through Pairview's sign-in, so the interviewer signs in (OAuth through the
 *    emulator) and lands on the room page.
 * 4. Accept on the card: the click reaches Pairview as a callback; the card turns into "已接受" and Pairview
 *    records the interviewer's answer, which the recruiter sees in the interview list.
 *
 * Screenshots land in /tmp/loop-*.png for a human to look at.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Runner } from 'graphile-worker';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadDemoDirectory } from '@pairview/wecom-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zh } from '../../../web/src/i18n/zh.ts';
import { buildWebAppForTest } from '../../../web/test/production-build.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../../test-support/chromium.ts';
import { buildApp } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import { startWorker } from '../../src/notifications/worker.ts';
import { localParts } from '../../src/time.ts';
import { webApp } from '../../src/web/plugin.ts';
import { DEMO_PEOPLE, startWeCom, withDevelopmentDefaults, type WeComIntegration } from '../../src/wecom/index.ts';
import { createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../helpers.ts';

const TIME_ZONE = 'Asia/Shanghai';
const INTERVIEWER = 'chenjie'; // 陈杰, backend lead
/** WeCom's in-app browser names itself in the user agent; Pairview's sign-in picks the in-client OAuth for it. */
const WECOM_USER_AGENT = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh';

/** Tomorrow 14:00 in Shanghai, as the schedule form's datetime-local field wants it. */
function tomorrowAtTwo(): string {
  const { year, month, day } = localParts(new Date(Date.now() + 24 * 3600_000), TIME_ZONE);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T14:00`;
}

let database: MigratedTestDatabase;
let server: Server;
let app: FastifyInstance | undefined;
let wecom: WeComIntegration;
let worker: Runner;
let base: string;
let distDir: string;
let browser: Browser;
let recruiter: BrowserContext;
let phone: BrowserContext;
let interviewId: string;

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/loop-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  // The production build, as `npm start` makes it.
  distDir = await buildWebAppForTest('pairview-loop-dist-');

  database = await createMigratedDatabase('pv_loop');
  // Listen first (port 0), so Pairview's public URL — the emulator's callback URL and trusted domain — is known.
  server = createServer((request, response) => {
    if (app) app.routing(request, response);
    else response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = withDevelopmentDefaults(testConfig({ PAIRVIEW_ADMINS: '', PAIRVIEW_PUBLIC_URL: base, PAIRVIEW_TIME_ZONE: TIME_ZONE }));
  const log = { info() {}, warn() {} };
  wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock: systemClock, log, emulatorPort: 0 });
  app = await buildApp({
    config,
    db: database.db,
    pool: database.pool,
    clock: systemClock,
    wecomStatus: () => wecom.status(),
    plugins: [wecom.plugin, webApp({ distDir })],
  });
  worker = await startWorker({
    pool: database.pool,
    db: database.db,
    clock: systemClock,
    timeZone: TIME_ZONE,
    notifier: wecom.notifier,
    extraTasks: wecom.tasks,
  });

  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const options = { locale: 'zh-CN', timezoneId: TIME_ZONE };
  recruiter = await browser.newContext({ ...options, viewport: { width: 1280, height: 860 } });
  // The interviewer's phone: their WeCom inbox (the emulator console) and WeCom's in-app browser.
  phone = await browser.newContext({ ...options, viewport: { width: 1100, height: 900 }, userAgent: WECOM_USER_AGENT });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await app?.close();
  await wecom?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await database?.drop();
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

describe('the WeCom loop in a browser', () => {
  it('a recruiter signs in through the emulator\'s "sign in as…" page and schedules an interview', async () => {
    const page = await recruiter.newPage();
    await page.goto(`${base}/schedule`);
    await page.waitForURL(/\/sign-in\?redirect=%2Fschedule$/);
    await shot(page, 'signin');
    await page.getByRole('link', { name: zh.signIn.button }).click();

    // WeCom's web login, played by the emulator: pick the member.
    await page.waitForURL((url) => url.origin === wecom.emulator!.url);
    await shot(page, 'sign-in-as');
    await page.locator(`button.member[data-userid="${DEMO_PEOPLE.adminRecruiter}"]`).click();

    // Back on Pairview, signed in, on the page asked for.
    await page.waitForURL(`${base}/schedule`);
    const me = await (await page.request.get(`${base}/api/me`)).json();
    expect(me).toMatchObject({ wecomUserId: DEMO_PEOPLE.adminRecruiter });

    await page.getByLabel(zh.schedule.candidateName, { exact: true }).fill('王小明');
    await page.getByLabel(/^邮箱/).fill('xiaoming@example.com');
    await page.getByLabel(zh.schedule.position, { exact: true }).fill('后端工程师');
    await page.getByLabel(zh.schedule.start, { exact: true }).fill(tomorrowAtTwo());
    const picker = page.getByRole('combobox', { name: zh.schedule.interviewers });
    await picker.fill(INTERVIEWER);
    await page.getByRole('option', { name: /陈杰/ }).click();
    await picker.press('Escape'); // close the suggestions, which would cover the form below
    await page.getByRole('combobox', { name: /^用人经理/ }).selectOption({ label: '张伟 (Wei Zhang)' });
    await shot(page, 'schedule');
    await page.getByRole('button', { name: zh.schedule.submit, exact: true }).click();
    await page.getByRole('heading', { name: zh.schedule.createdTitle }).waitFor();
    await shot(page, 'scheduled');

    const interview = await database.db.selectFrom('interviews').selectAll().executeTakeFirstOrThrow();
    interviewId = interview.id;
    expect(interview).toMatchObject({ position: '后端工程师', status: 'scheduled' });
    await page.close();
  }, 60_000);

  it('the interviewer\'s inbox in the emulator console shows the invitation card; Join signs them in and opens the room', async () => {
    const inbox = await phone.newPage();
    await inbox.goto(wecom.emulator!.consoleUrl);
    await inbox.locator(`#member-list a[data-userid="${INTERVIEWER}"]`).click();
    await inbox.waitForURL(new RegExp(`userid=${INTERVIEWER}`));

    // The worker delivers the outbox row through the SDK; the console shows it live.
    const card = inbox.locator('form.template-card', { has: inbox.locator(`button[data-key="invite:accept:${interviewId}"]`) });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.innerText()).toContain('王小明');
    await shot(inbox, 'inbox-card');

    // Join: a link through Pairview's sign-in, opened in WeCom's browser (a new tab here).
    const [room] = await Promise.all([phone.waitForEvent('page'), card.locator('a.card-btn', { hasText: /进入面试间/ }).click()]);
    // Not signed in on the phone yet: WeCom's in-client authorization, played by the emulator.
    await room.waitForURL((url) => url.origin === wecom.emulator!.url);
    await shot(room, 'join-sign-in-as');
    await room.locator(`button.member[data-userid="${INTERVIEWER}"]`).click();
    await room.waitForURL((url) => url.origin === base && url.pathname === `/interviews/${interviewId}/room`);
    await room.getByRole('heading', { name: /面试间 · 王小明/ }).waitFor();
    const me = await (await room.request.get(`${base}/api/me`)).json();
    expect(me).toMatchObject({ wecomUserId: INTERVIEWER });
    await shot(room, 'room');
    await room.close();
    await inbox.close();
  }, 60_000);

  it('Accept on the card updates the card and Pairview: the interviewer\'s answer is accepted', async () => {
    const inbox = await phone.newPage();
    await inbox.goto(`${wecom.emulator!.consoleUrl}?userid=${INTERVIEWER}`);
    const card = inbox.locator('form.template-card', { has: inbox.locator(`button[data-key="invite:accept:${interviewId}"]`) });
    await card.waitFor();
    const taskId = await card.getAttribute('data-task-id');
    await card.locator(`button[data-key="invite:accept:${interviewId}"]`).click();

    // The clicker's card changes at once (passive update_button reply).
    const answered = inbox.locator(`form.template-card[data-task-id="${taskId}"] button.card-btn.replaced`);
    await expect.poll(() => answered.textContent(), { timeout: 15_000 }).toMatch(/已接受/);
    await shot(inbox, 'inbox-accepted');

    const answer = await database.db
      .selectFrom('interview_interviewers as ii')
      .innerJoin('people as p', 'p.id', 'ii.person_id')
      .select(['ii.response'])
      .where('ii.interview_id', '=', interviewId)
      .where('p.wecom_userid', '=', INTERVIEWER)
      .executeTakeFirstOrThrow();
    expect(answer.response).toBe('accepted');

    // The recruiter sees it in Pairview.
    const page = await recruiter.newPage();
    await page.goto(`${base}/interviews`);
    const row = page.getByRole('row').filter({ hasText: '王小明' });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toMatch(/陈杰[\s\S]*已接受/);
    await shot(page, 'recruiter-list');
    await page.close();
    await inbox.close();
  }, 60_000);

  it('the admin syncs the directory now from the WeCom connection page: a newcomer in WeCom becomes a person in Pairview', async () => {
    const demo = loadDemoDirectory();
    wecom.emulator!.control.loadDirectory({ ...demo, users: [...demo.users, { userid: 'newhire', name: '新同事', department: [4], status: 1 } as (typeof demo.users)[number]] });
    const page = await recruiter.newPage();
    await page.goto(`${base}/admin/wecom`);
    await page.getByRole('button', { name: '立即同步通讯录' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe(
      `通讯录已同步：企业微信共 ${demo.users.length + 1} 人，新增 1 人，停用 0 人。`,
    );
    await shot(page, 'admin-directory-sync');
    expect(await database.db.selectFrom('people').select(['name', 'active']).where('wecom_userid', '=', 'newhire').executeTakeFirst()).toEqual({
      name: '新同事',
      active: true,
    });
    await page.close();
  }, 60_000);
});
