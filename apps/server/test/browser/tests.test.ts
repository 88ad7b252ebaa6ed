/**
 * Test cases in a browser (Debian's Chromium, playwright-core), against Pairview with its collaboration server
 * and the real code runner, serving the production build. A recruiter writes the cases in the question editor;
 * in the room the candidate (by the link) sees the visible ones as examples beside the statement and writes Java
 * in the pad; the interviewer runs the tests and sees pass/fail per case (one fails), a second interviewer's page
 * shows the same run without a reload, and SQL is said plainly not to run. Every HTTP answer and every WebSocket
 * frame the candidate's page receives is checked for the hidden case's canary (in its input and its expected
 * output): it never arrives.
 *
 * Screenshots (1280×800 and 390×844, zh and en) land in /tmp/tests-*.png for a human to look at.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startRunner, type RunnerHandle } from '@pairview/runner';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../web/src/i18n/en.ts';
import { zh } from '../../../web/src/i18n/zh.ts';
import { buildWebAppForTest } from '../../../web/test/production-build.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../../test-support/chromium.ts';
import type { MemberPrincipal } from '../../src/auth/principal.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { createInterview } from '../../src/interviews/service.ts';
import { createCodeRunner } from '../../src/runner/service.ts';
import { webApp } from '../../src/web/plugin.ts';
import { createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../helpers.ts';
import { startRoomServer, type RoomServer } from '../rooms.ts';

const CANARY = `HIDDENCASECANARY${randomUUID().replaceAll('-', '')}`;

let database: MigratedTestDatabase;
let server: RoomServer;
let runnerHandle: RunnerHandle;
let distDir: string;
let browser: Browser;
let candidate: BrowserContext;
let alicePage: Page;
let candidatePage: Page;
let interviewId: string;
let questionId: string;
let token: string;
const people = {} as Record<'recruiter' | 'alice' | 'bob', { id: string; cookie: string }>;
const contexts: BrowserContext[] = [];

/** What the candidate's page received: every WebSocket frame and every HTTP answer body. */
const candidateFrames: Buffer[] = [];
const candidateBodies: string[] = [];

/** A + B: reads two integers and prints their sum; anything else it echoes (the canary case). */
const JAVA = `import java.util.*;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        if (!in.hasNextInt()) {
            System.out.println(in.next());
            return;
        }
        int a = in.nextInt(), b = in.nextInt();
        System.out.println(a + b);
    }
}`;

async function memberContext(who: keyof typeof people, options: { width?: number; height?: number; locale?: 'zh' | 'en'; phone?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    locale: options.locale === 'en' ? 'en-GB' : 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const value = people[who].cookie.slice(SESSION_COOKIE.length + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value, url: server.httpBase, httpOnly: true, sameSite: 'Lax' }]);
  contexts.push(context);
  return context;
}

