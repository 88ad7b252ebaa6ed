/**
 * Issue 8's browser test: the interview room as people live it, in Debian's Chromium (playwright-core), against
 * Pairview with its collaboration server on a test database, serving the production build.
 *
 * The interviewer (Alice) and the candidate (王芳, by the link) in two browser contexts, a second interviewer
 * (Bob) in a third: the lobby until Start, typing at the same time, everyone's cursors, notes the candidate never
 * receives (checked on every WebSocket frame and HTTP answer of the candidate's page, with canaries), runs in
 * four languages in the browser and Java on the server's code runner (apps/runner, real sandbox), with the output in
 * both contexts, the time limit, running switched off, integrity signals, a
 * server restart mid-interview, and the end.
 *
 * Screenshots land in /tmp/room-*.png for a human to look at.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as decoding from 'lib0/decoding';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRunner, type RunnerHandle } from '@pairview/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../web/src/i18n/en.ts';
import { zh } from '../../../web/src/i18n/zh.ts';
import { buildWebAppForTest } from '../../../web/test/production-build.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../../test-support/chromium.ts';
import type { MemberPrincipal } from '../../src/auth/principal.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { createInterview } from '../../src/interviews/service.ts';
import { createCodeRunner, type CodeRunner } from '../../src/runner/service.ts';
import { webApp } from '../../src/web/plugin.ts';
import { createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../helpers.ts';
import { eventually, startRoomServer, type RoomServer } from '../rooms.ts';

const NOTES_CANARY = `NOTES-CANARY-${randomUUID()}`;
const GUIDANCE_CANARY = `GUIDANCE-CANARY-${randomUUID()}`;

let database: MigratedTestDatabase;
let server: RoomServer;
let port: number;
let distDir: string;
let browser: Browser;
let alice: BrowserContext;
let bob: BrowserContext;
let candidate: BrowserContext;
let alicePage: Page;
let candidatePage: Page;
let interviewId: string;
let token: string;
let runnerHandle: RunnerHandle;
let codeRunner: CodeRunner;
const people = {} as Record<'recruiter' | 'alice' | 'bob', { id: string; cookie: string }>;

/** What the candidate's page received: every WebSocket frame and every HTTP answer body. */
const candidateFrames: Buffer[] = [];
const candidateBodies: string[] = [];
const candidateSocketsClosed: string[] = [];

const plugins = () => [webApp({ distDir })];

