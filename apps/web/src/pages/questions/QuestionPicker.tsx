/**
 * The question of an interview, in the scheduling form: the bank's questions (archived ones are not offered, but
 * the interview's own stays shown), each with its difficulty. Disabled once the room has started: the pad began
 * from the question's starter code, and the server refuses a change (409).
 */
import { Link } from 'react-router';
import type { InterviewDetail, QuestionSummary } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { InlineError, actionErrorText } from '../../components/ErrorView.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { DifficultyBadge, TagList } from './parts.tsx';
import './questions.css';

export function QuestionPicker({
  value,
  onChange,
  current,
  locked,
  inputProps,
}: {
  value: string;
  onChange(id: string): void;
  /** The interview's question as it stands (it may be archived since). */
  current: InterviewDetail['question'];
  locked: boolean;
  inputProps: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
}) {
  const { t } = useI18n();
  const list = useResource<{ questions: QuestionSummary[] }>('/api/questions');
  const questions = list.state.data?.questions ?? [];
  const selected = questions.find((q) => q.id === value);
  const keepCurrent = current && !questions.some((q) => q.id === current.id);
  const label = (q: { title: string; difficulty: QuestionSummary['difficulty'] }) => `${q.title} · ${t.questions.difficulty[q.difficulty]}`;

  return (
    <div className="stack">
      <select {...inputProps} className="input" value={value} disabled={locked || !list.state.data} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t.questions.pickerNone}</option>
        {questions.map((q) => (
          <option key={q.id} value={q.id}>
            {label(q)}
          </option>
        ))}
        {keepCurrent ? <option value={current.id}>{`${label(current)} (${t.questions.archived})`}</option> : null}
      </select>
      {list.state.status === 'error' ? <InlineError error={actionErrorText(list.state.error, t)} /> : null}
      {list.state.data && questions.length === 0 && !current ? (
        <p className="field-hint">
          {t.questions.pickerEmpty} <Link to="/questions/new">{t.questions.newQuestion}</Link>
        </p>
      ) : null}
      {value && (selected ?? (current?.id === value ? current : undefined)) ? (
        <div className="question-choice">
          <DifficultyBadge difficulty={(selected ?? current)!.difficulty} />
          {selected ? <TagList tags={selected.tags} /> : null}
          <Link to={`/questions/${value}`} target="_blank" rel="noopener noreferrer">
            {t.questions.openInBank}
          </Link>
        </div>
      ) : null}
    </div>
  );
}
