/**
 * The candidate's side of the room, opened from the link the recruiter sent (/r/<token>): no sign-in, only a
 * name. It asks the server about this link's room and nothing else; a link that is wrong, or whose interview has
 * ended or was cancelled, shows only that it no longer works.
 */
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import type { CandidateRoom } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../components/ErrorView.tsx';
import { Brand } from '../components/Layout.tsx';
import { Alert, Facts, Field, Loading } from '../components/ui.tsx';
import { LocaleToggle, useI18n } from '../i18n/index.tsx';

export function CandidateRoomPage() {
  const { token = '' } = useParams();
  const { t } = useI18n();
  const room = useResource<CandidateRoom>(`/api/room-links/${encodeURIComponent(token)}`);

  let body;
  if (room.state.status === 'error' && room.state.error instanceof ApiError && room.state.error.status === 403) {
    body = (
      <div className="state-panel" data-state="link-dead">
        <h1>{t.candidate.deadTitle}</h1>
        <p>{t.candidate.deadText}</p>
      </div>
    );
  } else if (room.state.status === 'error') {
    body = <ErrorView error={room.state.error} onRetry={room.reload} signIn={false} />;
  } else if (!room.state.data) {
    body = <Loading />;
  } else {
    body = <CandidateView token={token} room={room.state.data} onJoined={room.reload} />;
  }
  return (
    <div className="candidate">
      <header className="candidate-top">
        <Brand />
        <LocaleToggle />
      </header>
      <main className="candidate-main">{body}</main>
    </div>
  );
}

function CandidateView({ token, room, onJoined }: { token: string; room: CandidateRoom; onJoined(): void }) {
  const { t, fmt } = useI18n();
  const [name, setName] = useState(room.candidateName);
  // Joined in this visit; a returning candidate (joinedAt set) is asked to confirm their name again.
  const [joined, setJoined] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const endsAt = new Date(new Date(room.startsAt).getTime() + room.durationMinutes * 60_000).toISOString();

  async function join(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(`/api/room-links/${encodeURIComponent(token)}/join`, { method: 'POST', body: { name: name.trim() } });
      setJoined(true);
      onJoined();
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const details = (
    <Facts
      items={[
        [t.candidate.position, room.position],
        [t.candidate.when, fmt.range(room.startsAt, endsAt)],
        [t.candidate.interviewers, room.interviewers.map((i) => i.name).join(t.common.listSeparator) || '—'],
      ]}
    />
  );

  if (!joined) {
    return (
      <div className="card candidate-card">
        <h1>{t.candidate.welcomeTitle}</h1>
        <p className="muted">{t.candidate.welcomeText}</p>
        {details}
        <form className="form" onSubmit={join} noValidate>
          <Field label={t.candidate.yourName} error={error}>
            {(p) => <input {...p} className="input" value={name} maxLength={100} autoComplete="name" onChange={(e) => setName(e.target.value)} />}
          </Field>
          <button type="submit" className="button button-primary button-large" disabled={busy}>
            {t.candidate.enter}
          </button>
        </form>
      </div>
    );
  }
  return (
    <div className="card candidate-card" data-state="in-room">
      <h1>{t.candidate.inRoomTitle(name.trim())}</h1>
      <Alert tone="success">{t.candidate.inRoomText}</Alert>
      {details}
      <p className="muted">{t.candidate.keepOpen}</p>
    </div>
  );
}
