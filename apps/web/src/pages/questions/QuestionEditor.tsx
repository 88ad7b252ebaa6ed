/**
 * Write or change a question (recruiters and admins): title, difficulty, tags, the markdown statement with a live
 * preview, starter code per language, and the guidance only interviewers see. Saving a change sends the
 * updatedAt that was read, so two people editing the same question never overwrite each other silently; the
 * server's messages appear at the fields they are about.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError, api } from '../../api/client.ts';
import { fieldErrors } from '../../api/field-errors.ts';
import { DIFFICULTIES, type Difficulty, type QuestionDetail, type QuestionInput } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView, InlineError, actionErrorText, useAction } from '../../components/ErrorView.tsx';
import { Markdown } from '../../components/Markdown.tsx';
import { Alert, Field, Loading, PageHeader, Section } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { LANGUAGES, languageLabel } from '../../room/languages.ts';
import { DifficultyBadge, parseTags } from './parts.tsx';
import { TestCasesField, casesToSend, draftOf, type TestCaseDraft } from './TestCasesField.tsx';
import './questions.css';

/** The server's limits (apps/server/src/questions/routes.ts). */
const MAX_TEXT = 20_000;

const FIELDS = ['title', 'difficulty', 'tags', 'statement', 'starterCode', 'guidance', 'testCases'] as const;
type FormField = (typeof FIELDS)[number];

interface FormValues {
  title: string;
  difficulty: Difficulty;
  /** As typed: "array, hash-map". */
  tags: string;
  statement: string;
  starterCode: Record<string, string>;
  guidance: string;
  testCases: TestCaseDraft[];
}

const EMPTY: FormValues = { title: '', difficulty: 'medium', tags: '', statement: '', starterCode: {}, guidance: '', testCases: [] };

function valuesOf(question: QuestionDetail): FormValues {
  return {
    title: question.title,
    difficulty: question.difficulty,
    tags: question.tags.join(', '),
    statement: question.statement,
    starterCode: { ...question.starterCode },
    guidance: question.guidance,
    testCases: question.testCases.map(draftOf),
  };
}

export function QuestionEditorPage() {
  const { id } = useParams();
  const resource = useResource<QuestionDetail>(id ? `/api/questions/${id}` : null);
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [id]);
  // A question just created arrives with { saved: true }. It is news once: a reload does not say it again.
  useEffect(() => {
    if (!(location.state as { saved?: boolean } | null)?.saved) return;
    setSaved(true);
    navigate(location.pathname, { replace: true, state: null });
  }, [location.state, location.pathname, navigate]);

  if (!id) {
    return (
      <div className="page page-wide">
        <PageHeader title={t.questions.newTitle} actions={<BackToList />} />
        <QuestionForm initial={EMPTY} />
      </div>
    );
  }
  if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  const question = resource.state.data;
  if (!question || question.id !== id) return <Loading />;
  return (
    <div className="page page-wide">
      <PageHeader
        title={t.questions.editTitle}
        subtitle={
          <>
            {question.title} <DifficultyBadge difficulty={question.difficulty} />
            {question.createdBy ? <span className="muted"> · {t.questions.createdBy(question.createdBy.name)}</span> : null}
          </>
        }
        actions={
          <>
            <ArchiveButton
              question={question}
              onChanged={(next) => {
                setSaved(false);
                resource.setData(() => next);
              }}
            />
            <BackToList />
          </>
        }
      />
      {saved ? <Alert tone="success">{t.questions.saved}</Alert> : null}
      {question.archivedAt ? <Alert tone="warning">{t.questions.archivedNotice}</Alert> : null}
      {question.interviews > 0 && !question.archivedAt ? <Alert tone="neutral">{t.questions.usedNotice(question.interviews)}</Alert> : null}
      {/* A fresh form from each saved version: what it shows is what the server now holds. */}
      <QuestionForm
        key={question.updatedAt}
        initial={valuesOf(question)}
        existing={question}
        onEdited={() => setSaved(false)}
        onSaved={(next) => {
          setSaved(true);
          resource.setData(() => next);
        }}
      />
    </div>
  );
}

