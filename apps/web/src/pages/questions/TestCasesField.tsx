/**
 * The question editor's test cases: each a name, the program's stdin, the stdout it must print, and whether it is
 * hidden (visible cases are the candidate's examples; hidden ones only the panel sees, in the room's Tests tab).
 * Cases keep the order given; the server's refusals name a case by its number, as the editor shows it.
 */
import { useI18n } from '../../i18n/index.tsx';

/** The server's limit (apps/server/src/questions/test-cases.ts). */
export const MAX_TEST_CASES = 20;

export interface TestCaseDraft {
  /** Only for React's list: never sent. */
  key: string;
  name: string;
  input: string;
  expected: string;
  hidden: boolean;
}

let nextKey = 0;
export function draftOf(testCase: Omit<TestCaseDraft, 'key'>): TestCaseDraft {
  nextKey++;
  return { key: `case-${nextKey}`, ...testCase };
}

/** What the API takes. */
export function casesToSend(drafts: readonly TestCaseDraft[]) {
  return drafts.map(({ name, input, expected, hidden }) => ({ name: name.trim(), input, expected, hidden }));
}

export function TestCasesField({
  cases,
  onChange,
  error,
  invalid,
}: {
  cases: TestCaseDraft[];
  onChange(next: TestCaseDraft[]): void;
  /** The server's message about the cases (it names the case). */
  error: string | undefined;
  /** Indexes of the cases the server refused. */
  invalid: ReadonlySet<number>;
}) {
  const { t } = useI18n();
  const update = (index: number, change: Partial<TestCaseDraft>) => onChange(cases.map((c, i) => (i === index ? { ...c, ...change } : c)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...cases];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    onChange(next);
  };
  const hidden = cases.filter((c) => c.hidden).length;

  return (
    <div className="test-cases" data-testid="test-cases-editor">
      <p className="field-hint test-cases-hint">{t.tests.editorHint}</p>
      {cases.length === 0 ? <p className="muted test-cases-empty">{t.tests.noneYet}</p> : <p className="muted test-cases-count">{t.tests.count(cases.length, hidden)}</p>}
      <ol className="test-cases-list">
        {cases.map((testCase, i) => {
          const label = testCase.name.trim() || t.tests.caseN(i + 1);
          return (
            <li key={testCase.key} className={`test-case-card${testCase.hidden ? ' test-case-hidden' : ''}${invalid.has(i) ? ' test-case-invalid' : ''}`} aria-label={label} data-testid="test-case-editor">
              <div className="test-case-head">
                <span className="test-case-number">{i + 1}</span>
                <input
                  className="input test-case-name"
                  value={testCase.name}
                  maxLength={100}
                  placeholder={t.tests.namePlaceholder}
                  aria-label={`${t.tests.name} · ${t.tests.caseN(i + 1)}`}
                  onChange={(e) => update(i, { name: e.target.value })}
                />
                <label className="inline-check test-case-hidden-toggle">
                  <input type="checkbox" checked={testCase.hidden} onChange={(e) => update(i, { hidden: e.target.checked })} />
                  {t.tests.hiddenLabel}
                </label>
                <span className="test-case-actions">
                  <button type="button" className="button button-quiet button-small" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`${t.tests.moveUp} · ${label}`} title={t.tests.moveUp}>
                    ↑
                  </button>
                  <button type="button" className="button button-quiet button-small" disabled={i === cases.length - 1} onClick={() => move(i, 1)} aria-label={`${t.tests.moveDown} · ${label}`} title={t.tests.moveDown}>
                    ↓
                  </button>
                  <button type="button" className="button button-quiet button-small" onClick={() => onChange(cases.filter((_, j) => j !== i))} aria-label={`${t.tests.remove} · ${label}`}>
                    {t.tests.remove}
                  </button>
                </span>
              </div>
              <div className="test-case-io">
                <label className="test-case-text">
                  <span>{t.tests.stdin}</span>
                  <textarea className="input code-input test-case-input" rows={3} spellCheck={false} autoCapitalize="off" autoCorrect="off" value={testCase.input} onChange={(e) => update(i, { input: e.target.value })} />
                </label>
                <label className="test-case-text">
                  <span>{t.tests.stdout}</span>
                  <textarea className="input code-input test-case-input" rows={3} spellCheck={false} autoCapitalize="off" autoCorrect="off" value={testCase.expected} onChange={(e) => update(i, { expected: e.target.value })} />
                </label>
              </div>
            </li>
          );
        })}
      </ol>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div>
        <button
          type="button"
          className="button"
          disabled={cases.length >= MAX_TEST_CASES}
          // A new case starts hidden: showing it to candidates is a choice made by unticking, never an accident.
          onClick={() => onChange([...cases, draftOf({ name: '', input: '', expected: '', hidden: true })])}
          data-testid="add-test-case"
        >
          + {t.tests.add}
        </button>
      </div>
    </div>
  );
}
