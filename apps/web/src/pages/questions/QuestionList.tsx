/**
 * The question bank (recruiters and admins): every question with its difficulty, tags, the languages it has
 * starter code for and how many interviews chose it. Search and the difficulty filter work on the loaded list
 * (a bank holds tens of questions, not thousands); archived questions are loaded only when asked for.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { query } from '../../api/client.ts';
import { DIFFICULTIES, type Difficulty, type QuestionSummary } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView } from '../../components/ErrorView.tsx';
import { Badge, EmptyState, Loading, PageHeader } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { languageLabel } from '../../room/languages.ts';
import { DifficultyBadge, TagList } from './parts.tsx';
import './questions.css';

function matches(question: QuestionSummary, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return question.title.toLowerCase().includes(needle) || question.tags.some((tag) => tag.toLowerCase().includes(needle));
}

export function QuestionListPage() {
  const { t, fmt } = useI18n();
  const [search, setSearch] = useState('');
  const [difficulty, setDifficulty] = useState<Difficulty | ''>('');
  const [archived, setArchived] = useState(false);
  const list = useResource<{ questions: QuestionSummary[] }>(`/api/questions${query({ archived: archived || undefined })}`);

  const rows = useMemo(
    () => (list.state.data?.questions ?? []).filter((q) => matches(q, search) && (!difficulty || q.difficulty === difficulty)),
    [list.state.data, search, difficulty],
  );
  const total = list.state.data?.questions.length ?? 0;

  return (
    <div className="page page-wide">
      <PageHeader
        title={t.questions.title}
        subtitle={t.questions.subtitle}
        actions={
          <Link className="button button-primary" to="/questions/new">
            {t.questions.newQuestion}
          </Link>
        }
      />
      <div className="card card-flush">
        <div className="toolbar">
          <input
            className="input toolbar-search"
            type="search"
            placeholder={t.questions.search}
            aria-label={t.questions.search}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <select
            className="input question-filter"
            aria-label={t.questions.difficultyFilter}
            value={difficulty}
            onChange={(e) => setDifficulty(e.target.value as Difficulty | '')}
          >
            <option value="">{t.questions.allDifficulties}</option>
            {DIFFICULTIES.map((d) => (
              <option key={d} value={d}>
                {t.questions.difficulty[d]}
              </option>
            ))}
          </select>
          <label className="check">
            <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
            {t.questions.showArchived}
          </label>
          <span className="muted toolbar-count">{t.questions.count(total)}</span>
        </div>
        {list.state.status === 'error' ? (
          <ErrorView error={list.state.error} onRetry={list.reload} />
        ) : !list.state.data ? (
          <Loading />
        ) : total === 0 ? (
          <EmptyState title={t.questions.empty}>{t.questions.emptyText}</EmptyState>
        ) : rows.length === 0 ? (
          <EmptyState title={t.questions.noMatch} />
        ) : (
          <table className="table question-table">
            <thead>
              <tr>
                <th scope="col">{t.questions.columns.title}</th>
                <th scope="col">{t.questions.columns.difficulty}</th>
                <th scope="col">{t.questions.columns.languages}</th>
                <th scope="col">{t.questions.columns.used}</th>
                <th scope="col">{t.questions.columns.updated}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((question) => (
                <tr key={question.id} className={question.archivedAt ? 'row-muted' : undefined}>
                  {/* One element per cell: on a phone each cell is a two-column grid (its column's name, then this). */}
                  <td data-label={t.questions.columns.title}>
                    <div>
                      <Link className="cell-link" to={`/questions/${question.id}`}>
                        {question.title}
                      </Link>
                      {question.archivedAt ? <Badge>{t.questions.archived}</Badge> : null}
                      <TagList tags={question.tags} />
                    </div>
                  </td>
                  <td data-label={t.questions.columns.difficulty}>
                    <div>
                      <DifficultyBadge difficulty={question.difficulty} />
                    </div>
                  </td>
                  <td data-label={t.questions.columns.languages}>
                    {question.languages.length ? (
                      question.languages.map(languageLabel).join(t.common.listSeparator)
                    ) : (
                      <span className="muted">{t.questions.noStarterCode}</span>
                    )}
                  </td>
                  <td data-label={t.questions.columns.used} className="nowrap">
                    {t.questions.usedIn(question.interviews)}
                  </td>
                  <td data-label={t.questions.columns.updated} className="nowrap muted">
                    {fmt.date(question.updatedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