function BackToList() {
  const { t } = useI18n();
  return (
    <Link className="button button-quiet" to="/questions">
      {t.questions.backToList}
    </Link>
  );
}

function ArchiveButton({ question, onChanged }: { question: QuestionDetail; onChanged(next: QuestionDetail): void }) {
  const { t } = useI18n();
  const action = useAction();
  const verb = question.archivedAt ? 'restore' : 'archive';
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={action.busy}
        onClick={() => action.run(async () => onChanged(await api<QuestionDetail>(`/api/questions/${question.id}/${verb}`, { method: 'POST' })))}
      >
        {question.archivedAt ? t.questions.restore : t.questions.archive}
      </button>
      <InlineError error={action.error} />
    </>
  );
}

function QuestionForm({
  initial,
  existing,
  onSaved,
  onEdited,
}: {
  initial: FormValues;
  existing?: QuestionDetail;
  onSaved?(question: QuestionDetail): void;
  onEdited?(): void;
}) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const [values, setValues] = useState<FormValues>(initial);
  const [language, setLanguage] = useState<string>(() => LANGUAGES.find((l) => initial.starterCode[l.id]?.trim())?.id ?? 'javascript');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<FormField, string>>; form: string | undefined }>({ fields: {}, form: undefined });
  /** The cases the server refused (paths testCases.<n>.…), marked in the list. */
  const [invalidCases, setInvalidCases] = useState<ReadonlySet<number>>(new Set());

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    onEdited?.();
  };
  const withCode = LANGUAGES.filter((l) => values.starterCode[l.id]?.trim());

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!values.title.trim()) {
      setErrors({ fields: { title: t.schedule.required }, form: undefined });
      return;
    }
    setBusy(true);
    setErrors({ fields: {}, form: undefined });
    setInvalidCases(new Set());
    const body: QuestionInput & { testCases: ReturnType<typeof casesToSend> } = {
      title: values.title.trim(),
      difficulty: values.difficulty,
      tags: parseTags(values.tags),
      statement: values.statement,
      starterCode: values.starterCode,
      guidance: values.guidance,
      testCases: casesToSend(values.testCases),
    };
    try {
      if (existing) {
        onSaved?.(await api<QuestionDetail>(`/api/questions/${existing.id}`, { method: 'PUT', body: { ...body, updatedAt: existing.updatedAt } }));
      } else {
        const created = await api<QuestionDetail>('/api/questions', { method: 'POST', body });
        navigate(`/questions/${created.id}`, { replace: true, state: { saved: true } });
      }
    } catch (error) {
      setErrors(fieldErrors(error, FIELDS, locale, (e) => actionErrorText(e, t)));
      if (error instanceof ApiError) {
        setInvalidCases(new Set(error.fields.map((f) => /^testCases\.(\d+)\./.exec(f.path)?.[1]).filter((n) => n !== undefined).map(Number)));
      }
    } finally {
      setBusy(false);
    }
  }

  const e = errors.fields;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={existing ? t.questions.editTitle : t.questions.newTitle}>
      {errors.form ? <Alert title={t.questions.notSaved}>{errors.form}</Alert> : null}

      <Section>
        <div className="question-basics">
          <Field label={t.questions.fieldTitle} error={e.title}>
            {(p) => (
              <input {...p} className="input" value={values.title} maxLength={200} placeholder={t.questions.titlePlaceholder} onChange={(ev) => set('title', ev.target.value)} />
            )}
          </Field>
          <Field label={t.questions.fieldDifficulty} error={e.difficulty}>
            {(p) => (
              <select {...p} className="input" value={values.difficulty} onChange={(ev) => set('difficulty', ev.target.value as Difficulty)}>
                {DIFFICULTIES.map((d) => (
                  <option key={d} value={d}>
                    {t.questions.difficulty[d]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t.questions.fieldTags} error={e.tags} hint={t.questions.tagsHint} optional>
            {(p) => <input {...p} className="input" value={values.tags} placeholder="array, hash-map" onChange={(ev) => set('tags', ev.target.value)} />}
          </Field>
        </div>
      </Section>

      <Section title={t.questions.fieldStatement}>
        <MarkdownField
          label={t.questions.fieldStatement}
          hint={t.questions.statementHint}
          error={e.statement}
          value={values.statement}
          onChange={(text) => set('statement', text)}
          rows={18}
        />
      </Section>

      <Section title={t.questions.fieldStarterCode}>
        <Field label={<span className="visually-hidden">{t.questions.fieldStarterCode}</span>} error={e.starterCode} hint={t.questions.starterCodeHint}>
          {(p) => (
            <div className="starter-code">
              <div className="starter-code-bar">
                <select className="input starter-code-language" aria-label={t.questions.language} value={language} onChange={(ev) => setLanguage(ev.target.value)}>
                  {LANGUAGES.map((l) => (
                    <option key={l.id} value={l.id}>
                      {values.starterCode[l.id]?.trim() ? `${l.label} ✓` : l.label}
                    </option>
                  ))}
                </select>
                <span className="muted starter-code-summary">
                  {withCode.length ? t.questions.withCode(withCode.map((l) => l.label).join(t.common.listSeparator)) : t.questions.noCodeYet}
                </span>
              </div>
              <textarea
                {...p}
                className="input code-input"
                spellCheck={false}
                autoCapitalize="off"
                autoCorrect="off"
                rows={16}
                value={values.starterCode[language] ?? ''}
                maxLength={MAX_TEXT}
                aria-label={`${t.questions.fieldStarterCode} · ${languageLabel(language)}`}
                onChange={(ev) => set('starterCode', { ...values.starterCode, [language]: ev.target.value })}
              />
            </div>
          )}
        </Field>
      </Section>

      <Section title={t.tests.fieldTestCases}>
        <TestCasesField cases={values.testCases} onChange={(next) => set('testCases', next)} error={e.testCases} invalid={invalidCases} />
      </Section>

      <Section title={t.questions.fieldGuidance}>
        <p className="guidance-note" role="note">
          {t.questions.guidanceNote}
        </p>
        <MarkdownField label={t.questions.fieldGuidance} error={e.guidance} value={values.guidance} onChange={(text) => set('guidance', text)} rows={12} />
      </Section>

      <div className="form-actions">
        <button type="submit" className="button button-primary button-large" disabled={busy}>
          {busy ? t.common.saving : existing ? t.questions.save : t.questions.create}
        </button>
        <Link className="button button-quiet" to="/questions">
          {t.common.cancel}
        </Link>
      </div>
    </form>
  );
}

/** A markdown textarea with its rendered preview beside it (below it on a phone). */
function MarkdownField({
  label,
  hint,
  error,
  value,
  onChange,
  rows,
}: {
  label: string;
  hint?: string;
  error: string | undefined;
  value: string;
  onChange(text: string): void;
  rows: number;
}) {
  const { t } = useI18n();
  return (
    <div className="markdown-field">
      <Field label={<span className="visually-hidden">{label}</span>} error={error} hint={hint ? `${hint} ${t.questions.characters(value.length, MAX_TEXT)}` : t.questions.characters(value.length, MAX_TEXT)}>
        {(p) => <textarea {...p} className="input markdown-input" rows={rows} value={value} maxLength={MAX_TEXT} onChange={(ev) => onChange(ev.target.value)} />}
      </Field>
      <div className="markdown-preview" aria-label={`${label} · ${t.questions.preview}`}>
        <p className="markdown-preview-label">{t.questions.preview}</p>
        <Markdown source={value} empty={t.questions.previewEmpty} />
      </div>
    </div>
  );
}
