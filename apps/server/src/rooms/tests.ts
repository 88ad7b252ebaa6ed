/**
 * "Run tests" in a room: the pad's code against every test case of the interview's question, on the server's code
 * runner (runner/service.ts), one case after another — each case is one run, so the room's share of the runner is
 * never held by more than one of them and the candidate's own runs go in between. Each case passes when the
 * program ends well and its stdout matches the expected output (see `sameOutput`). The test run is recorded with
 * every case's result and is for the panel only: it is announced (the revision moves) so the other interviewers'
 * Tests tabs load it, and nothing of it is written into a document the candidate's page opens.
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { RoomTestRunsTable, TestCase, TestCaseResult } from '../db/schema.ts';
import { ConflictError, ServiceUnavailableError, TooManyRequestsError } from '../errors.ts';
import { roomQuestion } from '../questions/room.ts';
import type { CodeRunner, RunOutcome } from '../runner/service.ts';
import { announceRoomChange } from './events.ts';
import type { LanguageId } from './languages.ts';
import { roomNotOpen, type RoomActor } from './service.ts';

export type { TestCaseResult };

/** What a test run shows of each input, expected and actual output: the rest is cut (the comparison is not). */
export const DISPLAY_CAP = 4000;
/**
 * A test run stops starting cases after this long (20 cases of an endless loop would otherwise hold the request
 * for a minute or more); the cases left are reported as skipped.
 */
export const TEST_RUN_BUDGET_MS = 30_000;
/** How long to wait before asking again when the room's queue on the runner is full (the candidate's runs). */
const QUEUE_RETRY_MS = 250;

export interface TestRunView {
  id: string;
  questionId: string | null;
  language: string;
  passed: number;
  total: number;
  durationMs: number;
  authorName: string;
  at: string;
  cases: TestCaseResult[];
}

export interface TestsDeps {
  db: Db;
  clock: Clock;
  runner: CodeRunner | undefined;
  /** Time for the budget (tests shorten it); default performance.now. */
  now?: () => number;
  budgetMs?: number;
}

/**
 * The comparison: line endings made "\n", spaces and tabs at the end of each line dropped, blank lines at the end
 * dropped. Leading spaces and blank lines inside the output count: "1 2" is not " 1 2".
 */
export function normaliseOutput(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
}

export function sameOutput(actual: string, expected: string): boolean {
  return normaliseOutput(actual) === normaliseOutput(expected);
}

/** Runs the cases against `code` and records the test run. */
export async function runTests(
  deps: TestsDeps,
  interviewId: string,
  actor: RoomActor,
  job: { language: LanguageId; code: string },
): Promise<TestRunView> {
  const { db, clock, runner } = deps;
  const room = await db.selectFrom('rooms').select('id').where('interview_id', '=', interviewId).executeTakeFirst();
  if (!room) throw roomNotOpen(interviewId);
  const question = await roomQuestion(db, interviewId);
  if (!question || question.testCases.length === 0) throw noTestCases();
  if (!runner) throw noRunner();
  const served = await runner.languages();
  if (served.length === 0) throw runnerUnreachable();
  if (!served.includes(job.language)) throw languageNotTestable(job.language, served);

  const now = deps.now ?? (() => performance.now());
  const deadline = now() + (deps.budgetMs ?? TEST_RUN_BUDGET_MS);
  const results: TestCaseResult[] = [];
  let compileFailure: RunOutcome | undefined;
  for (const testCase of question.testCases) {
    if (compileFailure) {
      // The same code compiles the same way: every case fails with the first one's compile errors.
      results.push(resultOf(testCase, compileFailure, 0));
      continue;
    }
    if (now() >= deadline) {
      results.push(skipped(testCase));
      continue;
    }
    const outcome = await runWhenQueued(runner, { interviewId, language: job.language, code: job.code, stdin: testCase.input }, now, deadline);
    if (!outcome) {
      results.push(skipped(testCase));
      continue;
    }
    if (outcome.failedStage === 'compile') compileFailure = outcome;
    results.push(resultOf(testCase, outcome, outcome.durationMs));
  }

  const passed = results.filter((r) => r.passed).length;
  const row = await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('room_test_runs')
      .values({
        interview_id: interviewId,
        question_id: question.id,
        language: job.language,
        code: job.code,
        results: JSON.stringify(results),
        passed,
        total: results.length,
        duration_ms: results.reduce((sum, r) => sum + r.durationMs, 0),
        person_id: actor.personId,
        author_name: actor.name,
        created_at: clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await announceRoomChange(tx, interviewId);
    return inserted;
  });
  return testRunView(row);
}

/**
 * One case's run. The room's queue may be full of the candidate's runs: then it waits its turn (until the
 * budget is spent: undefined) rather than failing the whole test run.
 */