/** A page in that language (the app keeps the reader's choice in localStorage). */
async function open(context: BrowserContext, path: string, locale: 'zh' | 'en' = 'zh'): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('[browser error]', m.text());
  });
  await page.goto(`${server.httpBase}${path}`);
  if (locale === 'en') {
    await page.evaluate(() => localStorage.setItem('pairview.locale', 'en'));
    await page.reload();
  }
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/tests-${name}.png`, fullPage: true });
}

async function setPad(page: Page, code: string) {
  await page.locator('.room-code .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
}

function padText(page: Page): Promise<string> {
  return page.locator('.room-code .cm-content').evaluate((el) =>
    [...el.querySelectorAll('.cm-line')]
      .map((line) => {
        const copy = line.cloneNode(true) as HTMLElement;
        for (const widget of copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer')) widget.remove();
        return copy.textContent;
      })
      .join('\n'),
  );
}

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

beforeAll(async () => {
  distDir = await buildWebAppForTest('pairview-tests-dist-');
  database = await createMigratedDatabase('pv_tests_browser');
  runnerHandle = await startRunner({ port: 0 });
  if (!runnerHandle.report.ok) throw new Error(`the code runner does not work here: ${runnerHandle.report.problems.join('; ')}`);
  server = await startRoomServer(database, { plugins: [webApp({ distDir })], runner: createCodeRunner({ baseUrl: runnerHandle.url }) });

  for (const [key, name, roles] of [
    ['recruiter', '李招聘', ['recruiter']],
    ['alice', 'Alice Wang', []],
    ['bob', 'Bob Chen', []],
  ] as const) {
    const person = await createPerson(database.db, { name, roles: [...roles] });
    people[key] = { id: person.id, cookie: await sessionCookie(server.app, database.db, person.id) };
  }
  const question = await database.db
    .insertInto('questions')
    .values({
      title: 'A + B',
      statement: '## 题目 · Problem\n\n读入两个整数，输出它们的和。Read two integers and print their sum.',
      starter_code: JSON.stringify({ java: '// A + B\n' }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  questionId = question.id;
  const recruiterRow = await database.db.selectFrom('people').selectAll().where('id', '=', people.recruiter.id).executeTakeFirstOrThrow();
  const recruiter: MemberPrincipal = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
  const created = await createInterview({ db: database.db, clock: { now: () => new Date() } }, recruiter, {
    candidate: { name: '王芳' },
    position: '后端工程师',
    startsAt: new Date(Date.now() + 10 * 60_000),
    durationMinutes: 60,
    interviewerIds: [people.alice.id, people.bob.id],
    questionId: question.id,
  });
  interviewId = created.interviewId;
  token = created.candidateLinkToken;

  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  candidate = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(candidate);
  candidatePage = await candidate.newPage();
  candidatePage.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => candidateFrames.push(Buffer.isBuffer(payload) ? payload : Buffer.from(payload)));
  });
  candidatePage.on('response', (response) => {
    void response.text().then(
      (body) => candidateBodies.push(body),
      () => {},
    );
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await runnerHandle?.close();
  await database?.drop();
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

describe('test cases in a browser', () => {
  it('a recruiter writes the cases in the question editor: two visible, two hidden (one with the canary)', async () => {
    const page = await open(await memberContext('recruiter'), `/questions/${questionId}`);
    const editor = page.getByTestId('test-cases-editor');
    await editor.waitFor();
    expect(await editor.textContent()).toContain(zh.tests.noneYet);
    const cases = [
      { name: '示例 1 · Example 1', input: '1 2', expected: '3', hidden: false },
      { name: '示例 2 · Example 2', input: '10 -4', expected: '6', hidden: false },
      { name: '大数 · Large numbers', input: '2000000000 2000000000', expected: '4000000000', hidden: true },
      { name: '秘密 · Secret', input: CANARY, expected: CANARY, hidden: true },
    ];
    for (const [i, c] of cases.entries()) {
      await page.getByTestId('add-test-case').click();
      const card = page.getByTestId('test-case-editor').nth(i);
      // A new case starts hidden.
      expect(await card.getByRole('checkbox').isChecked()).toBe(true);
      await card.getByRole('textbox').nth(0).fill(c.name);
      await card.getByRole('textbox').nth(1).fill(c.input);
      await card.getByRole('textbox').nth(2).fill(c.expected);
      if (!c.hidden) await card.getByRole('checkbox').uncheck();
    }
    // A case without an expected output is refused at the cases, naming it; then filled in and saved.
    await page.getByTestId('add-test-case').click();
    await page.getByTestId('test-case-editor').nth(4).getByRole('textbox').nth(1).fill('1 1');
    await page.getByRole('button', { name: zh.questions.save }).click();
    await expect.poll(() => editor.locator('.field-error').textContent()).toBe('第 5 个用例：请填写程序应输出的内容。');
    expect(await page.getByTestId('test-case-editor').nth(4).getAttribute('class')).toContain('test-case-invalid');
    await shot(page, 'editor-refused-1280-zh');
    await page.getByTestId('test-case-editor').nth(4).getByRole('button', { name: new RegExp(zh.tests.remove) }).click();
    await page.getByRole('button', { name: zh.questions.save }).click();
    await page.getByText(zh.questions.saved).waitFor();
    const saved = await database.db.selectFrom('questions').select('test_cases').where('id', '=', questionId).executeTakeFirstOrThrow();
    expect(saved.test_cases).toEqual(cases);
    expect(await page.getByTestId('test-cases-editor').textContent()).toContain(zh.tests.count(4, 2));
    await page.getByTestId('test-cases-editor').scrollIntoViewIfNeeded();
    await shot(page, 'editor-1280-zh');
    await page.close();
  });

  it('the candidate sees the visible cases as examples beside the statement, never the hidden ones', async () => {
    await candidatePage.goto(`${server.httpBase}/r/${token}`);
    await candidatePage.getByLabel(zh.candidate.yourName).fill('王芳');
    await candidatePage.getByRole('button', { name: zh.candidate.enter }).click();
    await candidatePage.getByTestId('lobby').waitFor();

    alicePage = await open(await memberContext('alice'), `/interviews/${interviewId}/room`);
    await alicePage.getByRole('button', { name: zh.pad.start }).click();
    await candidatePage.locator('.room-code .cm-content').waitFor({ timeout: 10_000 });
    const examples = candidatePage.getByTestId('test-examples');
    await examples.waitFor();
    const text = await examples.textContent();
    expect(text).toContain(zh.tests.examplesTitle);
    expect(text).toContain('示例 1 · Example 1');
    expect(text).toContain('10 -4');
    expect(text).not.toContain('Large numbers');
    expect(text).not.toContain(zh.tests.hidden);
    await shot(candidatePage, 'candidate-examples-1280-zh');
  });

  it('the interviewer runs the tests on the candidate\'s Java: pass/fail per case, one failing; a second interviewer sees the run', { timeout: 120_000 }, async () => {
    await alicePage.getByTestId('language').selectOption('java');
    await expect.poll(() => candidatePage.getByTestId('language').inputValue()).toBe('java');
    await setPad(candidatePage, JAVA);
    await expect.poll(() => padText(alicePage)).toBe(JAVA);

    const bobPage = await open(await memberContext('bob'), `/interviews/${interviewId}/room`);
    await bobPage.getByRole('tab', { name: zh.tests.tab }).click();
    await bobPage.getByTestId('tests-list').waitFor();

    await alicePage.getByRole('tab', { name: zh.tests.tab }).click();
    const panel = alicePage.getByTestId('tests-panel');
    // Before a run: every case, hidden ones marked.
    await expect.poll(() => panel.locator('.tests-case').count()).toBe(4);
    expect(await panel.locator('.badge').allTextContents()).toEqual([zh.tests.hidden, zh.tests.hidden]);
    expect(await panel.textContent()).toContain(zh.tests.hint(4, 2));
    await shot(alicePage, 'panel-before-1280-zh');

    await alicePage.getByTestId('run-tests').click();
    await expect.poll(() => alicePage.getByTestId('tests-summary').textContent(), { timeout: 90_000 }).toBe(zh.tests.summary(3, 4));
    expect(await panel.getByTestId('test-verdict').allTextContents()).toEqual([zh.tests.verdict.passed, zh.tests.verdict.passed, zh.tests.verdict.wrong, zh.tests.verdict.passed]);
    const failed = panel.getByTestId('test-case').nth(2);
    expect(await failed.getAttribute('data-state')).toBe('failed');
    // The failed case is open: expected beside what the program printed (int overflow).
    const detail = await failed.locator('.tests-detail').textContent();
    expect(detail).toContain('4000000000');
    expect(detail).toContain('-294967296');
    expect(await panel.getByTestId('test-case').nth(0).locator('details').getAttribute('open')).toBeNull();
    await shot(alicePage, 'panel-results-1280-zh');

    // Bob's Tests tab follows without a reload (the room announced the run).
    await expect.poll(() => bobPage.getByTestId('tests-summary').textContent(), { timeout: 15_000 }).toBe(zh.tests.summary(3, 4));
    expect(await bobPage.getByTestId('tests-panel').textContent()).toContain('Alice Wang');
    await bobPage.close();

    const stored = await database.db.selectFrom('room_test_runs').select(['language', 'passed', 'total', 'author_name']).where('interview_id', '=', interviewId).execute();
    expect(stored).toEqual([{ language: 'java', passed: 3, total: 4, author_name: 'Alice Wang' }]);
  });

  it('SQL is said plainly not to run as tests', async () => {
    await alicePage.getByTestId('language').selectOption('sql');
    await expect.poll(() => alicePage.getByTestId('tests-blocked').textContent(), { timeout: 10_000 }).toContain('SQL');
    expect(await alicePage.getByTestId('tests-blocked').textContent()).toContain('Java');
    expect(await alicePage.getByTestId('run-tests').isDisabled()).toBe(true);
    await shot(alicePage, 'panel-sql-1280-zh');
    await alicePage.getByTestId('language').selectOption('java');
    await expect.poll(() => alicePage.getByTestId('run-tests').isDisabled()).toBe(false);
  });

  it('no hidden case reached the candidate\'s page: not in any WebSocket frame, any HTTP answer, or the page', async () => {
    // Give any wrongly routed frame time to arrive.
    await candidatePage.waitForTimeout(500);
    expect(candidateFrames.length).toBeGreaterThan(0);
    expect(candidateBodies.length).toBeGreaterThan(0);
    // The candidate did receive the visible examples and the pad (the Java starter, seeded at the switch): the
    // capture works. (Its own typing is not echoed back to it.)
    expect(candidateBodies.some((body) => body.includes('10 -4'))).toBe(true);
    expect(candidateFrames.some((frame) => frame.toString('utf8').includes('// A + B'))).toBe(true);
    for (const frame of candidateFrames) expect(frame.toString('utf8')).not.toContain(CANARY);
    for (const body of candidateBodies) {
      expect(body).not.toContain(CANARY);
      expect(body).not.toContain('Large numbers');
    }
    expect(await candidatePage.content()).not.toContain(CANARY);
  });

  it('looks right on a phone and in English', { timeout: 60_000 }, async () => {
    const layouts = [
      { name: '390-zh', width: 390, height: 844, locale: 'zh', phone: true },
      { name: '390-en', width: 390, height: 844, locale: 'en', phone: true },
      { name: '1280-en', width: 1280, height: 800, locale: 'en', phone: false },
    ] as const;
    for (const layout of layouts) {
      const t = layout.locale === 'en' ? en : zh;
      const room = await open(await memberContext('alice', layout), `/interviews/${interviewId}/room`, layout.locale);
      await room.getByRole('tab', { name: t.tests.tab }).click();
      await expect.poll(() => room.getByTestId('tests-summary').textContent()).toBe(t.tests.summary(3, 4));
      await noHorizontalScroll(room);
      await room.getByTestId('tests-panel').scrollIntoViewIfNeeded();
      await shot(room, `panel-results-${layout.name}`);

      const editor = await open(await memberContext('recruiter', layout), `/questions/${questionId}`, layout.locale);
      await editor.getByTestId('test-cases-editor').waitFor();
      expect(await editor.getByTestId('test-cases-editor').textContent()).toContain(t.tests.count(4, 2));
      await noHorizontalScroll(editor);
      await shot(editor, `editor-${layout.name}`);
      await editor.getByTestId('test-cases-editor').screenshot({ path: `/tmp/tests-editor-cases-${layout.name}.png` });

      const phoneCandidate = await browser.newContext({ viewport: { width: layout.width, height: layout.height }, locale: layout.locale === 'en' ? 'en-GB' : 'zh-CN', ...(layout.phone ? { isMobile: true, hasTouch: true } : {}) });
      contexts.push(phoneCandidate);
      const page = await phoneCandidate.newPage();
      await page.goto(`${server.httpBase}/r/${token}`);
      if (layout.locale === 'en') {
        await page.evaluate(() => localStorage.setItem('pairview.locale', 'en'));
        await page.reload();
      }
      await page.getByLabel(t.candidate.yourName).fill('王芳');
      await page.getByRole('button', { name: t.candidate.enter }).click();
      await page.getByTestId('test-examples').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('test-examples').textContent()).toContain(t.tests.examplesTitle);
      expect(await page.content()).not.toContain(CANARY);
      await noHorizontalScroll(page);
      await shot(page, `candidate-examples-${layout.name}`);
    }
  });
});
