/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core; never a downloaded one), served by
 * the real Pairview server app on a test database: the build the server serves, with sessions created directly in
 * the database (the WeCom sign-in round trip is the WeCom glue's to test). The server's clock and the page's clock
 * are moved together, so "after the interview" is a moment, not a wait.
 *
 * Screenshots land in /tmp/web-*.png for a human to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/src/auth/sessions.ts';
import { webApp } from '../../server/src/web/plugin.ts';
import { wecomStatus } from '../../server/src/wecom/status.ts';
import {
  ManualClock,
  buildTestApp,
  createMigratedDatabase,
  createPerson,
  sessionCookie,
  type MigratedTestDatabase,
} from '../../server/test/helpers.ts';
import { en } from '../src/i18n/en.ts';
import { zh } from '../src/i18n/zh.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test-support/chromium.ts';
import { buildWebAppForTest } from './production-build.ts';


/** Monday 2030-01-07 10:00 in Shanghai; the interview is the next day 14:00–15:00 Shanghai time. */
const T0 = new Date('2030-01-07T02:00:00.000Z');
const START_LOCAL = '2030-01-08T14:00';
const START = new Date('2030-01-08T06:00:00.000Z');
const AFTER_END = new Date('2030-01-08T07:30:00.000Z');

let database: MigratedTestDatabase;
let app: FastifyInstance;
let base: string;
let distDir: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const clock = new ManualClock(T0);
const people = {} as Record<'recruiter' | 'manager' | 'alice' | 'bob' | 'carol' | 'admin', { id: string; cookie: string }>;
let interviewId: string;
let candidatePath: string;

/** Browse as `who` from now on (their session cookie, as the OAuth callback would have set it). */
async function as(who: keyof typeof people | 'nobody') {
  await context.clearCookies();
  if (who === 'nobody') return;
  const value = people[who].cookie.slice(SESSION_COOKIE.length + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value, url: base, httpOnly: true, sameSite: 'Lax' }]);
}

/** The server's clock and the page's clock, moved together. */
async function at(moment: Date) {
  clock.set(moment);
  await context.clock.setFixedTime(moment);
}

async function shot(name: string, options: { fullPage?: boolean } = {}) {
  await page.screenshot({ path: `/tmp/web-${name}.png`, fullPage: options.fullPage ?? true });
}

