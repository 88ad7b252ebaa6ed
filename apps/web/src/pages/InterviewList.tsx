/**
 * Every interview with where its feedback stands (recruiters and admins): upcoming, waiting for scorecards, or
 * past. Each row shows the panel with each interviewer's answer and whether their scorecard is in.
 */
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query } from '../api/client.ts';
import type { InterviewSummary } from '../api/types.ts';
import { useInterviewPages } from '../api/use-pages.ts';
import { ErrorView } from '../components/ErrorView.tsx';
import { phaseOf } from '../api/phase.ts';
import { DecisionBadge, FeedbackBadge, PhaseBadge, ResponseBadge } from '../components/badges.tsx';
import { EmptyState, Loading, PageHeader } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { hasRole, useMe } from '../session.tsx';
import { LONGEST_MS, LoadMore, PAST_PAGE } from './MyInterviews.tsx';

const VIEWS = ['upcoming', 'feedback', 'past'] as const;
type View = (typeof VIEWS)[number];

function isView(value: string | null): value is View {
  return (VIEWS as readonly string[]).includes(value ?? '');
}

/** Ended (or completed) and not cancelled, with a scorecard still missing. */
function needsFeedback(interview: InterviewSummary): boolean {
  const phase = phaseOf(interview);
  return (phase === 'ended' || phase === 'completed') && interview.feedback.status === 'waiting';
}

export function InterviewListPage() {
  const { t } = useI18n();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const view: View = isView(params.get('view')) ? (params.get('view') as View) : 'upcoming';
  const [now] = useState(() => Date.now());

  // Upcoming: soonest first. Past and waiting for feedback: newest first, a page at a time.
  const path =
    view === 'upcoming'
      ? `/api/interviews${query({ status: 'scheduled', from: new Date(now - LONGEST_MS).toISOString(), limit: 500 })}`
      : `/api/interviews${query({ to: new Date(now).toISOString(), order: 'desc', limit: PAST_PAGE })}`;
  const pages = useInterviewPages<InterviewSummary>(path);
  const list = pages.first;

  const all = pages.items;
  const rows =
    view === 'upcoming'
      ? all.filter((i) => ['upcoming', 'live'].includes(phaseOf(i)))
      : all.filter((i) => !['upcoming', 'live'].includes(phaseOf(i)) && (view === 'past' || needsFeedback(i)));

  return (
    <div className="page page-wide">
      <PageHeader
        title={t.list.title}
        subtitle={t.list.subtitle}
        actions={
          hasRole(me, 'recruiter') ? (
            <Link className="button button-primary" to="/schedule">
              {t.nav.schedule}
            </Link>
          ) : null
        }
      />
      <div className="tabs" role="tablist" aria-label={t.list.filter}>
        {VIEWS.map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={v === view}
            className={`tab${v === view ? ' active' : ''}`}
            onClick={() => setParams(v === 'upcoming' ? {} : { view: v }, { replace: true })}
          >
            {t.list.views[v]}
          </button>
        ))}
      </div>
      <div className="card card-flush">
        {list.state.status === 'error' ? (
          <ErrorView error={list.state.error} onRetry={list.reload} />
        ) : !list.state.data || list.state.status === 'loading' ? (
          <Loading />
        ) : rows.length === 0 ? (
          <EmptyState title={t.list.empty[view]} />
        ) : (
          <table className="table interview-table">
            <thead>
              <tr>
                <th scope="col">{t.list.when}</th>
                <th scope="col">{t.list.candidate}</th>
                <th scope="col">{t.list.panel}</th>
                <th scope="col">{t.list.feedback}</th>
                <th scope="col">{t.list.decision}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((interview) => (
                <InterviewRow key={interview.id} interview={interview} />
              ))}
            </tbody>
          </table>
        )}
        {list.state.data && view !== 'upcoming' ? <LoadMore pages={pages} /> : null}
      </div>
    </div>
  );
}

function InterviewRow({ interview }: { interview: InterviewSummary }) {
  const { t, fmt } = useI18n();
  return (
    <tr>
      <td data-label={t.list.when}>
        <div className="cell-strong">{fmt.dateTime(interview.startsAt)}</div>
        <div className="muted">
          {t.common.minutes(interview.durationMinutes)} · <PhaseBadge interview={interview} />
        </div>
      </td>
      <td data-label={t.list.candidate}>
        <Link className="cell-link" to={`/interviews/${interview.id}`}>
          {interview.candidate.name}
        </Link>
        <div className="muted">{interview.position}</div>
      </td>
      <td data-label={t.list.panel}>
        <ul className="panel-list">
          {interview.interviewers.map((person) => (
            <li key={person.id}>
              <span className="panel-name">{person.name}</span>
              <ResponseBadge response={person.response} />
              {person.scorecardSubmitted ? (
                <span className="scorecard-mark done" title={t.list.scorecardIn}>
                  ✓ {t.list.scorecardShort}
                </span>
              ) : interview.status !== 'cancelled' && person.response !== 'declined' && phaseOf(interview) !== 'upcoming' ? (
                <span className="scorecard-mark missing" title={t.list.scorecardMissing}>
                  … {t.list.scorecardShort}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      </td>
      <td data-label={t.list.feedback}>
        <FeedbackBadge feedback={interview.feedback} />
      </td>
      <td data-label={t.list.decision}>{interview.decision ? <DecisionBadge decision={interview.decision.decision} /> : <span className="muted">—</span>}</td>
    </tr>
  );
}