async function runWhenQueued(
  runner: CodeRunner,
  job: Parameters<CodeRunner['run']>[0],
  now: () => number,
  deadline: number,
): Promise<RunOutcome | undefined> {
  for (;;) {
    try {
      return await runner.run(job);
    } catch (error) {
      if (!(error instanceof TooManyRequestsError) || now() + QUEUE_RETRY_MS >= deadline) {
        if (error instanceof TooManyRequestsError) return undefined;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, QUEUE_RETRY_MS));
    }
  }
}

function resultOf(testCase: TestCase, outcome: RunOutcome, durationMs: number): TestCaseResult {
  const input = cut(testCase.input);
  const expected = cut(testCase.expected);
  const actual = cut(outcome.stdout);
  return {
    name: testCase.name,
    hidden: testCase.hidden,
    input: input.text,
    expected: expected.text,
    actual: actual.text,
    truncated: input.cut || expected.cut || actual.cut,
    passed: outcome.status === 'ok' && sameOutput(outcome.stdout, testCase.expected),
    status: outcome.status,
    failedStage: outcome.failedStage,
    message: outcome.status === 'ok' ? null : (outcome.message ?? (outcome.failedStage === 'compile' ? 'Compile error' : null)),
    // What a person reads to see why: the compile errors, or stdout and stderr with the runner's last word.
    errorOutput: outcome.status === 'ok' ? '' : cut(outcome.output).text,
    durationMs: Math.max(0, Math.round(durationMs)),
  };
}

function skipped(testCase: TestCase): TestCaseResult {
  const input = cut(testCase.input);
  const expected = cut(testCase.expected);
  return {
    name: testCase.name,
    hidden: testCase.hidden,
    input: input.text,
    expected: expected.text,
    actual: '',
    truncated: input.cut || expected.cut,
    passed: false,
    status: 'skipped',
    failedStage: null,
    // The Tests tab says why in the reader's language ("not run: the test run's time was used up").
    message: null,
    errorOutput: '',
    durationMs: 0,
  };
}

function cut(text: string): { text: string; cut: boolean } {
  if (text.length <= DISPLAY_CAP) return { text, cut: false };
  // Not inside a surrogate pair.
  let end = DISPLAY_CAP;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return { text: text.slice(0, end), cut: true };
}

export function testRunView(row: Selectable<RoomTestRunsTable>): TestRunView {
  return {
    id: row.id,
    questionId: row.question_id,
    language: row.language,
    passed: row.passed,
    total: row.total,
    durationMs: row.duration_ms,
    authorName: row.author_name,
    at: row.created_at.toISOString(),
    cases: row.results,
  };
}

/** The room's latest test run, for the panel's room view. */
export async function lastTestRun(db: Db, interviewId: string): Promise<TestRunView | null> {
  const row = await db
    .selectFrom('room_test_runs')
    .selectAll()
    .where('interview_id', '=', interviewId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? testRunView(row) : null;
}

/** Whether tests can run here now, and in which languages (the Tests tab says so before anyone presses Run). */
export async function testRunner(runner: CodeRunner | undefined): Promise<{ runner: 'ready' | 'off' | 'unreachable'; languages: LanguageId[] }> {
  if (!runner) return { runner: 'off', languages: [] };
  const languages = await runner.languages();
  return { runner: languages.length > 0 ? 'ready' : 'unreachable', languages };
}

function noTestCases(): ConflictError {
  return new ConflictError({
    code: 'no_test_cases',
    en: "This interview's question has no test cases: add them to the question in the question bank",
    zh: '这场面试的题目没有测试用例：请在题库中为题目添加。',
  });
}

function noRunner(): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'runner_off',
    en: 'Test cases run on the server, and this Pairview runs no code there: an administrator can install bubblewrap (apt-get install bubblewrap) or set PAIRVIEW_RUNNER_URL',
    zh: '测试用例在服务器上运行，而此 Pairview 未启用服务器端运行：管理员可安装 bubblewrap（apt-get install bubblewrap）或设置 PAIRVIEW_RUNNER_URL。',
  });
}

function runnerUnreachable(): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'runner_unavailable',
    en: "The code runner did not answer: run the tests again in a moment; an administrator can check PAIRVIEW_RUNNER_URL and the runner's log",
    zh: '代码运行服务没有响应：请稍后再运行测试；管理员可检查 PAIRVIEW_RUNNER_URL 与运行服务的日志。',
  });
}

function languageNotTestable(language: LanguageId, served: readonly LanguageId[]): ConflictError {
  return new ConflictError({
    code: 'language_not_testable',
    en: `The code runner does not run ${language} here, so the tests cannot run on this code: switch the pad to one of ${served.join(', ')}`,
    zh: `代码运行服务在此不支持 ${language}，无法对这段代码运行测试：请把代码板切换为以下语言之一：${served.join('、')}。`,
  });
}