beforeAll(async () => {
  // The production build, as `npm run build` makes it.
  distDir = await buildWebAppForTest('pairview-web-dist-');

  database = await createMigratedDatabase('pv_web');
  app = await buildTestApp(database, {
    clock,
    plugins: [webApp({ distDir })],
    // The WeCom glue's own status reader (from PostgreSQL), as if it talked to the emulator.
    wecomStatus: () =>
      wecomStatus({
        db: database.db,
        clock,
        mode: 'emulator',
        corpId: 'wwpairviewtest001',
        agentId: 1000002,
        callbackUrl: 'http://localhost:3000/wecom/callback',
        emulator: { url: 'http://127.0.0.1:4100', consoleUrl: 'http://127.0.0.1:4100/console/' },
      }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const member = async (key: keyof typeof people, options: Parameters<typeof createPerson>[1]) => {
    const person = await createPerson(database.db, options);
    people[key] = { id: person.id, cookie: await sessionCookie(app, database.db, person.id, clock) };
  };
  await member('recruiter', { name: '李招聘', wecomUserId: 'lizhaopin', roles: ['recruiter'] });
  await member('manager', { name: 'Max Manager', wecomUserId: 'max', roles: ['hiring_manager'] });
  await member('alice', { name: 'Alice Wang', wecomUserId: 'alice' });
  await member('bob', { name: 'Bob Chen', wecomUserId: 'bob' });
  await member('carol', { name: 'Carol Liu', wecomUserId: 'carol' });
  await member('admin', { name: '管理员', wecomUserId: 'admin' }); // PAIRVIEW_ADMINS=admin in testConfig

  userDataDir = mkdtempSync(join(tmpdir(), 'pairview-web-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  // Fail with playwright's message (what it waited for) before the test's own timeout.
  context.setDefaultTimeout(10_000);
  page = context.pages()[0] ?? (await context.newPage());
  await at(T0);
}, 90_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  await database?.drop();
  for (const dir of [userDataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Pairview web app', () => {
  it('sends a signed-out visitor to "Sign in with WeCom", which starts the server\'s OAuth with the way back', async () => {
    await as('nobody');
    await page.goto(`${base}/interviews`);
    await page.waitForURL(/\/sign-in\?redirect=%2Finterviews$/);
    const button = page.getByRole('link', { name: zh.signIn.button });
    await expect(button.getAttribute('href')).resolves.toBe('/auth/wecom/start?redirect=%2Finterviews');
    expect(await page.locator('input[type=password]').count()).toBe(0);
    await shot('signin');

    // Inside WeCom's browser (wxwork in the user agent) the page goes straight to the in-client sign-in.
    const browserAgent = await page.evaluate(() => navigator.userAgent);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setUserAgentOverride', { userAgent: 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1' });
    const started = page.waitForRequest((request) => request.url() === `${base}/auth/wecom/start?redirect=%2Fmy`);
    await page.goto(`${base}/sign-in?redirect=%2Fmy`);
    await started;
    await cdp.send('Emulation.setUserAgentOverride', { userAgent: browserAgent });
    await cdp.detach();

    // The server's pages carry its default language and a CSP; unknown API paths are JSON 404s, not the page.
    const shell = await fetch(`${base}/my`);
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await shell.text()).toContain('data-default-locale="zh"');
    const api404 = await fetch(`${base}/api/nothing-here`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: 'not_found' });
  });

  it('a recruiter schedules through the form: the server\'s messages appear at the fields, then the candidate link', async () => {
    await as('recruiter');
    await page.goto(`${base}/schedule`);
    const submit = page.getByRole('button', { name: zh.schedule.submit, exact: true });
    const field = (label: string | RegExp) => page.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) });
    const name = page.getByLabel(zh.schedule.candidateName, { exact: true });
    const email = page.getByLabel(/^邮箱/);
    const start = page.getByLabel(zh.schedule.start, { exact: true });
    const picker = page.getByRole('combobox', { name: zh.schedule.interviewers });

    // Empty required fields: said at each field, in the page's language, before asking the server.
    await submit.click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-invalid').count()).toBe(4);
    expect(await picker.getAttribute('aria-invalid')).toBe('true');
    await shot('schedule-errors');

    await name.fill('王小明');
    await email.fill('not-an-email');
    await page.getByLabel(zh.schedule.position, { exact: true }).fill('后端工程师');
    await start.fill('2030-01-06T10:00'); // yesterday, by the server's clock
    await picker.fill('alice');
    await page.getByRole('option', { name: /Alice Wang/ }).click();
    // A pick closes the list: nothing of it is left over the rest of the form.
    expect(await page.getByRole('listbox').count()).toBe(0);
    expect(await picker.getAttribute('aria-expanded')).toBe('false');
    await picker.fill('Bob');
    await picker.press('Enter');
    await expect.poll(() => page.locator('.chip').allInnerTexts()).toEqual([expect.stringContaining('Alice Wang'), expect.stringContaining('Bob Chen')]);
    expect(await page.getByRole('listbox').count()).toBe(0);
    // The keyboard opens it again (an arrow), moves in it, and Escape closes it.
    await picker.press('ArrowDown');
    expect(await picker.getAttribute('aria-expanded')).toBe('true');
    const first = page.getByRole('listbox').getByRole('option').first();
    expect(await first.getAttribute('aria-selected')).toBe('true');
    expect(await picker.getAttribute('aria-activedescendant')).toBe(await first.getAttribute('id'));
    await picker.press('Escape');
    expect(await page.getByRole('listbox').count()).toBe(0);

    // The server's own words, in the page's language, each next to its field: the input check's for the email,
    // the scheduling rule's for the time.
    await submit.click();
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await field(/^邮箱/).locator('.field-error').innerText()).toBe('请输入有效的邮箱地址，例如 name@example.com。');
    expect(await page.locator('.field-invalid').count()).toBe(1);
    await email.fill('xiaoming@example.com');
    await submit.click();
    await expect.poll(() => start.getAttribute('aria-invalid')).toBe('true');
    expect(await field(zh.schedule.start).locator('.field-error').innerText()).toBe('这个时间已经过去了，请选择将来的时间。');
    // In English, the same refusal reads in English.
    await page.getByRole('button', { name: zh.common.switchLanguage }).click();
    await page.getByRole('button', { name: en.schedule.submit, exact: true }).click();
    await expect
      .poll(() => page.locator('.field').filter({ has: page.getByLabel(en.schedule.start, { exact: true }) }).locator('.field-error').innerText())
      .toBe('This time is in the past: pick a start time in the future');
    await page.getByRole('button', { name: '切换到中文' }).click();
    expect(await database.db.selectFrom('interviews').select('id').execute()).toEqual([]);

    await start.fill(START_LOCAL);
    await page.getByRole('combobox', { name: /^用人经理/ }).selectOption({ label: 'Max Manager' });
    await shot('schedule');
    await submit.click();

    await page.getByRole('heading', { name: zh.schedule.createdTitle }).waitFor();
    const link = await page.getByLabel(zh.schedule.candidateLink).inputValue();
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    candidatePath = new URL(link).pathname;
    await shot('scheduled');

    const interview = await database.db.selectFrom('interviews').selectAll().executeTakeFirstOrThrow();
    interviewId = interview.id;
    expect(interview).toMatchObject({ position: '后端工程师', duration_minutes: 60, hiring_manager_id: people.manager.id, recruiter_id: people.recruiter.id });
    expect(interview.starts_at.toISOString()).toBe(START.toISOString());
    const panel = await database.db.selectFrom('interview_interviewers').select('person_id').where('interview_id', '=', interviewId).execute();
    expect(panel.map((p) => p.person_id).sort()).toEqual([people.alice.id, people.bob.id].sort());
  });

  it('shows it in the interview list with each interviewer\'s answer, and shows a network failure instead of hiding it', async () => {
    await page.goto(`${base}/interviews`);
    const row = page.getByRole('row').filter({ hasText: '王小明' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Alice Wang\s*待回复[\s\S]*Bob Chen\s*待回复/);
    await shot('list');

    await page.getByRole('tab', { name: zh.list.views.feedback }).click();
    await page.getByText(zh.list.empty.feedback).waitFor();

    await page.route('**/api/interviews?**', (route) => route.abort('connectionrefused'));
    await page.getByRole('tab', { name: zh.list.views.upcoming }).click();
    await page.getByRole('heading', { name: zh.errors.networkTitle }).waitFor();
    await page.unroute('**/api/interviews?**');
    await page.getByRole('button', { name: zh.common.retry }).click();
    await row.waitFor();
  });

  it('a viewer in another time zone sees the company\'s times (as on the WeCom card), labelled, and edits in them', async () => {
    // The page above is in Asia/Shanghai, the company's zone: no label there.
    await page.goto(`${base}/interviews/${interviewId}`);
    await page.getByText('1月8日周二 14:00–15:00').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('中国时间');

    // A browser of its own (the persistent context above has none to share), in New York.
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    const away = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York', viewport: { width: 1280, height: 860 } });
    try {
      await away.clock.setFixedTime(T0);
      const value = people.recruiter.cookie.slice(SESSION_COOKIE.length + 1);
      await away.addCookies([{ name: SESSION_COOKIE, value, url: base, httpOnly: true, sameSite: 'Lax' }]);
      const there = await away.newPage();
      await there.goto(`${base}/interviews/${interviewId}`);
      await there.getByText('1月8日周二 14:00–15:00 中国时间').first().waitFor();
      await there.screenshot({ path: '/tmp/web-detail-new-york.png', fullPage: true });
      await there.goto(`${base}/interviews/${interviewId}/edit`);
      expect(await there.getByLabel(zh.schedule.start, { exact: true }).inputValue()).toBe(START_LOCAL);
      expect(await there.locator('.field').filter({ has: there.getByLabel(zh.schedule.start, { exact: true }) }).innerText()).toContain('中国时间');
    } finally {
      await browser.close();
    }
  });

  it('a recruiter moves and edits the interview in one save, and cancels another one with a reason', async () => {
    await page.goto(`${base}/interviews/${interviewId}/edit`);
    await page.getByLabel(zh.schedule.position, { exact: true }).fill('高级后端工程师');
    await page.getByLabel(zh.schedule.start, { exact: true }).fill('2030-01-08T13:30');
    await page.getByRole('button', { name: zh.schedule.save }).click();
    await page.waitForURL(`${base}/interviews/${interviewId}`);
    await page.getByText('高级后端工程师 · 1月8日周二 13:30–14:30').waitFor();
    const moved = await database.db.selectFrom('interviews').selectAll().where('id', '=', interviewId).executeTakeFirstOrThrow();
    expect(moved.position).toBe('高级后端工程师');
    expect(moved.starts_at.toISOString()).toBe('2030-01-08T05:30:00.000Z');

    const other = await app.inject({
      method: 'POST',
      url: '/api/interviews',
      headers: { cookie: people.recruiter.cookie },
      payload: { candidate: { name: '赵六' }, position: '前端工程师', startsAt: '2030-01-09T02:00:00.000Z', durationMinutes: 45, interviewerIds: [people.carol.id] },
    });
    expect(other.statusCode).toBe(201);
    const otherId = other.json().interview.id as string;
    await page.goto(`${base}/interviews/${otherId}`);
    await page.getByRole('button', { name: zh.detail.cancel }).click();
    await page.getByLabel(zh.detail.reason).fill('候选人已接受其他工作');
    await page.getByRole('button', { name: zh.detail.confirmCancel }).click();
    await page.getByText(zh.detail.cancelReason('候选人已接受其他工作')).waitFor();
    await shot('cancelled');
    const cancelled = await database.db.selectFrom('interviews').selectAll().where('id', '=', otherId).executeTakeFirstOrThrow();
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: '候选人已接受其他工作' });
  });

  it('an interviewer accepts from "My interviews" (on a phone), and English is one tap away', async () => {
    await as('alice');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/my`);
    const item = page.locator('.item').filter({ hasText: '王小明' });
    await item.getByRole('button', { name: zh.invitation.accept }).click();
    await item.getByText(zh.response.accepted).waitFor();
    await shot('my-phone');
    const seat = await database.db
      .selectFrom('interview_interviewers')
      .select('response')
      .where('interview_id', '=', interviewId)
      .where('person_id', '=', people.alice.id)
      .executeTakeFirstOrThrow();
    expect(seat.response).toBe('accepted');

    await page.getByRole('button', { name: zh.common.switchLanguage }).click();
    await page.getByRole('heading', { name: 'My interviews' }).waitFor();
    await shot('my-phone-en');
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { name: zh.my.title }).waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('after the interview she sees that peers\' scorecards are hidden, submits hers, and then sees them', async () => {
    await at(AFTER_END);
    const bob = await app.inject({
      method: 'POST',
      url: `/api/interviews/${interviewId}/scorecard`,
      headers: { cookie: people.bob.cookie },
      payload: { rating: 'strong_yes', skillNotes: [{ skill: '编码能力', note: 'Clean recursive solution' }], summary: 'Bob thinks: hire' },
    });
    expect(bob.statusCode).toBe(201);

    await page.goto(`${base}/my`);
    await page.locator('.item').filter({ hasText: '王小明' }).getByRole('link', { name: zh.my.writeScorecard }).click();
    await page.getByText(zh.scorecard.hiddenTitle(1)).waitFor();
    expect(await page.content()).not.toContain('Bob thinks: hire');
    await shot('detail-before-scorecard');

    const form = page.getByRole('form', { name: zh.scorecard.formTitle });
    await form.getByText(zh.rating.yes, { exact: true }).click();
    await form.getByLabel(zh.scorecard.noteFor(zh.scorecard.defaultSkills[0]!)).fill('先澄清了边界条件');
    await form.getByLabel(zh.scorecard.summary).fill('基础扎实，推荐进入下一轮。');
    await form.getByRole('button', { name: zh.scorecard.submit }).click();

    await page.getByText('Bob thinks: hire').waitFor();
    await page.getByText(zh.scorecard.submittedTitle).waitFor();
    expect(await page.getByText(zh.scorecard.hiddenTitle(1)).count()).toBe(0);
    await shot('detail');

    const card = await database.db
      .selectFrom('scorecards')
      .selectAll()
      .where('interview_id', '=', interviewId)
      .where('interviewer_id', '=', people.alice.id)
      .executeTakeFirstOrThrow();
    expect(card).toMatchObject({ rating: 'yes', summary: '基础扎实，推荐进入下一轮。', skill_notes: [{ skill: '问题分析', note: '先澄清了边界条件' }] });
  });

  it('the room page shows the interview and who is in it', async () => {
    await page.goto(`${base}/interviews/${interviewId}/room`);
    await page.getByRole('heading', { name: zh.room.title('王小明') }).waitFor();
    // The pad, the problem and the panel's tabs (the live part needs the collaboration server: test/browser/room.test.ts).
    await page.locator('.room-code').waitFor();
    expect(await page.locator('.room-problem').innerText()).toContain(zh.pad.noQuestion);
    expect(await page.getByRole('tablist').innerText()).toContain(zh.pad.notes);
    await shot('room');
  });

  it('the hiring manager records the decision', async () => {
    await as('manager');
    await page.goto(`${base}/interviews/${interviewId}`);
    await page.getByRole('button', { name: zh.decision.advance }).click();
    await page.locator('.decision-made').getByText(zh.decision.advance).waitFor();
    const decision = await database.db.selectFrom('decisions').selectAll().where('interview_id', '=', interviewId).executeTakeFirstOrThrow();
    expect(decision.decision).toBe('advance');
  });

  it('someone not on the panel sees "no access" and nothing of the interview', async () => {
    await as('carol');
    await page.goto(`${base}/interviews/${interviewId}`);
    await page.getByRole('heading', { name: zh.errors.noAccessTitle }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).not.toContain('王小明');
    expect(text).not.toContain('后端工程师');
    await shot('no-access');
  });

  it('the candidate enters with a name only; once the interview has ended the link is dead', async () => {
    await as('nobody');
    await page.goto(`${base}${candidatePath}`);
    await page.getByRole('heading', { name: zh.candidate.welcomeTitle }).waitFor();
    expect(await page.locator('nav').count()).toBe(0);
    await page.getByLabel(zh.candidate.yourName).fill('小明');
    await shot('candidate-join');
    await page.getByRole('button', { name: zh.candidate.enter }).click();
    await page.getByRole('heading', { name: zh.candidate.inRoomTitle('小明') }).waitFor();
    await shot('candidate-room');
    const room = await database.db.selectFrom('rooms').selectAll().where('interview_id', '=', interviewId).executeTakeFirstOrThrow();
    expect(room.candidate_name).toBe('小明');

    const ended = await app.inject({ method: 'POST', url: `/api/interviews/${interviewId}/end`, headers: { cookie: people.recruiter.cookie } });
    expect(ended.statusCode).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: zh.candidate.deadTitle }).waitFor();
    expect(await page.locator('main').innerText()).not.toContain('后端工程师');
  });

  it('an admin gives roles, retries a failed message and reads the WeCom status', async () => {
    await as('admin');
    await page.goto(`${base}/admin/people`);
    // A click, not check(): the switch shows the server's answer, so it flips only once the server has saved it.
    const toggle = page.getByRole('checkbox', { name: zh.admin.roleFor(zh.role.recruiter, 'Carol Liu') });
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await expect
      .poll(async () => (await database.db.selectFrom('people').select('roles').where('id', '=', people.carol.id).executeTakeFirstOrThrow()).roles)
      .toEqual(['recruiter']);
    await shot('admin-people');

    const failed = await database.db.selectFrom('outbox').select('id').orderBy('created_at').executeTakeFirstOrThrow();
    await database.db.updateTable('outbox').set({ status: 'failed', errcode: 81013, errmsg: 'user & party & tag all invalid' }).where('id', '=', failed.id).execute();
    await page.goto(`${base}/admin/messages?status=failed`);
    const row = page.getByRole('row').filter({ hasText: '81013' });
    await row.getByRole('button', { name: zh.messages.retry }).click();
    await row.getByText(zh.messageStatus.queued).waitFor();
    const retried = await database.db.selectFrom('outbox').select('status').where('id', '=', failed.id).executeTakeFirstOrThrow();
    expect(retried.status).toBe('queued');
    await page.goto(`${base}/admin/messages`);
    await page.getByRole('row').nth(1).waitFor();
    await shot('admin-messages');

    await page.goto(`${base}/admin/wecom`);
    await page.locator('.status-tile[data-status=ok]').first().waitFor();
    await page.getByRole('link', { name: 'http://127.0.0.1:4100/console/' }).waitFor();
    await shot('admin-wecom');
  });
});
