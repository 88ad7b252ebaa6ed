/**
 * An interviewer's own interviews: what is coming (answer the invitation, join the room) and what is done
 * (write the scorecard). Recruiters and hiring managers see here the interviews they are part of.
 */
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { query } from '../api/client.ts';
import type { InterviewSummary } from '../api/types.ts';
import { useInterviewPages, type PagesHandle } from '../api/use-pages.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../components/ErrorView.tsx';
import { InvitationButtons } from '../components/InvitationButtons.tsx';
import { Badge, EmptyState, Loading, PageHeader, Section } from '../components/ui.tsx';
import { phaseOf } from '../api/phase.ts';
import { PhaseBadge } from '../components/badges.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useMe } from '../session.tsx';

/** Longest interview the server allows (480 min): anything that started earlier has ended. */
export const LONGEST_MS = 480 * 60_000;
/** Past interviews per page. */
export const PAST_PAGE = 50;

/** "Load earlier interviews" under a paged list, and why it failed if it did. */
export function LoadMore({ pages }: { pages: PagesHandle<unknown> }) {
  const { t } = useI18n();
  if (!pages.hasMore && !pages.moreError) return null;
  return (
    <div className="table-foot">
      {pages.hasMore ? (
        <button type="button" className="button" onClick={pages.more} disabled={pages.loadingMore}>
          {pages.loadingMore ? t.common.loading : t.common.loadMore}
        </button>
      ) : null}
      {pages.moreError ? (
        <p className="inline-error" role="alert">
          {actionErrorText(pages.moreError, t)}
        </p>
      ) : null}
    </div>
  );
}

export function MyInterviewsPage() {
  const { t } = useI18n();
  const [now] = useState(() => Date.now());
  const upcoming = useResource<{ interviews: InterviewSummary[] }>(
    `/api/interviews${query({ mine: true, status: 'scheduled', from: new Date(now - LONGEST_MS).toISOString(), limit: 200 })}`,
  );
  // Newest first, a page at a time: the interviews just done (where a scorecard is due) come first.
  const past = useInterviewPages<InterviewSummary>(`/api/interviews${query({ mine: true, to: new Date(now).toISOString(), order: 'desc', limit: PAST_PAGE })}`);

  const upcomingList = upcoming.state.data?.interviews.filter((i) => ['upcoming', 'live'].includes(phaseOf(i))) ?? [];
  const pastList = past.items.filter((i) => !['upcoming', 'live'].includes(phaseOf(i)));
  const waiting = pastList.filter((i) => i.me && !i.me.scorecardSubmitted && i.me.response !== 'declined' && i.status !== 'cancelled');

  const update = (id: string, response: InterviewSummary['interviewers'][number]['response']) =>
    upcoming.setData((data) => ({ interviews: data.interviews.map((i) => (i.id === id && i.me ? { ...i, me: { ...i.me, response } } : i)) }));

  return (
    <div className="page">
      <PageHeader title={t.my.title} subtitle={waiting.length ? t.my.waiting(waiting.length) : t.my.subtitle} />
      <Section title={t.my.upcoming}>
        {upcoming.state.status === 'error' ? (
          <ErrorView error={upcoming.state.error} onRetry={upcoming.reload} />
        ) : !upcoming.state.data ? (
          <Loading />
        ) : upcomingList.length === 0 ? (
          <EmptyState title={t.my.noUpcoming}>{t.my.noUpcomingText}</EmptyState>
        ) : (
          <ul className="item-list">
            {upcomingList.map((interview) => (
              <InterviewItem key={interview.id} interview={interview}>
                {interview.me && interview.status === 'scheduled' ? (
                  <InvitationButtons interviewId={interview.id} response={interview.me.response} onChanged={(r) => update(interview.id, r)} />
                ) : null}
                {interview.me ? (
                  <Link className="button button-primary" to={`/interviews/${interview.id}/room`}>
                    {t.common.join}
                  </Link>
                ) : null}
              </InterviewItem>
            ))}
          </ul>
        )}
      </Section>
      <Section title={t.my.past}>
        {past.first.state.status === 'error' ? (
          <ErrorView error={past.first.state.error} onRetry={past.first.reload} />
        ) : !past.first.state.data ? (
          <Loading />
        ) : pastList.length === 0 ? (
          <EmptyState title={t.my.noPast} />
        ) : (
          <ul className="item-list">
            {pastList.map((interview) => (
              <InterviewItem key={interview.id} interview={interview}>
                <FeedbackAction interview={interview} />
              </InterviewItem>
            ))}
          </ul>
        )}
        <LoadMore pages={past} />
      </Section>
    </div>
  );
}

function FeedbackAction({ interview }: { interview: InterviewSummary }) {
  const { t } = useI18n();
  if (!interview.me || interview.status === 'cancelled') return null;
  if (interview.me.scorecardSubmitted) return <Badge tone="success">{t.my.scorecardSubmitted}</Badge>;
  if (interview.me.response === 'declined') return <Badge>{t.response.declined}</Badge>;
  return (
    <Link className="button button-primary" to={`/interviews/${interview.id}#scorecard`}>
      {t.my.writeScorecard}
    </Link>
  );
}

/** One interview in a list: when, who, what, and the viewer's part in it. */
export function InterviewItem({ interview, children }: { interview: InterviewSummary; children?: ReactNode }) {
  const { t, fmt } = useI18n();
  const me = useMe();
  const role = interview.me
    ? t.role.interviewer
    : interview.hiringManager?.id === me.id
      ? t.role.hiring_manager
      : interview.recruiter.id === me.id
        ? t.role.recruiter
        : null;
  const start = new Date(interview.startsAt);
  return (
    <li className="item">
      <Link to={`/interviews/${interview.id}`} className="item-when" aria-label={fmt.dateTime(interview.startsAt)}>
        <span className="item-day">{fmt.date(interview.startsAt)}</span>
        <span className="item-time">
          {fmt.time(interview.startsAt)}
          <span className="muted"> · {t.common.minutes(interview.durationMinutes)}</span>
        </span>
        <span className="item-relative muted">{fmt.relative(start.toISOString())}</span>
      </Link>
      <div className="item-main">
        <Link to={`/interviews/${interview.id}`} className="item-title">
          {interview.candidate.name}
        </Link>
        <p className="item-sub">
          {interview.position}
          {role ? <span className="muted"> · {role}</span> : null}
        </p>
        <p className="item-meta">
          <PhaseBadge interview={interview} />
          <span className="muted">{interview.interviewers.map((i) => i.name).join(t.common.listSeparator)}</span>
        </p>
      </div>
      <div className="item-actions">{children}</div>
    </li>
  );
}
