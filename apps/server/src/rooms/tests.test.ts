/**
 * "Run tests" in the room, against the real code runner (apps/runner, bubblewrap) started in this process, with
 * Pairview listening and its collaboration server: who may run the tests, what each case's result says (Python and
 * C++, one case failing, a compile error, a time limit), what is recorded and shown in the panel's room view — and
 * that a hidden case reaches nothing of the candidate's: neither an HTTP answer to the link nor a frame of the
 * documents the candidate's page opens (checked with a canary in the hidden case's input and expected output).
 */
import { randomUUID } from 'node:crypto';
import { startRunner, type RunnerHandle } from '@pairview/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberPrincipal } from '../auth/principal.ts';
import { ManualClock, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { eventually, roomClient, roomStateIn, startRoomServer, type RoomServer } from '../../test/rooms.ts';
import { createInterview } from '../interviews/service.ts';
import { createQuestion } from '../questions/service.ts';
import type { TestCase } from '../db/schema.ts';
import { TooManyRequestsError } from '../errors.ts';
import { createCodeRunner, type CodeRunner, type RunJob, type RunOutcome } from '../runner/service.ts';
import { normaliseOutput, runTests, sameOutput } from './tests.ts';

const CANARY = `HIDDEN-CASE-CANARY-${randomUUID()}`;
const clock = { now: () => new Date() };

let handle: RunnerHandle;
let database: MigratedTestDatabase;
let server: RoomServer;
let recruiter: MemberPrincipal;
let panel: { id: string; cookie: string };
let outsider: { cookie: string };
/** Every job that reached the runner. */
const jobs: RunJob[] = [];

/** A sum of two numbers per line; the hidden case's input and output carry the canary (echoed back). */
const CASES: TestCase[] = [
  { name: 'Example', input: '1 2', expected: '3', hidden: false },
  { name: 'Negative', input: '-5 2', expected: '-3\n', hidden: false },
  { name: 'Echo secret', input: `${CANARY}`, expected: `${CANARY}`, hidden: true },
  { name: 'Big', input: '2000000000 2000000000', expected: '4000000000', hidden: true },
];

/** Python that passes every case. */
const PYTHON = `import sys
line = sys.stdin.read().strip()
if line.startswith("HIDDEN"):
    print(line)
else:
    a, b = map(int, line.split())
    print(a + b)   
`;

/** C++ whose int overflows on the big case (prints 1 trailing space and a blank line, which do not matter). */
const CPP = `#include <iostream>
#include <string>
int main() {
  std::string first;
  std::cin >> first;
  if (first.rfind("HIDDEN", 0) == 0) { std::cout << first << " \\n\\n"; return 0; }
  int a = std::stoi(first), b;
  std::cin >> b;
  std::cout << a + b << std::endl;
}
`;

beforeAll(async () => {
  handle = await startRunner({ port: 0 });
  if (!handle.report.ok) throw new Error(`the code runner does not work here: ${handle.report.problems.join('; ')} (CI installs bubblewrap)`);
  const real = createCodeRunner({ baseUrl: handle.url });
  const counting: CodeRunner = { languages: () => real.languages(), run: (job) => (jobs.push(job), real.run(job)) };
  database = await createMigratedDatabase('pv_room_tests');
  server = await startRoomServer(database, { clock, runner: counting });
  const recruiterRow = await createPerson(database.db, { name: 'Recruiter', roles: ['recruiter'] });
  recruiter = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
  const person = await createPerson(database.db, { name: '陈杰' });
  panel = { id: person.id, cookie: await sessionCookie(server.app, database.db, person.id, clock) };
  const other = await createPerson(database.db, { name: 'Not on the panel' });
  outsider = { cookie: await sessionCookie(server.app, database.db, other.id, clock) };
}, 120_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
  await handle?.close();
});

