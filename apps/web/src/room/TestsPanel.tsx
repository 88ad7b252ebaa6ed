/**
 * The question's test cases in the room. For the panel (a tab of the room page): "Run tests" sends the pad's code
 * to the server, which runs every case — hidden ones too — on the code runner and answers pass/fail per case
 * (server: rooms/tests.ts); the last test run of the room is shown to every interviewer, and reloaded when the
 * room announces a change (the revision moves). For the candidate: the visible cases only, as examples beside the
 * statement (TestExamples) — the candidate's page never receives a hidden case or a test result.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import type * as Y from 'yjs';
import type { testsStatusSchema } from '../../../server/src/rooms/test-routes.ts';
import { api } from '../api/client.ts';
import type { CandidateRoom, Json, MemberRoom } from '../api/types.ts';
import { actionErrorText } from '../components/ErrorView.tsx';
import { Badge } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { languageLabel } from './languages.ts';
import './tests.css';

type TestsStatus = Json<z.output<typeof testsStatusSchema>>;
export type TestRunView = NonNullable<MemberRoom['lastTestRun']>;
type CaseResult = TestRunView['cases'][number];
type TestCase = NonNullable<MemberRoom['question']>['testCases'][number];
type Example = NonNullable<CandidateRoom['question']>['examples'][number];

export interface TestsPanelProps {
  interviewId: string;
  /** The question's cases (hidden ones included); null when the interview has no question. */
  cases: TestCase[] | null;
  /** Where the question can be edited (the bank's editor). */
  questionId: string | null;
  code: Y.Text;
  language: string;
  /** The room's revision: when it moves, another interviewer may have run the tests. */
  revision: number;
  lastRun: TestRunView | null;
  /** Whether the tab is shown: the status is loaded when it is. */
  active: boolean;
}

