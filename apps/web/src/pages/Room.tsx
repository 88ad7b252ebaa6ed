/**
 * The interview room, for the panel (signed in; "Join" in WeCom lands here). In this version the room shows the
 * interview, who is in it, and the scorecard form; the shared coding pad joins it later.
 */
import { Link, useParams } from 'react-router';
import type { InterviewDetail } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView } from '../components/ErrorView.tsx';
import { PhaseBadge, ResponseBadge } from '../components/badges.tsx';
import { ScorecardsSection } from '../components/scorecards.tsx';
import { Badge, Facts, Loading, PageHeader, Section } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { RoomState } from './InterviewDetail.tsx';

export function RoomPage() {
  const { id = '' } = useParams();
  const { t, fmt } = useI18n();
  const resource = useResource<InterviewDetail>(`/api/interviews/${id}`);
  if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  if (!resource.state.data) return <Loading />;
  const interview = resource.state.data;
  const candidateIn = interview.room?.candidateJoinedAt && !interview.room.endedAt;

  return (
    <div className="page page-wide room">
      <PageHeader
        title={t.room.title(interview.candidate.name)}
        subtitle={
          <>
            {interview.position} · {fmt.range(interview.startsAt, interview.endsAt)} <PhaseBadge interview={interview} />
          </>
        }
        actions={
          <Link className="button button-quiet" to={`/interviews/${interview.id}`}>
            {t.room.details}
          </Link>
        }
      />
      {resource.state.status === 'error' ? <ErrorView error={resource.state.error} onRetry={resource.reload} /> : null}
      <div className="columns">
        <div className="column-main">
          <Section title={t.room.people}>
            <ul className="people-list">
              <li>
                <span className={`presence${candidateIn ? ' on' : ''}`} aria-hidden="true" />
                <span className="people-name">{interview.room?.candidateName ?? interview.candidate.name}</span>
                <Badge>{t.room.candidate}</Badge>
                <span className="muted">
                  <RoomState interview={interview} />
                </span>
              </li>
              {interview.interviewers.map((person) => (
                <li key={person.id}>
                  <span className="presence" aria-hidden="true" />
                  <span className="people-name">{person.name}</span>
                  <Badge>{t.role.interviewer}</Badge>
                  <ResponseBadge response={person.response} />
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t.detail.scorecards} id="scorecard">
            <ScorecardsSection interview={interview} onSubmitted={resource.reload} />
          </Section>
        </div>
        <aside className="column-side">
          <Section title={t.detail.details}>
            <Facts
              items={[
                [t.detail.when, fmt.range(interview.startsAt, interview.endsAt)],
                [t.detail.position, interview.position],
                [t.detail.recruiter, interview.recruiter.name],
                [t.detail.hiringManager, interview.hiringManager?.name ?? '—'],
              ]}
            />
          </Section>
        </aside>
      </div>
    </div>
  );
}
