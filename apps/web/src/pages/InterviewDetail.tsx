/**
 * One interview: its details, the panel and their answers, the scorecards (peers' hidden from a panelist until
 * they submit their own; the server enforces it), the hiring decision, and the recruiter's actions.
 */
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { DECISIONS, type Decision, type InterviewDetail } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { CopyField } from '../components/CopyField.tsx';
import { ErrorView, InlineError, useAction } from '../components/ErrorView.tsx';
import { InvitationButtons } from '../components/InvitationButtons.tsx';
import { phaseOf } from '../api/phase.ts';
import { DecisionBadge, FeedbackBadge, PhaseBadge, ResponseBadge } from '../components/badges.tsx';
import { ScorecardsSection } from '../components/scorecards.tsx';
import { Alert, Badge, Facts, Field, Loading, PageHeader, Section } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { hasRole, useMe } from '../session.tsx';
import { InterviewQuestion } from './questions/parts.tsx';

export function InterviewDetailPage() {
  const { id = '' } = useParams();
  const resource = useResource<InterviewDetail>(`/api/interviews/${id}`);
  const location = useLocation();
  const loaded = resource.state.data !== undefined;

  // Links from WeCom ("write your feedback") land on #scorecard: show it once the page is there.
  useEffect(() => {
    if (loaded && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [loaded, location.hash]);

  if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  if (!resource.state.data) return <Loading />;
  return (
    <InterviewView
      interview={resource.state.data}
      error={resource.state.status === 'error' ? resource.state.error : undefined}
      reload={resource.reload}
      replace={(next) => resource.setData(() => next)}
    />
  );
}

function InterviewView({
  interview,
  error,
  reload,
  replace,
}: {
  interview: InterviewDetail;
  error: unknown;
  reload(): void;
  replace(next: InterviewDetail): void;
}) {
  const { t, fmt } = useI18n();
  const me = useMe();
  const recruiter = hasRole(me, 'recruiter');
  const scheduled = interview.status === 'scheduled';
  const started = new Date(interview.startsAt).getTime() <= Date.now();
  const canDecide = recruiter || interview.hiringManager?.id === me.id;
  const canEnd = scheduled && started && (recruiter || interview.me !== null);
  // Answering an invitation matters only until the interview is over.
  const ended = new Date(interview.endsAt).getTime() <= Date.now();

  return (
    <div className="page page-wide">
      <PageHeader
        title={interview.candidate.name}
        subtitle={
          <>
            {interview.position} · {fmt.range(interview.startsAt, interview.endsAt)} <PhaseBadge interview={interview} />
          </>
        }
        actions={
          <>
            {interview.me && scheduled ? (
              <Link className="button button-primary" to={`/interviews/${interview.id}/room`}>
                {t.common.join}
              </Link>
            ) : null}
            {recruiter && scheduled ? (
              <Link className="button" to={`/interviews/${interview.id}/edit`}>
                {t.detail.edit}
              </Link>
            ) : null}
            {interview.status === 'completed' ? (
              <Link className="button" to={`/interviews/${interview.id}/playback`}>
                {t.playback.open}
              </Link>
            ) : null}
          </>
        }
      />
      {error ? <ErrorView error={error} onRetry={reload} /> : null}
      {interview.status === 'cancelled' ? (
        <Alert tone="danger" title={t.detail.cancelledTitle(interview.cancelledAt ? fmt.dateTime(interview.cancelledAt) : '')}>
          {interview.cancelReason ? t.detail.cancelReason(interview.cancelReason) : null}
        </Alert>
      ) : null}

      <div className="columns">
        <div className="column-main">
          <Section title={t.detail.details}>
            <Facts
              items={[
                [t.detail.when, fmt.range(interview.startsAt, interview.endsAt)],
                [t.detail.duration, t.common.minutes(interview.durationMinutes)],
                [t.detail.position, interview.position],
                [t.questions.detailLabel, <InterviewQuestion question={interview.question} linked={recruiter || hasRole(me, 'admin')} />],
                [
                  t.detail.candidate,
                  <>
                    {interview.candidate.name}
                    {interview.candidate.email ? <div className="muted">{interview.candidate.email}</div> : null}
                    {interview.candidate.phone ? <div className="muted">{interview.candidate.phone}</div> : null}
                  </>,
                ],
                [t.detail.recruiter, interview.recruiter.name],
                [t.detail.hiringManager, interview.hiringManager?.name ?? <span className="muted">—</span>],
                [t.detail.room, <RoomState interview={interview} />],
              ]}
            />
          </Section>

          <Section title={t.detail.panel} actions={<FeedbackBadge feedback={interview.feedback} />}>
            <PanelTable interview={interview} />
          </Section>

          <Section title={t.detail.scorecards} id="scorecard">
            <ScorecardsSection interview={interview} onSubmitted={reload} />
          </Section>
        </div>

        <aside className="column-side">
          {interview.me && scheduled && !ended ? (
            <Section title={t.detail.yourAnswer}>
              <InvitationButtons interviewId={interview.id} response={interview.me.response} onChanged={reload} />
            </Section>
          ) : null}
          {canDecide || interview.decision ? (
            <Section title={t.detail.decision}>
              <DecisionPanel interview={interview} canDecide={canDecide} onDecided={reload} />
            </Section>
          ) : null}
          {recruiter && scheduled ? (
            <Section title={t.detail.candidateLink}>
              <NewCandidateLink interviewId={interview.id} />
            </Section>
          ) : null}
          {canEnd ? (
            <Section title={t.detail.endTitle}>
              <EndInterview interviewId={interview.id} onEnded={reload} />
            </Section>
          ) : null}
          {recruiter && scheduled ? (
            <Section title={t.detail.cancelTitle}>
              <CancelInterview interview={interview} onCancelled={replace} />
            </Section>
          ) : null}
        </aside>
      </div>
    </div>
  );
}

export function RoomState({ interview }: { interview: InterviewDetail }) {
  const { t, fmt } = useI18n();
  if (!interview.room) return <span className="muted">—</span>;
  if (interview.room.endedAt) return <span>{t.detail.roomEnded(fmt.dateTime(interview.room.endedAt))}</span>;
  if (interview.room.candidateJoinedAt) {
    return <span>{t.detail.candidateJoined(interview.room.candidateName ?? interview.candidate.name, fmt.time(interview.room.candidateJoinedAt))}</span>;
  }
  return <span className="muted">{t.detail.candidateNotJoined(fmt.dateTime(interview.room.expiresAt))}</span>;
}

export function PanelTable({ interview }: { interview: InterviewDetail }) {
  const { t } = useI18n();
  const past = phaseOf(interview) !== 'upcoming';
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          <th scope="col">{t.detail.interviewer}</th>
          <th scope="col">{t.detail.answer}</th>
          <th scope="col">{t.detail.scorecard}</th>
        </tr>
      </thead>
      <tbody>
        {interview.interviewers.map((person) => (
          <tr key={person.id}>
            <td data-label={t.detail.interviewer}>{person.name}</td>
            <td data-label={t.detail.answer}>
              <ResponseBadge response={person.response} />
            </td>
            <td data-label={t.detail.scorecard}>
              {person.scorecardSubmitted ? (
                <Badge tone="success">{t.detail.submitted}</Badge>
              ) : person.response === 'declined' || interview.status === 'cancelled' ? (
                <span className="muted">—</span>
              ) : (
                <Badge tone={past ? 'warning' : 'neutral'}>{t.detail.notSubmitted}</Badge>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DecisionPanel({ interview, canDecide, onDecided }: { interview: InterviewDetail; canDecide: boolean; onDecided(): void }) {
  const { t, fmt } = useI18n();
  const { busy, error, run } = useAction();
  if (interview.decision) {
    return (
      <p className="decision-made">
        <DecisionBadge decision={interview.decision.decision} /> <span className="muted">{fmt.dateTime(interview.decision.decidedAt)}</span>
      </p>
    );
  }
  if (!canDecide) return null;
  if (interview.status === 'cancelled') return <p className="muted">{t.detail.noDecisionCancelled}</p>;

  function decide(decision: Decision) {
    return run(async () => {
      await api(`/api/interviews/${interview.id}/decision`, { method: 'POST', body: { decision } });
      onDecided();
    });
  }

  return (
    <div className="stack">
      <p className="muted">{interview.feedback.status === 'complete' ? t.detail.decideReady : t.detail.decideEarly}</p>
      <div className="decision-buttons">
        {DECISIONS.map((d) => (
          <button key={d} type="button" className={`button decision-${d}`} disabled={busy} onClick={() => decide(d)}>
            {t.decision[d]}
          </button>
        ))}
      </div>
      <InlineError error={error} />
    </div>
  );
}

function NewCandidateLink({ interviewId }: { interviewId: string }) {
  const { t } = useI18n();
  const [link, setLink] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const { error, run } = useAction();

  function replaceLink() {
    return run(async () => {
      const result = await api<{ candidateLink: string }>(`/api/interviews/${interviewId}/candidate-link`, { method: 'POST' });
      setLink(result.candidateLink);
      setConfirming(false);
    });
  }

  return (
    <div className="stack">
      {link ? <CopyField label={t.schedule.candidateLink} value={link} /> : <p className="muted">{t.detail.linkShownOnce}</p>}
      {confirming ? (
        <div className="confirm">
          <p>{t.detail.newLinkConfirm}</p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={replaceLink}>
              {t.detail.newLink}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          {t.detail.newLink}
        </button>
      )}
      <InlineError error={error} />
    </div>
  );
}

function EndInterview({ interviewId, onEnded }: { interviewId: string; onEnded(): void }) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  function end() {
    return run(async () => {
      await api(`/api/interviews/${interviewId}/end`, { method: 'POST' });
      onEnded();
    });
  }
  return (
    <div className="stack">
      <p className="muted">{t.detail.endText}</p>
      <button type="button" className="button" disabled={busy} onClick={end}>
        {t.detail.end}
      </button>
      <InlineError error={error} />
    </div>
  );
}

function CancelInterview({ interview, onCancelled }: { interview: InterviewDetail; onCancelled(next: InterviewDetail): void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();

  function cancel() {
    return run(async () => {
      onCancelled(
        await api<InterviewDetail>(`/api/interviews/${interview.id}/cancel`, {
          method: 'POST',
          body: { version: interview.version, reason: reason.trim() || null },
        }),
      );
    });
  }

  if (!open) {
    return (
      <button type="button" className="button button-danger-quiet" onClick={() => setOpen(true)}>
        {t.detail.cancel}
      </button>
    );
  }
  return (
    <div className="stack">
      <p className="muted">{t.detail.cancelText}</p>
      <Field label={t.detail.reason} optional>
        {(p) => <textarea {...p} className="input" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="button" className="button button-danger" disabled={busy} onClick={cancel}>
          {t.detail.confirmCancel}
        </button>
        <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
          {t.detail.keep}
        </button>
      </div>
      <InlineError error={error} />
    </div>
  );
}
