/**
 * Playback in a real browser (Debian's Chromium via playwright-core), served by the real server app from the
 * production build on a test database. The session is two people typing over simulated time — real Yjs updates in
 * collab_updates, as the collaboration server writes them — with a run, a paste and a hidden tab. The text the page
 * shows at a moment is checked against the text Yjs itself gives for the updates up to that moment.
 *
 * Screenshots land in /tmp/shots-playback-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/src/auth/sessions.ts';
import { rolesOf } from '../../server/src/auth/principal.ts';
import { createInterview } from '../../server/src/interviews/service.ts';
import { webApp } from '../../server/src/web/plugin.ts';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../server/test/helpers.ts';
import { insertSession, simulateSession, type SessionUpdate } from '../../server/test/playback-session.ts';
import { en } from '../src/i18n/en.ts';
import { zh } from '../src/i18n/zh.ts';
import { clock as clockText } from '../src/room/playback/time.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test-support/chromium.ts';
import { buildWebAppForTest } from './production-build.ts';

const START = new Date('2030-01-08T06:00:00.000Z');
const END = new Date('2030-01-08T06:40:00.000Z');

let database: MigratedTestDatabase;
let app: FastifyInstance;
let base: string;
let distDir: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const serverClock = new ManualClock('2030-01-08T07:00:00.000Z');
let interviewId: string;
let candidateToken: string;
let session: SessionUpdate[];
const cookies = {} as Record<'alice' | 'outsider', string>;

/**
 * The pad's text as the page shows it: CodeMirror's lines (in the editor's shadow root), without the author's caret
 * label. CodeMirror draws only the lines near the viewport: the session is kept short enough to be drawn whole.
 */
async function shownText(): Promise<string> {
  return page.evaluate(() =>
    [...(document.querySelector('.pv-pb-editor')?.shadowRoot?.querySelectorAll('.cm-line') ?? [])]
      .map((line) => {
        const copy = line.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('.pv-pb-caret').forEach((caret) => caret.remove());
        return copy.textContent ?? '';
      })
      .join('\n'),
  );
}

/** The text Yjs gives after every update made by `at`. */
function textAt(at: number): string {
  let text = '';
  for (const update of session) if (update.at.getTime() <= at) text = update.text;
  return text;
}

const scrubber = () => page.getByRole('slider', { name: zh.playback.scrubber });

/** The moment the scrubber shows: its value counts from the actual start (the session's typing starts after it). */
async function scrubberMoment(): Promise<number> {
  return START.getTime() + Number(await scrubber().inputValue());
}

async function as(who: keyof typeof cookies | 'nobody') {
  await context.clearCookies();
  if (who === 'nobody') return;
  await context.addCookies([{ name: SESSION_COOKIE, value: cookies[who].slice(SESSION_COOKIE.length + 1), url: base, httpOnly: true, sameSite: 'Lax' }]);
}