export function TestsPanel({ interviewId, cases, questionId, code, language, revision, lastRun: initial, active }: TestsPanelProps) {
  const { t, fmt } = useI18n();
  const [status, setStatus] = useState<TestsStatus>();
  /** The status could not be loaded: Run stays possible, and its answer says what is wrong. */
  const [statusFailed, setStatusFailed] = useState(false);
  const [lastRun, setLastRun] = useState<TestRunView | null>(initial);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const url = `/api/interviews/${interviewId}/room/tests`;

  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    api<TestsStatus>(url, { signal: controller.signal }).then(
      (next) => {
        setStatus(next);
        setStatusFailed(false);
        // A newer run (someone else's) replaces the one shown; never an older answer over a newer one.
        setLastRun((current) => (next.lastRun && (!current || next.lastRun.at >= current.at) ? next.lastRun : current));
      },
      () => {
        if (!controller.signal.aborted) setStatusFailed(true);
      },
    );
    return () => controller.abort();
  }, [url, active, revision]);

  async function run() {
    setRunning(true);
    setError(undefined);
    try {
      setLastRun(await api<TestRunView>(url, { method: 'POST', body: { language, code: code.toString() } }));
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setRunning(false);
    }
  }

  if (!cases) return <p className="muted">{t.tests.noQuestion}</p>;
  if (cases.length === 0) {
    return (
      <div className="tests-panel" data-testid="tests-panel">
        <p className="muted">{t.tests.noCases}</p>
        {questionId ? <Link to={`/questions/${questionId}`}>{t.tests.editInBank}</Link> : null}
      </div>
    );
  }

  const hidden = cases.filter((c) => c.hidden).length;
  const served = status?.languages ?? [];
  const blocked =
    status?.runner === 'off'
      ? t.tests.runnerOff
      : status?.runner === 'unreachable'
        ? t.tests.runnerUnreachable
        : status && !served.includes(language as (typeof served)[number])
          ? t.tests.notTestable(languageLabel(language), served.map(languageLabel).join(t.common.listSeparator))
          : undefined;

  return (
    <div className="tests-panel" data-testid="tests-panel">
      <div className="tests-bar">
        <button type="button" className="button button-primary" onClick={run} disabled={running || blocked !== undefined || (!status && !statusFailed)} data-testid="run-tests">
          {running ? t.tests.running : t.tests.run}
        </button>
        {lastRun && !running ? (
          <span className={`tests-summary ${lastRun.passed === lastRun.total ? 'tests-all-passed' : 'tests-some-failed'}`} data-testid="tests-summary">
            {t.tests.summary(lastRun.passed, lastRun.total)}
          </span>
        ) : null}
      </div>
      {blocked ? (
        <p className="tests-blocked" role="status" data-testid="tests-blocked">
          {blocked}
        </p>
      ) : (
        <p className="muted tests-hint">{t.tests.hint(cases.length, hidden)}</p>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {lastRun ? (
        <p className="muted tests-meta">{t.tests.ranBy(lastRun.authorName, languageLabel(lastRun.language), fmt.time(lastRun.at))}</p>
      ) : null}
      <ol className="tests-list" data-testid="tests-list">
        {lastRun
          ? lastRun.cases.map((result, i) => <ResultRow key={`${lastRun.id}-${i}`} index={i} result={result} />)
          : cases.map((testCase, i) => <PendingRow key={i} index={i} testCase={testCase} />)}
      </ol>
      <p className="muted tests-compare">{t.tests.compareNote}</p>
    </div>
  );
}

function caseTitle(name: string, index: number, t: ReturnType<typeof useI18n>['t']): string {
  return name.trim() || t.tests.caseN(index + 1);
}

/** A case before any test run: its name, whether it is hidden, and what it feeds and expects. */
function PendingRow({ index, testCase }: { index: number; testCase: TestCase }) {
  const { t } = useI18n();
  return (
    <li className="tests-case" data-state="pending">
      <details>
        <summary>
          <span className="tests-head">
            <span className="tests-mark tests-mark-pending" aria-hidden="true" />
            <span className="tests-name">{caseTitle(testCase.name, index, t)}</span>
          </span>
          <span className="tests-row-meta">
            {testCase.hidden ? <HiddenBadge /> : null}
            <span className="tests-result muted">{t.tests.notRunYet}</span>
          </span>
        </summary>
        <div className="tests-detail">
          <Block label={t.tests.input} text={testCase.input} />
          <Block label={t.tests.expected} text={testCase.expected} />
        </div>
      </details>
    </li>
  );
}

function ResultRow({ index, result }: { index: number; result: CaseResult }) {
  const { t } = useI18n();
  const verdict = verdictOf(result);
  return (
    <li className="tests-case" data-state={result.passed ? 'passed' : 'failed'} data-testid="test-case">
      {/* Failed cases open: what went wrong is what the interviewer came to see. */}
      <details open={!result.passed}>
        <summary>
          <span className="tests-head">
            <span className={`tests-mark ${result.passed ? 'tests-mark-passed' : 'tests-mark-failed'}`} aria-hidden="true">
              {result.passed ? '✓' : '✗'}
            </span>
            <span className="tests-name">{caseTitle(result.name, index, t)}</span>
          </span>
          <span className="tests-row-meta">
            {result.hidden ? <HiddenBadge /> : null}
            <span className={`tests-result ${result.passed ? 'tests-result-passed' : 'tests-result-failed'}`} data-testid="test-verdict">
              {t.tests.verdict[verdict]}
            </span>
            {result.status !== 'skipped' ? <span className="tests-time muted">{result.durationMs} ms</span> : null}
          </span>
        </summary>
        <div className="tests-detail">
          <Block label={t.tests.input} text={result.input} />
          <div className="tests-compare-pair">
            <Block label={t.tests.expected} text={result.expected} />
            {result.status === 'skipped' ? null : <Block label={t.tests.actual} text={result.actual} tone={result.passed ? undefined : 'failed'} />}
          </div>
          {result.errorOutput ? <Block label={result.failedStage === 'compile' ? t.tests.compileOutput : t.tests.errorOutput} text={result.errorOutput} tone="failed" /> : null}
          {result.truncated ? <p className="muted tests-cut">{t.tests.cut}</p> : null}
        </div>
      </details>
    </li>
  );
}

type Verdict = keyof ReturnType<typeof useI18n>['t']['tests']['verdict'];

function verdictOf(result: CaseResult): Verdict {
  if (result.passed) return 'passed';
  if (result.status === 'ok') return 'wrong';
  if (result.status === 'error') return result.failedStage === 'compile' ? 'compile' : 'error';
  return result.status;
}

function HiddenBadge() {
  const { t } = useI18n();
  return <Badge title={t.tests.hiddenTitle}>{t.tests.hidden}</Badge>;
}

function Block({ label, text, tone }: { label: string; text: string; tone?: 'failed' }) {
  const { t } = useI18n();
  return (
    <div className="tests-block">
      <span className="tests-block-label">{label}</span>
      <pre className={`mono tests-pre${tone ? ` tests-pre-${tone}` : ''}`}>{text === '' ? <span className="tests-empty">{t.tests.empty}</span> : text}</pre>
    </div>
  );
}

/** The visible cases beside the statement, for the candidate: what the program reads and must print. */
export function TestExamples({ examples }: { examples: Example[] }) {
  const { t } = useI18n();
  if (examples.length === 0) return null;
  return (
    <section className="test-examples" aria-label={t.tests.examplesTitle} data-testid="test-examples">
      <h3>{t.tests.examplesTitle}</h3>
      <p className="muted">{t.tests.examplesHint}</p>
      {examples.map((example, i) => (
        <div className="test-example" key={i}>
          <p className="test-example-name">{example.name.trim() || t.tests.exampleN(i + 1)}</p>
          <div className="tests-compare-pair">
            <Block label={t.tests.input} text={example.input} />
            <Block label={t.tests.output} text={example.expected} />
          </div>
        </div>
      ))}
    </section>
  );
}