async function room(testCases: TestCase[] = CASES) {
  const questionId = await createQuestion({ db: database.db, clock }, null, { title: 'Sum', statement: 'Add two numbers.', difficulty: 'easy', tags: [], starterCode: { python: '# sum\n' }, guidance: '', testCases });
  const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, recruiter, {
    candidate: { name: '王芳' },
    position: 'Backend engineer',
    startsAt: new Date(Date.now() + 3600_000),
    durationMinutes: 60,
    interviewerIds: [panel.id],
    questionId,
  });
  return { id: interviewId, token: candidateLinkToken };
}

function runTestsAs(id: string, cookie: string, body: Record<string, unknown>) {
  return server.app.inject({ method: 'POST', url: `/api/interviews/${id}/room/tests`, headers: { cookie }, payload: body });
}

describe('running a question\'s test cases in the room', () => {
  it('Python: every case passes; the result is recorded, shown in the panel\'s room view and the Tests tab\'s status', async () => {
    const { id } = await room();
    const response = await runTestsAs(id, panel.cookie, { language: 'python', code: PYTHON });
    expect(response.statusCode, response.body).toBe(201);
    const run = response.json();
    expect(run).toMatchObject({ language: 'python', passed: 4, total: 4, authorName: '陈杰' });
    expect(run.cases.map((c: { name: string; hidden: boolean; passed: boolean; status: string }) => [c.name, c.hidden, c.passed, c.status])).toEqual([
      ['Example', false, true, 'ok'],
      ['Negative', false, true, 'ok'],
      ['Echo secret', true, true, 'ok'],
      ['Big', true, true, 'ok'],
    ]);
    expect(run.cases[0]).toMatchObject({ input: '1 2', expected: '3', actual: '3\n', failedStage: null, message: null, errorOutput: '', truncated: false });
    for (const c of run.cases) expect(c.durationMs).toBeGreaterThan(0);

    const stored = await database.db.selectFrom('room_test_runs').selectAll().where('interview_id', '=', id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ language: 'python', code: PYTHON, passed: 4, total: 4, person_id: panel.id, author_name: '陈杰' });
    expect(stored[0]!.results).toEqual(run.cases);

    const view = await server.app.inject({ method: 'GET', url: `/api/interviews/${id}/room`, headers: { cookie: panel.cookie } });
    expect(view.json().lastTestRun).toEqual(run);
    // The panel sees every case before running, hidden ones included.
    expect(view.json().question.testCases).toEqual(CASES);
    const status = await server.app.inject({ method: 'GET', url: `/api/interviews/${id}/room/tests`, headers: { cookie: panel.cookie } });
    expect(status.json()).toMatchObject({ runner: 'ready', lastRun: run });
    expect(status.json().languages).toEqual(expect.arrayContaining(['python', 'java', 'cpp']));
    expect(status.json().languages).not.toContain('sql');
  });

  it('C++: the overflowing case fails with what the program printed beside what was expected; whitespace at line ends does not count', async () => {
    const { id } = await room();
    const response = await runTestsAs(id, panel.cookie, { language: 'cpp', code: CPP });
    expect(response.statusCode, response.body).toBe(201);
    const run = response.json();
    expect(run).toMatchObject({ language: 'cpp', passed: 3, total: 4 });
    expect(run.cases.map((c: { passed: boolean }) => c.passed)).toEqual([true, true, true, false]);
    // "<canary> \n\n" passes against "<canary>".
    expect(run.cases[2]).toMatchObject({ passed: true, actual: `${CANARY} \n\n` });
    const big = run.cases[3];
    expect(big).toMatchObject({ name: 'Big', hidden: true, status: 'ok', passed: false, expected: '4000000000', message: null });
    expect(big.actual.trim()).not.toBe('4000000000');
    expect(big.actual.trim()).toMatch(/^-?\d+$/);
  });

  it('a compile error fails every case with the compiler\'s words, after one run; a case over the time limit says so', async () => {
    const { id } = await room();
    const before = jobs.length;
    const broken = await runTestsAs(id, panel.cookie, { language: 'cpp', code: 'int main() { return x; }\n' });
    expect(broken.statusCode, broken.body).toBe(201);
    expect(jobs.length - before).toBe(1);
    const run = broken.json();
    expect(run).toMatchObject({ passed: 0, total: 4 });
    for (const c of run.cases) {
      expect(c).toMatchObject({ passed: false, status: 'error', failedStage: 'compile', actual: '' });
      expect(c.errorOutput).toContain('x');
      expect(c.errorOutput).toMatch(/error/i);
    }

    const slow = await room([{ name: 'Loop', input: '', expected: 'done', hidden: false }]);
    const timedOut = await runTestsAs(slow.id, panel.cookie, { language: 'python', code: 'while True:\n    pass\n' });
    expect(timedOut.statusCode, timedOut.body).toBe(201);
    expect(timedOut.json().cases[0]).toMatchObject({ passed: false, status: 'timeout', failedStage: 'run' });
    expect(timedOut.json().cases[0].message).toMatch(/time limit/i);
  }, 60_000);

  it('refuses what cannot run, in both languages and before any run: SQL, no cases, no runner, bad input', async () => {
    const { id } = await room();
    const before = jobs.length;
    const sql = await runTestsAs(id, panel.cookie, { language: 'sql', code: 'select 1;' });
    expect(sql.statusCode).toBe(409);
    expect(sql.json()).toMatchObject({ code: 'language_not_testable', message: expect.stringContaining('does not run sql'), messageZh: expect.stringContaining('不支持 sql') });
    expect(sql.json().message).toContain('python');

    const none = await room([]);
    const noCases = await runTestsAs(none.id, panel.cookie, { language: 'python', code: PYTHON });
    expect(noCases.statusCode).toBe(409);
    expect(noCases.json()).toMatchObject({ code: 'no_test_cases', messageZh: '这场面试的题目没有测试用例：请在题库中为题目添加。' });

    const bad = await runTestsAs(id, panel.cookie, { language: 'cobol', code: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toEqual([expect.objectContaining({ path: 'language', code: 'invalid_choice' })]);
    expect(jobs.length).toBe(before);

    // A Pairview without a code runner says so, and how to get one.
    const noRunner = await runTests({ db: database.db, clock, runner: undefined }, id, { kind: 'member', personId: panel.id, name: '陈杰' }, { language: 'python', code: PYTHON }).catch((e: unknown) => e);
    expect(noRunner).toMatchObject({ statusCode: 503, code: 'runner_off', message: expect.stringContaining('apt-get install bubblewrap') });
  });

  it('only the panel runs or reads tests: the candidate\'s link opens neither, an outsider is refused', async () => {
    const { id, token } = await room();
    // The link as a session cookie, or sent to a tests route of the link: nothing runs.
    const before = jobs.length;
    const asCandidate = await server.app.inject({ method: 'POST', url: `/api/interviews/${id}/room/tests`, headers: { cookie: `pairview_session=${token}` }, payload: { language: 'python', code: PYTHON } });
    expect(asCandidate.statusCode).toBe(401);
    const viaLink = await server.app.inject({ method: 'POST', url: `/api/room-links/${token}/tests`, payload: { language: 'python', code: PYTHON } });
    expect(viaLink.statusCode).toBe(404);
    const readViaLink = await server.app.inject({ method: 'GET', url: `/api/room-links/${token}/tests` });
    expect(readViaLink.statusCode).toBe(404);
    expect((await runTestsAs(id, outsider.cookie, { language: 'python', code: PYTHON })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'GET', url: `/api/interviews/${id}/room/tests`, headers: { cookie: outsider.cookie } })).statusCode).toBe(403);
    expect(jobs.length).toBe(before);
  });

  it('a hidden case reaches nothing of the candidate\'s: not the link\'s answer, not a frame of the pad or the control document', async () => {
    const { id, token } = await room();
    const linkView = await server.app.inject({ method: 'GET', url: `/api/room-links/${token}` });
    expect(linkView.statusCode).toBe(200);
    expect(linkView.json().question.examples).toEqual([
      { name: 'Example', input: '1 2', expected: '3' },
      { name: 'Negative', input: '-5 2', expected: '-3\n' },
    ]);
    expect(linkView.body).not.toContain(CANARY);
    expect(linkView.body).not.toContain('Big');
    expect(linkView.body).not.toContain('hidden');

    // The candidate in the room, with the pad and the control document open, while the panel runs the tests.
    await server.app.inject({ method: 'POST', url: `/api/room-links/${token}/join`, payload: { name: '王芳' } });
    await server.app.inject({ method: 'POST', url: `/api/interviews/${id}/room/start`, headers: { cookie: panel.cookie } });
    const candidate = roomClient(server, id, { linkToken: token });
    const member = roomClient(server, id, { cookie: panel.cookie });
    try {
      const ctrl = await candidate.open(`ctrl:${id}`);
      await candidate.open(`code:${id}`);
      const panelDoc = await member.open(`panel:${id}`);
      const revision = roomStateIn(ctrl.doc)!.revision;
      const run = await runTestsAs(id, panel.cookie, { language: 'python', code: PYTHON });
      expect(run.statusCode, run.body).toBe(201);
      expect(run.body).toContain(CANARY); // the panel's answer has it: the canary is a real one
      // The run is announced: the candidate's control document moves on (so other panel pages reload their tests).
      await eventually(() => (roomStateIn(ctrl.doc)?.revision ?? 0) > revision, 'the room announces the test run');
      const after = await server.app.inject({ method: 'GET', url: `/api/room-links/${token}` });
      expect(after.body).not.toContain(CANARY);
      const frames = Buffer.concat(candidate.received).toString('latin1');
      expect(frames.length).toBeGreaterThan(0);
      expect(frames).not.toContain(CANARY);
      expect(JSON.stringify(ctrl.doc.toJSON())).not.toContain(CANARY);
      expect(JSON.stringify(panelDoc.doc.toJSON())).not.toContain(CANARY);
    } finally {
      candidate.destroy();
      member.destroy();
    }
  });
});

