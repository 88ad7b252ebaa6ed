/**
 * The question bank in a real browser (Debian's Chromium via playwright-core) against the real server on a test
 * database, as pages.browser.test.ts does: a recruiter writes a question (its markdown rendered safely in the live
 * preview), schedules an interview with it through the form, finds it on the interview's page, and cannot change
 * it once the room has started. Screenshots at 1280×800 and 390×844, in Chinese and English, land in
 * /tmp/shots-questions-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/src/auth/sessions.ts';
import { DEMO_QUESTIONS, seedDemoQuestions } from '../../server/src/questions/demo.ts';
import { webApp } from '../../server/src/web/plugin.ts';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../server/test/helpers.ts';
import { en } from '../src/i18n/en.ts';
import { zh } from '../src/i18n/zh.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test-support/chromium.ts';
import { buildWebAppForTest } from './production-build.ts';

const T0 = new Date('2030-01-07T02:00:00.000Z');

let database: MigratedTestDatabase;
let app: FastifyInstance;
let base: string;
let distDir: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const clock = new ManualClock(T0);
const people = {} as Record<'recruiter' | 'alice', { id: string; cookie: string }>;
let questionId: string;
let interviewId: string;

async function as(who: keyof typeof people) {
  await context.clearCookies();
  const value = people[who].cookie.slice(SESSION_COOKIE.length + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value, url: base, httpOnly: true, sameSite: 'Lax' }]);
}

/** Both sizes, for a human to look at. */
async function shots(name: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `/tmp/shots-questions-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `/tmp/shots-questions-${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The language toggle in the top bar (the choice is kept in the browser across pages). */
async function setLocale(locale: 'zh' | 'en') {
  await page.getByRole('button', { name: locale === 'en' ? zh.common.switchLanguage : en.common.switchLanguage }).click();
}

beforeAll(async () => {
  distDir = await buildWebAppForTest('pairview-questions-dist-');
  database = await createMigratedDatabase('pv_web_questions');
  app = await buildTestApp(database, { clock, plugins: [webApp({ distDir })] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const member = async (key: keyof typeof people, options: Parameters<typeof createPerson>[1]) => {
    const person = await createPerson(database.db, options);
    people[key] = { id: person.id, cookie: await sessionCookie(app, database.db, person.id, clock) };
  };
  await member('recruiter', { name: '李招聘', wecomUserId: 'lizhaopin', roles: ['recruiter'] });
  await member('alice', { name: 'Alice Wang', wecomUserId: 'alice' });

  userDataDir = mkdtempSync(join(tmpdir(), 'pairview-questions-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(10_000);
  page = context.pages()[0] ?? (await context.newPage());
  await context.clock.setFixedTime(T0);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  await database?.drop();
  for (const dir of [userDataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the question bank in the browser', () => {
  it('a recruiter writes a question: live preview of the markdown, sanitised; server messages at the fields', async () => {
    await as('recruiter');
    await page.goto(`${base}/my`);
    await page.getByRole('link', { name: zh.questions.nav, exact: true }).click();
    await page.waitForURL(`${base}/questions`);
    await page.getByText(zh.questions.empty).waitFor();
    await page.getByRole('link', { name: zh.questions.newQuestion }).click();
    await page.waitForURL(`${base}/questions/new`);

    await page.getByLabel(zh.questions.fieldTitle, { exact: true }).fill('反转链表 · Reverse a Linked List');
    await page.getByLabel(zh.questions.fieldDifficulty, { exact: true }).selectOption({ label: zh.questions.difficulty.hard });
    await page.getByLabel(/^标签/).fill('linked-list，指针, Linked-List, ' + 'x'.repeat(31));
    // Markdown with everything a statement may hold, and what it must never run.
    await page.getByRole('textbox', { name: zh.questions.fieldStatement, exact: true }).fill(
      [
        '## 题目',
        '',
        '反转单链表，返回新的头节点。`head` 可能为空。',
        '',
        '```',
        '1 -> 2 -> 3  ⇒  3 -> 2 -> 1',
        '```',
        '',
        '| n | time |',
        '|---|---|',
        '| 10⁵ | O(n) |',
        '',
        '[参考](https://example.com/list) · [bad](javascript:window.__pwned=1)',
        '',
        '<img src="https://tracker.example/pixel.png" alt="pixel" onerror="window.__pwned=1"><script>window.__pwned=1</script>',
        '<a href="#" onclick="window.__pwned=1" style="position:fixed;inset:0">overlay</a>',
      ].join('\n'),
    );
    const preview = page.getByLabel(`${zh.questions.fieldStatement} · ${zh.questions.preview}`);
    await preview.getByRole('heading', { name: '题目' }).waitFor();
    expect(await preview.locator('pre code').innerText()).toContain('1 -> 2 -> 3');
    expect(await preview.locator('table td').allInnerTexts()).toEqual(['10⁵', 'O(n)']);
    const reference = preview.getByRole('link', { name: '参考' });
    expect(await reference.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await reference.getAttribute('target')).toBe('_blank');
    expect(await preview.locator('a', { hasText: 'bad' }).getAttribute('href')).toBeNull();
    expect(await preview.locator('img, script, [onerror], [onclick], [style]').count()).toBe(0);
    expect(await preview.innerText()).toContain('[pixel]');
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // Starter code per language: the select says which ones have code.
    const language = page.getByRole('combobox', { name: zh.questions.language });
    await language.selectOption('python');
    await page.getByLabel(`${zh.questions.fieldStarterCode} · Python 3`).fill('def reverse(head):\n    # TODO\n    return head\n');
    await language.selectOption('javascript');
    await page.getByLabel(`${zh.questions.fieldStarterCode} · JavaScript`).fill('function reverse(head) {\n  return head;\n}\n');
    expect(await language.locator('option:checked').innerText()).toBe('JavaScript ✓');
    await page.getByText(zh.questions.withCode('JavaScript、Python 3')).waitFor();
    await page.getByText(zh.questions.guidanceNote).waitFor();
    await page.getByRole('textbox', { name: zh.questions.fieldGuidance, exact: true }).fill('**优秀**：迭代，O(1) 空间。\n\n追问：递归版本的栈深度？');
    await shots('editor-zh');

    // The server's refusal, in Chinese, at the tags field; nothing saved.
    await page.getByRole('button', { name: zh.questions.create }).click();
    const tagsField = page.locator('.field').filter({ has: page.getByLabel(/^标签/) });
    await expect.poll(() => tagsField.locator('.field-error').innerText()).toBe('最多 30 个字符。');
    expect(await database.db.selectFrom('questions').select('id').execute()).toEqual([]);

    await page.getByLabel(/^标签/).fill('linked-list，指针, Linked-List');
    await page.getByRole('button', { name: zh.questions.create }).click();
    await page.waitForURL(/\/questions\/[0-9a-f-]{36}$/);
    await page.getByText(zh.questions.saved).waitFor();
    questionId = page.url().split('/').pop()!;
    const row = await database.db.selectFrom('questions').selectAll().where('id', '=', questionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      title: '反转链表 · Reverse a Linked List',
      difficulty: 'hard',
      tags: ['linked-list', '指针'],
      starter_code: { javascript: 'function reverse(head) {\n  return head;\n}\n', python: 'def reverse(head):\n    # TODO\n    return head\n' },
      created_by: people.recruiter.id,
    });
    // The saved question is what the form shows again.
    await page.reload();
    await expect.poll(() => page.getByLabel(/^标签/).inputValue()).toBe('linked-list, 指针');
    expect(await page.getByText(zh.questions.saved).count()).toBe(0);
  });

  it('lists it with its difficulty and tags; search and the difficulty filter narrow the list', async () => {
    expect(await seedDemoQuestions(database.db, clock)).toBe(0); // the bank is not empty: no demo set added
    // Part of the demo set beside it, as a development database has it.
    for (const q of DEMO_QUESTIONS.slice(0, 3)) {
      await app.inject({ method: 'POST', url: '/api/questions', headers: { cookie: people.recruiter.cookie }, payload: q });
    }
    await page.goto(`${base}/questions`);
    const row = page.getByRole('row').filter({ hasText: '反转链表' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/困难[\s\S]*JavaScript、Python 3[\s\S]*未使用/);
    await page.getByText(zh.questions.count(4)).waitFor();
    await shots('list-zh');

    await page.getByRole('searchbox', { name: zh.questions.search }).fill('指针');
    await expect.poll(() => page.getByRole('row').count()).toBe(2); // header + the match
    await page.getByRole('searchbox', { name: zh.questions.search }).fill('');
    await page.getByRole('combobox', { name: zh.questions.difficultyFilter }).selectOption('easy');
    await expect.poll(() => page.getByRole('row').allInnerTexts()).toEqual([expect.anything(), expect.stringContaining('两数之和')]);
    await page.getByRole('combobox', { name: zh.questions.difficultyFilter }).selectOption('');

    await setLocale('en');
    await page.getByText(en.questions.count(4)).waitFor();
    await shots('list-en');
    await page.getByRole('link', { name: 'LRU 缓存 · LRU Cache' }).click();
    await page.getByRole('heading', { name: en.questions.editTitle }).waitFor();
    await page.getByLabel(`${en.questions.fieldStatement} · ${en.questions.preview}`).getByText('Implement a fixed-capacity').waitFor();
    await shots('editor-en');
    await setLocale('zh');
  });

  it('a recruiter schedules with the question; the interview\'s page names it; it is fixed once the room starts', async () => {
    await page.goto(`${base}/schedule`);
    await page.getByLabel(zh.schedule.candidateName, { exact: true }).fill('王小明');
    await page.getByLabel(zh.schedule.position, { exact: true }).fill('后端工程师');
    await page.getByLabel(zh.schedule.start, { exact: true }).fill('2030-01-08T14:00');
    const picker = page.getByRole('combobox', { name: zh.schedule.interviewers });
    await picker.fill('alice');
    await page.getByRole('option', { name: /Alice Wang/ }).click();
    const question = page.getByRole('combobox', { name: /^题目/ });
    await question.selectOption({ label: `反转链表 · Reverse a Linked List · ${zh.questions.difficulty.hard}` });
    await page.locator('.question-choice').getByText(zh.questions.difficulty.hard).waitFor();
    await shots('schedule-zh');
    await page.getByRole('button', { name: zh.schedule.submit, exact: true }).click();
    await page.getByRole('heading', { name: zh.schedule.createdTitle }).waitFor();
    const interview = await database.db.selectFrom('interviews').selectAll().executeTakeFirstOrThrow();
    interviewId = interview.id;
    expect(interview.question_id).toBe(questionId);

    await page.getByRole('link', { name: zh.schedule.openInterview }).click();
    await page.waitForURL(`${base}/interviews/${interviewId}`);
    const fact = page.locator('.fact').filter({ hasText: zh.questions.detailLabel });
    await expect.poll(() => fact.innerText()).toMatch(/反转链表 · Reverse a Linked List\s*困难/);
    expect(await fact.getByRole('link').getAttribute('href')).toBe(`/questions/${questionId}`);
    await shots('detail-zh');

    // An interviewer on the panel sees the title (not a link into the bank, which is staff-only).
    await as('alice');
    await page.reload();
    await expect.poll(() => fact.innerText()).toMatch(/反转链表/);
    expect(await fact.getByRole('link').count()).toBe(0);
    await as('recruiter');

    // Before the start: changeable in the edit form.
    await page.goto(`${base}/interviews/${interviewId}/edit`);
    await expect.poll(() => question.inputValue()).toBe(questionId);
    const twoSum = (await database.db.selectFrom('questions').select('id').where('title', '=', '两数之和 · Two Sum').executeTakeFirstOrThrow()).id;
    await question.selectOption(twoSum);
    await page.getByRole('button', { name: zh.schedule.save }).click();
    await page.waitForURL(`${base}/interviews/${interviewId}`);
    await expect.poll(() => fact.innerText()).toMatch(/两数之和 · Two Sum\s*简单/);

    // The room started (an interviewer pressed Start): the picker is disabled and says why.
    await database.db.updateTable('rooms').set({ started_at: clock.now(), started_by: people.alice.id }).where('interview_id', '=', interviewId).execute();
    await page.goto(`${base}/interviews/${interviewId}/edit`);
    await expect.poll(() => question.isDisabled()).toBe(true);
    await page.getByText(zh.questions.pickerLocked).waitFor();
    await setLocale('en');
    await page.getByText(en.questions.pickerLocked).waitFor();
    await shots('schedule-locked-en');
    await setLocale('zh');
  });

  it('archives from the editor: gone from the list and the picker, kept by the interview that chose it', async () => {
    // Another interview (not started) chooses it first.
    const other = await app.inject({
      method: 'POST',
      url: '/api/interviews',
      headers: { cookie: people.recruiter.cookie },
      payload: {
        candidate: { name: '赵六' },
        position: '前端工程师',
        startsAt: '2030-01-09T02:00:00.000Z',
        durationMinutes: 45,
        interviewerIds: [people.alice.id],
        questionId,
      },
    });
    expect(other.statusCode, other.body).toBe(201);
    const otherId = other.json().interview.id as string;

    await page.goto(`${base}/questions/${questionId}`);
    await page.getByText(zh.questions.usedNotice(1)).waitFor();
    await page.getByRole('button', { name: zh.questions.archive }).click();
    await page.getByText(zh.questions.archivedNotice).waitFor();
    await page.getByRole('button', { name: zh.questions.restore }).waitFor();
    await page.goto(`${base}/questions`);
    await page.getByText(zh.questions.count(3)).waitFor();
    expect(await page.getByRole('row').filter({ hasText: '反转链表' }).count()).toBe(0);
    await page.getByLabel(zh.questions.showArchived).check();
    const row = page.getByRole('row').filter({ hasText: '反转链表' });
    await row.waitFor();
    expect(await row.innerText()).toContain(zh.questions.archived);
    expect(await row.innerText()).toContain(zh.questions.usedIn(1));

    // Not offered for a new interview …
    await page.goto(`${base}/schedule`);
    const picker = page.getByRole('combobox', { name: /^题目/ });
    await expect.poll(() => picker.locator('option').count()).toBe(4); // "none" and the three demo questions
    expect(await picker.locator('option').allInnerTexts()).not.toContainEqual(expect.stringContaining('反转链表'));
    // … but kept, marked archived, by the interview that chose it.
    await page.goto(`${base}/interviews/${otherId}/edit`);
    await expect.poll(() => picker.inputValue()).toBe(questionId);
    expect(await picker.locator('option:checked').innerText()).toBe(`反转链表 · Reverse a Linked List · ${zh.questions.difficulty.hard} (${zh.questions.archived})`);
    expect(await picker.isDisabled()).toBe(false);
    await shots('schedule-archived-zh');
  });
});
