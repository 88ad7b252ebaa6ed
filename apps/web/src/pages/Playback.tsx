/**
 * The playback of an interview's pad, for the people who may read the interview (the panel, its recruiter and
 * hiring manager, recruiters, admins): the interview's name above the replay (room/playback/).
 */
import { Link, useParams } from 'react-router';
import type { InterviewDetail } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView } from '../components/ErrorView.tsx';
import { PhaseBadge } from '../components/badges.tsx';
import { Loading, PageHeader } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { Playback } from '../room/playback/Playback.tsx';

export function PlaybackPage() {
  const { id = '' } = useParams();
  const { t, fmt } = useI18n();
  const resource = useResource<InterviewDetail>(`/api/interviews/${id}`);
  if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  if (!resource.state.data) return <Loading />;
  const interview = resource.state.data;
  return (
    <div className="page page-wide">
      <PageHeader
        title={t.playback.title(interview.candidate.name)}
        subtitle={
          <>
            {interview.position} · {fmt.range(interview.startsAt, interview.endsAt)} <PhaseBadge interview={interview} />
          </>
        }
        actions={
          <Link className="button button-quiet" to={`/interviews/${interview.id}`}>
            {t.playback.backToInterview}
          </Link>
        }
      />
      <Playback interviewId={interview.id} />
    </div>
  );
}