describe('test runs: comparison, time budget and a busy room (a stand-in runner)', () => {
  const outcome = (stdout: string, extra: Partial<RunOutcome> = {}): RunOutcome => ({ status: 'ok', output: stdout, stdout, truncated: false, durationMs: 5, failedStage: null, message: null, ...extra });

  it('compares with line endings, trailing spaces and trailing blank lines ignored, nothing else', () => {
    expect(normaliseOutput('1 2  \r\n3\t\n\n\n')).toBe('1 2\n3');
    expect(sameOutput('0 1\n', '0 1')).toBe(true);
    expect(sameOutput('0 1 \n\n', '0 1\r\n')).toBe(true);
    expect(sameOutput(' 0 1', '0 1')).toBe(false);
    expect(sameOutput('0\n\n1', '0\n1')).toBe(false);
    expect(sameOutput('0  1', '0 1')).toBe(false);
    expect(sameOutput('', '0')).toBe(false);
  });

  it('stops starting cases when the budget is spent, and waits its turn when the room\'s queue is full', async () => {
    const { id } = await room();
    let now = 0;
    let refusals = 2;
    const runner: CodeRunner = {
      languages: async () => ['python'],
      async run(job) {
        if (refusals > 0) {
          refusals--;
          throw new TooManyRequestsError({ code: 'runs_waiting', en: 'busy', zh: '忙' });
        }
        now += 600; // each case takes 600 "ms" of the budget
        return outcome(job.stdin === '1 2' ? '3\n' : 'wrong\n');
      },
    };
    const run = await runTests({ db: database.db, clock: new ManualClock(), runner, now: () => now, budgetMs: 1000 }, id, { kind: 'member', personId: panel.id, name: '陈杰' }, { language: 'python', code: 'x' });
    // Two refusals waited out, then case 1 (0 → 600) and case 2 (600 → 1200) ran; cases 3 and 4 were not started.
    expect(run.cases.map((c) => [c.status, c.passed])).toEqual([
      ['ok', true],
      ['ok', false],
      ['skipped', false],
      ['skipped', false],
    ]);
    expect(run).toMatchObject({ passed: 1, total: 4 });
  });
});