async function shot(name: string) {
  await page.screenshot({ path: `/tmp/shots-playback-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  distDir = await buildWebAppForTest('pairview-playback-dist-');
  database = await createMigratedDatabase('pv_web_playback');
  app = await buildTestApp(database, { clock: serverClock, plugins: [webApp({ distDir })] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const recruiter = await createPerson(database.db, { name: '李招聘', roles: ['recruiter'] });
  const alice = await createPerson(database.db, { name: 'Alice Wang' });
  const outsider = await createPerson(database.db, { name: 'Oscar Outside' });
  cookies.alice = await sessionCookie(app, database.db, alice.id, serverClock);
  cookies.outsider = await sessionCookie(app, database.db, outsider.id, serverClock);
  const created = await createInterview({ db: database.db, clock: new ManualClock('2030-01-07T02:00:00.000Z') }, { kind: 'member', person: recruiter, roles: rolesOf(recruiter, new Set()) }, {
    candidate: { name: '王小明' },
    position: '后端工程师',
    startsAt: START,
    durationMinutes: 60,
    interviewerIds: [alice.id],
  });
  interviewId = created.interviewId;
  candidateToken = created.candidateLinkToken;

  // 30 minutes: the candidate types a Python solution, the interviewer adds a question, one large paste.
  session = simulateSession({
    start: START,
    edits: 450,
    durationMs: 30 * 60_000,
    candidate: { kind: 'candidate', personId: null, name: '王小明' },
    interviewer: { kind: 'member', personId: alice.id, name: 'Alice Wang' },
    pastes: 1,
    pasteText: 'def is_palindrome(text):\n    cleaned = [c.lower() for c in text if c.isalnum()]\n    return cleaned == cleaned[::-1]\n\n\n# Two pointers from both ends would need no extra list.\nprint(is_palindrome("A man, a plan, a canal: Panama"))\n',
    seed: 3,
  });
  await insertSession(database.db, interviewId, session);
  const paste = session.find((u) => u.paste)!;
  const runAt = session[300]!.at;
  await database.db
    .insertInto('room_runs')
    .values({ interview_id: interviewId, language: 'python', code: session[300]!.text, stdin: '', output: '[0, 1]\n3\n', exit_status: 'ok', duration_ms: 212, author_kind: 'candidate', person_id: null, author_name: '王小明', created_at: runAt })
    .execute();
  await database.db
    .insertInto('room_signals')
    .values([
      { interview_id: interviewId, kind: 'paste', chars: paste.paste!, author_kind: 'candidate', person_id: null, author_name: '王小明', created_at: paste.at },
      { interview_id: interviewId, kind: 'focus_lost', duration_ms: 25_000, author_kind: 'candidate', person_id: null, author_name: '王小明', created_at: session[200]!.at },
    ])
    .execute();
  await database.db.updateTable('rooms').set({ started_at: START, language: 'python', ended_at: END }).where('interview_id', '=', interviewId).execute();
  await database.db.updateTable('interviews').set({ status: 'completed', completed_at: END }).where('id', '=', interviewId).execute();

  userDataDir = mkdtempSync(join(tmpdir(), 'pairview-playback-'));
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
}, 180_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  await database?.drop();
  for (const dir of [userDataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('playback of an interview', () => {
  it('opens from the completed interview at the end, with the final text', async () => {
    await as('alice');
    await page.goto(`${base}/interviews/${interviewId}`);
    await page.getByRole('link', { name: zh.playback.open }).click();
    await page.waitForURL(`${base}/interviews/${interviewId}/playback`);
    await page.getByRole('heading', { name: zh.playback.title('王小明') }).waitFor();
    await page.locator('.pv-pb-editor .cm-line').first().waitFor();
    // Styled by CodeMirror's own theme (the CSP lets a constructed stylesheet through, not a <style> element).
    expect(await page.locator('.cm-gutters').evaluate((el) => getComputedStyle(el).display)).toBe('flex');
    const final = session[session.length - 1]!.text;
    await expect.poll(shownText).toBe(final);
    await page.getByText(zh.playback.finalText).waitFor();
    // Each author's text is tinted in their colour, the starter code is not.
    expect(await page.locator('.pv-pb-editor [class*="pv-pb-a"]').count()).toBeGreaterThan(0);
    await page.getByText(zh.playback.signalsNotVerdicts).waitFor();
    await shot('desktop-zh-end');
  });

  it('at the middle of the scrubber shows the text of that moment, at the end the final text, by keyboard too', async () => {
    const range = scrubber();
    const max = Number(await range.getAttribute('max'));
    await range.fill(String(Math.round(max / 2)));
    const middle = await scrubberMoment();
    expect(middle - START.getTime()).toBe(Math.round(max / 2));
    const expected = textAt(middle);
    expect(expected).not.toBe(session[session.length - 1]!.text);
    await expect.poll(shownText).toBe(expected);
    // The clock says how long after the actual start this is.
    expect(await page.locator('.pv-pb-clock strong').innerText()).toBe(clockText(middle - START.getTime()));
    await shot('desktop-zh-middle');

    // ← steps back to the previous change: the text one update earlier.
    await range.focus();
    await page.keyboard.press('ArrowLeft');
    const before = await scrubberMoment();
    expect(before).toBeLessThan(middle);
    await expect.poll(shownText).toBe(textAt(before));
    expect(textAt(before)).not.toBe(expected);

    await page.keyboard.press('End');
    await expect.poll(shownText).toBe(session[session.length - 1]!.text);
    await page.keyboard.press('Home');
    await expect.poll(shownText).toBe(textAt(START.getTime()));
    expect(textAt(START.getTime())).toBe(session[0]!.text); // only the starter code before the start
  });

  it('shows a run where it happened, with its code, output and status; paste and hidden tab are marked', async () => {
    await page.getByRole('button', { name: zh.playback.runMarker(clockText(session[300]!.at.getTime() - START.getTime()), '王小明', zh.playback.runStatus.ok) }).click();
    const run = page.getByRole('region', { name: zh.playback.runTitle });
    await run.waitFor();
    expect(await run.locator('.pv-pb-output').innerText()).toBe('[0, 1]\n3\n');
    expect(await run.locator('pre').first().innerText()).toBe(session[300]!.text);
    await expect.poll(shownText).toBe(session[300]!.text);
    const paste = session.find((u) => u.paste)!;
    await page.getByRole('button', { name: zh.playback.pasteMarker(clockText(paste.at.getTime() - START.getTime()), '王小明') }).waitFor();
    await page.getByRole('button', { name: zh.playback.focusMarker(clockText(session[200]!.at.getTime() - START.getTime()), '王小明') }).waitFor();
    await page.getByText(zh.playback.pasted('王小明', paste.paste!)).waitFor();
    await shot('desktop-zh-run');
  });

  it('plays at the chosen speed, skips a long pause, and pauses on the text of the moment it shows', async () => {
    // A pause of over 10 s between two updates: at 1× it would take that long to cross; skipped, it takes moments.
    const gap = session.findIndex((u, i) => i > 10 && i < session.length - 1 && session[i + 1]!.at.getTime() - u.at.getTime() > 10_000);
    expect(gap).toBeGreaterThan(0);
    const range = scrubber();
    await range.fill(String(session[gap]!.at.getTime() - START.getTime()));
    await page.getByRole('button', { name: '1×' }).click();
    await page.getByRole('button', { name: zh.playback.play, exact: true }).click();
    const crossed = Date.now();
    await expect.poll(scrubberMoment, { timeout: 5000 }).toBeGreaterThanOrEqual(session[gap + 1]!.at.getTime());
    expect(Date.now() - crossed).toBeLessThan(5000);
    await page.getByText(/已跳过/).waitFor();

    await page.getByRole('button', { name: '32×' }).click();
    await page.waitForTimeout(800);
    await page.getByRole('button', { name: zh.playback.pause }).click();
    const paused = await scrubberMoment();
    await expect.poll(shownText).toBe(textAt(paused));
  });

  it('fits a phone, in Chinese and in English', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('.pv-pb-editor .cm-line').first().waitFor();
    await shot('phone-zh');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: zh.common.switchLanguage }).click();
    await page.getByRole('heading', { name: en.playback.title('王小明') }).waitFor();
    await page.getByText(en.playback.signalsNotVerdicts).waitFor();
    await shot('phone-en');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot('desktop-en');
    await page.getByRole('button', { name: en.common.switchLanguage }).click();
  });

  it('gives a candidate link and an outsider no playback', async () => {
    // The candidate's browser holds the room link, not a session: the API asks for a sign-in and sends nothing.
    await as('nobody');
    await page.goto(`${base}/r/${candidateToken}`);
    const candidate = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, body: await response.text() };
    }, `/api/interviews/${interviewId}/playback`);
    expect(candidate.status).toBe(401);
    expect(candidate.body).not.toContain('def two_sum');
    const forged = await fetch(`${base}/api/interviews/${interviewId}/playback`, { headers: { cookie: `${SESSION_COOKIE}=${candidateToken}` } });
    expect(forged.status).toBe(401);

    await as('outsider');
    const outsider = await fetch(`${base}/api/interviews/${interviewId}/playback`, { headers: { cookie: cookies.outsider } });
    expect(outsider.status).toBe(403);
    expect(await outsider.text()).not.toContain('def two_sum');
    await page.goto(`${base}/interviews/${interviewId}/playback`);
    await page.getByRole('heading', { name: zh.errors.noAccessTitle }).waitFor();
    expect(await page.locator('.cm-editor').count()).toBe(0);
  });
});
