/** Small pieces the question pages and the scheduling form share. */
import { Link } from 'react-router';
import type { Difficulty, InterviewDetail } from '../../api/types.ts';
import { Badge, type Tone } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';
import './questions.css';

const difficultyTone: Record<Difficulty, Tone> = { easy: 'success', medium: 'warning', hard: 'danger' };

export function DifficultyBadge({ difficulty }: { difficulty: Difficulty }) {
  const { t } = useI18n();
  return <Badge tone={difficultyTone[difficulty]}>{t.questions.difficulty[difficulty]}</Badge>;
}

export function TagList({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="question-tags" aria-label="tags">
      {tags.map((tag) => (
        <li key={tag} className="question-tag">
          {tag}
        </li>
      ))}
    </ul>
  );
}

/** "a, b，c" → ["a", "b", "c"]: commas of either width, as people type them. */
export function parseTags(text: string): string[] {
  return text
    .split(/[,，、]/)
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** The interview's question on its detail page: title and difficulty; staff get a link to it in the bank. */
export function InterviewQuestion({ question, linked }: { question: InterviewDetail['question']; linked: boolean }) {
  const { t } = useI18n();
  if (!question) return <span className="muted">{t.questions.none}</span>;
  return (
    <span className="question-ref">
      {linked ? <Link to={`/questions/${question.id}`}>{question.title}</Link> : <span>{question.title}</span>}
      <DifficultyBadge difficulty={question.difficulty} />
    </span>
  );
}