async function memberContext(who: keyof typeof people): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const value = people[who].cookie.slice(SESSION_COOKIE.length + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value, url: server.httpBase, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/room-${name}.png`, fullPage: true });
}

/** The pad's text as the page's editor shows it. */
function padText(page: Page): Promise<string> {
  // Remote carets are widgets inside the lines (with the author's name): not part of the text.
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

/** Replaces the pad's content as a person would (select all, then type), without the editor's auto-closing. */
async function setPad(page: Page, code: string) {
  await page.locator('.room-code .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
}

async function output(page: Page): Promise<string> {
  return (await page.getByTestId('run-output').textContent()) ?? '';
}

beforeAll(async () => {
  distDir = await buildWebAppForTest('pairview-room-dist-');
  database = await createMigratedDatabase('pv_room_browser');
  runnerHandle = await startRunner({ port: 0 });
  if (!runnerHandle.report.ok) throw new Error(`the code runner does not work here: ${runnerHandle.report.problems.join('; ')}`);
  codeRunner = createCodeRunner({ baseUrl: runnerHandle.url });
  server = await startRoomServer(database, { plugins: plugins(), runner: codeRunner });
  port = Number(new URL(server.httpBase).port);

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
      title: '两数之和 / Two sum',
      statement: '## 题目\n\nGiven `nums` and `target`, return the indices of the two numbers that add up to `target`.\n\n<img src=x onerror="window.__xss=1">',
      starter_code: JSON.stringify({ javascript: '// two sum\n' }),
      guidance: `Look for the hash map. ${GUIDANCE_CANARY}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
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
  alice = await memberContext('alice');
  bob = await memberContext('bob');
  candidate = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  alicePage = await alice.newPage();
  candidatePage = await candidate.newPage();
  for (const page of [alicePage, candidatePage]) page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[browser ${m.type()}]`, m.text()); });
  candidatePage.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => candidateFrames.push(Buffer.isBuffer(payload) ? payload : Buffer.from(payload)));
    socket.on('close', () => candidateSocketsClosed.push(socket.url()));
  });
  candidatePage.on('response', (response) => {
    void response.text().then(
      (body) => candidateBodies.push(body),
      () => {},
    );
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await runnerHandle?.close();
  await database?.drop();
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

describe('the interview room in a browser', () => {
  it('the candidate waits in the lobby, the interviewer sees "candidate waiting", Start lets them in without a reload', async () => {
    await candidatePage.goto(`${server.httpBase}/r/${token}`);
    await candidatePage.getByLabel(zh.candidate.yourName).fill('王芳');
    await candidatePage.getByRole('button', { name: zh.candidate.enter }).click();
    await candidatePage.getByTestId('lobby').waitFor();
    await shot(candidatePage, 'candidate-lobby');
    await candidatePage.evaluate(() => ((window as unknown as { lobbyMarker: number }).lobbyMarker = 1));

    await alicePage.goto(`${server.httpBase}/interviews/${interviewId}/room`);
    await expect.poll(() => alicePage.getByTestId('lobby-status').textContent(), { timeout: 10_000 }).toBe(zh.pad.candidateWaiting);
    await shot(alicePage, 'interviewer-waiting');
    // The statement is rendered safely: markdown yes, the injected handler no.
    await expect.poll(() => alicePage.locator('.room-problem h2').count()).toBeGreaterThan(0);
    expect(await alicePage.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    await alicePage.getByRole('button', { name: zh.pad.start }).click();
    await candidatePage.locator('.room-code .cm-content').waitFor({ timeout: 10_000 });
    expect(await candidatePage.evaluate(() => (window as unknown as { lobbyMarker?: number }).lobbyMarker)).toBe(1);
    await expect.poll(() => padText(candidatePage)).toContain('// two sum');
  });

  it('interviewer and candidate type at the same time and end with the same text; a second interviewer sees both cursors', async () => {
    await alicePage.locator('.room-code .cm-content').waitFor();
    await alicePage.locator('.room-code .cm-line').first().click();
    await alicePage.keyboard.press('Control+Home');
    await candidatePage.locator('.room-code .cm-content').click();
    await candidatePage.keyboard.press('Control+End');
    await Promise.all([alicePage.keyboard.type('// alice was here\n', { delay: 15 }), candidatePage.keyboard.type('// candidate was here\n', { delay: 15 })]);
    await expect.poll(async () => (await padText(alicePage)) === (await padText(candidatePage)) && (await padText(alicePage)).includes('candidate was here'), { timeout: 10_000 }).toBe(true);
    const text = await padText(alicePage);
    expect(text).toContain('// alice was here');
    expect(text).toContain('// candidate was here');

    const bobPage = await bob.newPage();
    await bobPage.goto(`${server.httpBase}/interviews/${interviewId}/room`);
    await bobPage.locator('.room-code .cm-content').waitFor();
    // y-codemirror.next draws a caret with the author's name for every remote selection.
    await alicePage.locator('.room-code .cm-content').click();
    await candidatePage.locator('.room-code .cm-content').click();
    await expect
      .poll(async () => (await bobPage.locator('.cm-ySelectionInfo').allTextContents()).sort(), { timeout: 10_000 })
      .toEqual(['Alice Wang', '王芳'].sort());
    expect(await bobPage.getByTestId('presence').textContent()).toContain('王芳');
    await shot(bobPage, 'second-interviewer-cursors');
    await bobPage.close();
  });

  it('notes and guidance never reach the candidate: not in any WebSocket frame, not in any HTTP answer', async () => {
    await alicePage.getByRole('tab', { name: zh.pad.notes }).click();
    await alicePage.locator('.notes-editor .cm-content').first().click();
    await alicePage.keyboard.type('Strong start. ');
    // In one piece (one update), so a leak would carry the whole canary in one frame.
    await alicePage.keyboard.insertText(NOTES_CANARY);
    await alicePage.getByRole('tab', { name: zh.pad.guidance }).click();
    expect(await alicePage.locator('.guidance').textContent()).toContain(GUIDANCE_CANARY);
    await eventually(async () => {
      const rows = await database.db.selectFrom('collab_updates').select('update').where('document', '=', `notes:${interviewId}:${people.alice.id}`).execute();
      return rows.some((r) => r.update.toString('utf8').includes('CANARY'));
    }, 'the notes are stored');
    // Give any wrongly routed frame time to arrive, then read every frame the candidate's page received.
    await candidatePage.waitForTimeout(500);
    expect(candidateFrames.length).toBeGreaterThan(0);
    for (const frame of candidateFrames) {
      // Each Hocuspocus message starts with the document's name (a lib0 var string): only this room's pad and control document.
      const name = decoding.readVarString(decoding.createDecoder(new Uint8Array(frame)));
      expect([`code:${interviewId}`, `ctrl:${interviewId}`]).toContain(name);
      const text = frame.toString('utf8');
      expect(text).not.toContain('NOTES-CANARY');
      expect(text).not.toContain('GUIDANCE-CANARY');
    }
    expect(candidateBodies.length).toBeGreaterThan(0);
    for (const body of candidateBodies) {
      expect(body).not.toContain('NOTES-CANARY');
      expect(body).not.toContain('GUIDANCE-CANARY');
    }
  });

  it('runs JavaScript, TypeScript, Python and SQL in the browser and Java on the server, with the output in both contexts', { timeout: 180_000 }, async () => {
    const cases = [
      { language: 'javascript', code: 'console.log([1, 2, 3].map((x) => x * 14).join(","));', expected: '14,28,42' },
      { language: 'typescript', code: 'interface P { n: number }\nconst p: P = { n: 6 };\nconsole.log(`ts:${p.n * 7}`);', expected: 'ts:42' },
      { language: 'python', code: 'import sys\nprint("py:" + str(sum(range(10))) + ":" + sys.stdin.readline().strip())', expected: 'py:45:hello', stdin: 'hello' },
      { language: 'sql', code: 'create table t (n integer);\ninsert into t values (20), (22);\nselect sum(n) as total from t;', expected: '42' },
      {
        language: 'java',
        code: 'import java.util.*;\npublic class Main {\n  public static void main(String[] args) {\n    String who = new Scanner(System.in).nextLine();\n    System.out.println("java:" + (6 * 7) + ":" + who);\n  }\n}',
        expected: 'java:42:候选人',
        stdin: '候选人',
      },
    ];
    for (const { language, code, expected, stdin } of cases) {
      await alicePage.getByTestId('language').selectOption(language);
      await expect.poll(() => candidatePage.getByTestId('language').inputValue()).toBe(language);
      await setPad(candidatePage, code);
      await expect.poll(() => padText(alicePage)).toBe(code);
      if (stdin) await candidatePage.locator('.run-stdin textarea').fill(stdin);
      await candidatePage.getByTestId('run').click();
      await expect.poll(() => output(candidatePage), { timeout: 60_000 }).toContain(expected);
      await expect.poll(() => output(alicePage), { timeout: 10_000 }).toContain(expected);
      await shot(alicePage, `run-${language}`);
    }
    const runs = await database.db.selectFrom('room_runs').select(['language', 'exit_status', 'author_name']).where('interview_id', '=', interviewId).execute();
    expect(runs.map((r) => r.language).sort()).toEqual(['java', 'javascript', 'python', 'sql', 'typescript']);
    expect(runs.every((r) => r.exit_status === 'ok' && r.author_name === '王芳')).toBe(true);
  });

  it('an infinite loop is stopped at the time limit', { timeout: 60_000 }, async () => {
    await alicePage.getByTestId('language').selectOption('javascript');
    await expect.poll(() => candidatePage.getByTestId('language').inputValue()).toBe('javascript');
    await setPad(candidatePage, 'while (true) {}');
    await candidatePage.getByTestId('run').click();
    await expect.poll(() => alicePage.getByTestId('run-status').textContent(), { timeout: 30_000 }).toContain(zh.pad.status.timeout);
    const last = await database.db.selectFrom('room_runs').select(['exit_status', 'duration_ms']).where('interview_id', '=', interviewId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(last.exit_status).toBe('timeout');
    expect(last.duration_ms).toBeGreaterThanOrEqual(9_500);
  });

  it('running switched off is refused for the candidate', async () => {
    await alicePage.getByTestId('candidate-can-run').uncheck();
    await expect.poll(() => candidatePage.getByTestId('run').isDisabled()).toBe(true);
    expect(await candidatePage.locator('.run-hint').textContent()).toBe(zh.pad.runSwitchedOff);
    const refused = await candidatePage.evaluate(async (path) => {
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'javascript', code: 'x', stdin: '', output: 'forged', truncated: false, status: 'ok', durationMs: 1 }),
      });
      return response.status;
    }, `/api/room-links/${token}/runs`);
    expect(refused).toBe(403);
    await alicePage.getByTestId('candidate-can-run').check();
    await expect.poll(() => candidatePage.getByTestId('run').isDisabled()).toBe(false);
  });

  it('a large paste and a hidden tab show up as signals for the panel', async () => {
    await candidatePage.locator('.room-code .cm-content').click();
    await candidatePage.locator('.room-code .cm-content').evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', `// pasted\n${'x'.repeat(300)}\n`);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    // The page is hidden (another tab, another app) for a moment and comes back.
    await candidatePage.evaluate(async () => {
      const set = (value: string) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      set('hidden');
      await new Promise((resolve) => setTimeout(resolve, 1300));
      set('visible');
    });
    await alicePage.getByRole('tab', { name: new RegExp(zh.pad.signals) }).click();
    await expect.poll(() => alicePage.getByTestId('signals').locator('li').count(), { timeout: 10_000 }).toBe(2);
    const shown = await alicePage.getByTestId('signals').textContent();
    expect(shown).toContain(zh.pad.signalsNote);
    expect(shown).toMatch(/粘贴了 3\d\d 个字符/);
    expect(shown).toMatch(/离开了页面 1 秒/);
    await shot(alicePage, 'signals');
  });

  // The clients reconnect with the provider's backoff (1 s, doubling, at most 30 s): on a loaded machine the restart
  // can miss the early attempts and the next one is up to 30 s away.
  it('a server restart mid-interview: both clients reconnect and no edit is lost', { timeout: 120_000 }, async () => {
    const before = await padText(alicePage);
    await server.close();
    // Typed while the server is down: kept by the client and sent when it is back.
    await alicePage.locator('.room-code .cm-content').click();
    await alicePage.keyboard.press('Control+End');
    await alicePage.keyboard.type('\n// typed while offline');
    server = await startRoomServer(database, { port, plugins: plugins(), runner: codeRunner });
    await candidatePage.locator('.room-code .cm-content').click();
    await candidatePage.keyboard.press('Control+End');
    await candidatePage.keyboard.type('\n// typed after the restart');
    await expect
      .poll(async () => {
        const [a, c] = [await padText(alicePage), await padText(candidatePage)];
        return a === c && a.includes('typed while offline') && a.includes('typed after the restart') && a.startsWith(before.split('\n')[0]!);
      }, { timeout: 90_000 })
      .toBe(true);
    // The control document follows the room again on both pages (the end, next, is seen without a reload).
    expect(await alicePage.getByTestId('room-phase').textContent()).toBe(zh.pad.phase.live);
  });

  it('End interview locks the pad for everyone, closes the candidate socket and kills the link', async () => {
    const finalText = await padText(alicePage);
    await alicePage.getByRole('button', { name: zh.pad.end }).click();
    await alicePage.getByRole('button', { name: zh.pad.endNow }).click();
    // "The interview has ended", or — when the socket's close outran the last state — "this link no longer works".
    await candidatePage.locator('[data-state="ended"], [data-state="link-dead"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => candidateSocketsClosed.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => alicePage.locator('.room-code .collab-editor').getAttribute('data-readonly')).toBe('true');
    await shot(alicePage, 'ended');
    await shot(candidatePage, 'candidate-ended');
    const link = await candidatePage.evaluate(async (path) => (await fetch(path)).status, `/api/room-links/${token}`);
    expect(link).toBe(403);
    expect(await padText(alicePage)).toBe(finalText);
  });

  it('after the end, the scorecard is written in the room with the notes beside it, and the playback shows the final text', async () => {
    await alicePage.getByRole('tab', { name: zh.detail.scorecards }).click();
    const tab = alicePage.locator('.scorecard-with-notes');
    // The editor lives in a shadow root: its text is the content element's, not the host's.
    expect(await tab.locator('.notes-editor .cm-content').first().textContent()).toContain('NOTES-CANARY');
    await tab.getByText(zh.rating.yes, { exact: true }).click();
    await tab.getByRole('button', { name: zh.scorecard.submit }).click();
    await tab.getByText(zh.scorecard.submittedTitle).waitFor();
    await shot(alicePage, 'scorecard-submitted');
    const card = await database.db.selectFrom('scorecards').select('rating').where('interview_id', '=', interviewId).where('interviewer_id', '=', people.alice.id).executeTakeFirst();
    expect(card?.rating).toBe('yes');

    const finalText = await padText(alicePage);
    await alicePage.getByTestId('playback-link').click();
    await alicePage.waitForURL(/\/playback$/);
    await expect
      .poll(() => alicePage.locator('.cm-content').first().evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n')), { timeout: 15_000 })
      .toContain(finalText.split('\n').at(-1)!);
    await shot(alicePage, 'playback');
  });

  it('looks right on a phone and in English', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true });
    const value = people.alice.cookie.slice(SESSION_COOKIE.length + 1);
    await phone.addCookies([{ name: SESSION_COOKIE, value, url: server.httpBase, httpOnly: true, sameSite: 'Lax' }]);
    const page = await phone.newPage();
    await page.goto(`${server.httpBase}/interviews/${interviewId}/room`);
    await page.evaluate(() => localStorage.setItem('pairview.locale', 'en'));
    await page.reload();
    await page.locator('.room-code .cm-content').waitFor();
    expect(await page.getByTestId('room-phase').textContent()).toBe(en.pad.phase.ended);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'phone-en-ended');
    await phone.close();
  });
});
