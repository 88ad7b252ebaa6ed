/**
 * The candidate's side of the room, opened from the link the recruiter sent (/r/<token>): no sign-in, only a
 * name. It asks the server about this link's room and nothing else; a link that is wrong, or whose interview has
 * ended or was cancelled, shows only that it no longer works. After entering, the candidate waits in a lobby that
 * follows the room live until an interviewer starts, then codes in the shared pad beside the problem. This page
 * never opens the panel's documents (notes, signals): the server would refuse them anyway.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import type { CandidateRoom } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../components/ErrorView.tsx';
import { Brand } from '../components/Layout.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { Alert, Facts, Field, Loading } from '../components/ui.tsx';
import { LocaleToggle, useI18n } from '../i18n/index.tsx';
import { CollabEditor } from '../room/CollabEditor.tsx';
import { useConnectionStatus, useReloadOnNewQuestion, useRoomConnection, useRoomState, type RoomConnection } from '../room/connection.ts';
import { languageLabel, LANGUAGES } from '../room/languages.ts';
import { ConnectionNotice, Timer } from '../room/parts.tsx';
import { RunPanel } from '../room/RunPanel.tsx';
import { TestExamples } from '../room/TestsPanel.tsx';
import { displayName } from '../session.tsx';

export function CandidateRoomPage() {
  const { token = '' } = useParams();
  const room = useResource<CandidateRoom>(`/api/room-links/${encodeURIComponent(token)}`);

  let body;
  if (room.state.status === 'error' && room.state.error instanceof ApiError && room.state.error.status === 403) {
    body = <DeadLink />;
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
  const { t, fmt, locale } = useI18n();
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
        [t.candidate.interviewers, room.interviewers.map((i) => displayName(i, locale)).join(t.common.listSeparator) || '—'],
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
  return <CandidateInRoom token={token} room={room} name={name.trim()} details={details} reload={onJoined} />;
}

function DeadLink() {
  const { t } = useI18n();
  return (
    <div className="state-panel" data-state="link-dead">
      <h1>{t.candidate.deadTitle}</h1>
      <p>{t.candidate.deadText}</p>
    </div>
  );
}

/** The candidate's colour (the server's palette gives the candidate its first colour). */
const CANDIDATE_COLOR = '#d9480f';

/** Once entered: the lobby, then the pad, live from the room's control document. */
function CandidateInRoom({ token, room, name, details, reload }: { token: string; room: CandidateRoom; name: string; details: ReactNode; reload(): void }) {
  const connection = useRoomConnection(room.interviewId, { name, color: CANDIDATE_COLOR, kind: 'candidate', personId: null }, token);
  if (!connection) return <Loading />;
  return <CandidateLive connection={connection} token={token} room={room} name={name} details={details} reload={reload} />;
}

function CandidateLive({
  connection,
  token,
  room,
  name,
  details,
  reload,
}: {
  connection: RoomConnection;
  token: string;
  room: CandidateRoom;
  name: string;
  details: ReactNode;
  reload(): void;
}) {
  const { t } = useI18n();
  const state = useRoomState(connection, room.state);
  useReloadOnNewQuestion(state, room.state, reload);
  const status = useConnectionStatus(connection);

  // At the end the room says so first, then closes the socket: the end, not a dead link, is what to show.
  if (status === 'link_invalid' && state.phase !== 'ended') return <DeadLink />;
  if (state.phase === 'ended') {
    return (
      <div className="card candidate-card" data-state="ended">
        <h1>{t.pad.candidateEndedTitle}</h1>
        <p>{t.pad.candidateEndedText}</p>
      </div>
    );
  }
  if (state.phase === 'waiting') {
    return (
      <div className="card candidate-card" data-state="lobby">
        <h1>{t.candidate.inRoomTitle(name)}</h1>
        <Alert tone="success">{t.candidate.inRoomText}</Alert>
        <p className="lobby-wait" data-testid="lobby">
          <span className="lobby-dot" aria-hidden="true" />
          {t.pad.lobbyWaiting}
        </p>
        {details}
        <p className="muted">{t.candidate.keepOpen}</p>
        <ConnectionNotice status={status} />
      </div>
    );
  }
  return <CandidatePad connection={connection} token={token} room={room} state={state} status={status} />;
}

function CandidatePad({ connection, token, room, state, status }: { connection: RoomConnection; token: string; room: CandidateRoom; state: CandidateRoom['state']; status: string }) {
  const { t } = useI18n();
  const pad = connection.open('code');
  const base = `/api/room-links/${encodeURIComponent(token)}`;
  useFocusSignals(base);
  const [languageError, setLanguageError] = useState<string>();

  const reportPaste = (chars: number) => void api(`${base}/signals`, { method: 'POST', body: { kind: 'paste', chars } }).catch(() => {});
  async function switchLanguage(language: string) {
    setLanguageError(undefined);
    try {
      await api(`${base}/language`, { method: 'POST', body: { language } });
    } catch (e) {
      setLanguageError(actionErrorText(e, t));
    }
  }

  return (
    <div className="room-page candidate-room" data-phase={state.phase} data-state="pad">
      <header className="room-head">
        <div className="room-title">
          <h1>{room.position}</h1>
          {state.startedAt ? <Timer since={state.startedAt} until={state.endedAt} /> : null}
        </div>
        <div className="room-controls">
          <select className="input" value={state.language} onChange={(e) => void switchLanguage(e.target.value)} aria-label={t.pad.language} data-testid="language">
            {LANGUAGES.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </header>
      <ConnectionNotice status={status} />
      {languageError ? <Alert tone="danger">{languageError}</Alert> : null}
      <div className="room-grid room-grid-candidate">
        <section className="room-problem" aria-label={t.pad.problem}>
          {room.question ? (
            <>
              <h2>{room.question.title}</h2>
              <Markdown source={room.question.statement} />
              <TestExamples examples={room.question.examples} />
            </>
          ) : (
            <p className="muted">{t.pad.noQuestionCandidate}</p>
          )}
        </section>
        <section className="room-code" aria-label={t.pad.code}>
          <CollabEditor text={pad.doc.getText('code')} awareness={pad.provider.awareness} language={state.language} readOnly={false} label={`${t.pad.code} (${languageLabel(state.language)})`} onLargePaste={reportPaste} />
          <RunPanel
            code={pad.doc.getText('code')}
            language={state.language}
            lastRun={state.lastRun}
            recordUrl={`${base}/runs`}
            executeUrl={`${base}/execute`}
            serverLanguages={room.serverLanguages}
            blocked={state.candidateCanRun ? undefined : t.pad.runSwitchedOff}
          />
        </section>
      </div>
    </div>
  );
}

/**
 * The tab hidden (visibilitychange: switching tabs or apps; Alt+Tab to another window does not fire it, and blur
 * gives false alarms): reported with how long when it comes back, as a signal for the panel, not a verdict.
 */
function useFocusSignals(base: string) {
  const hiddenAt = useRef<number>(undefined);
  useEffect(() => {
    const onChange = () => {
      if (document.visibilityState === 'hidden') {
        hiddenAt.current = Date.now();
      } else if (hiddenAt.current !== undefined) {
        const durationMs = Date.now() - hiddenAt.current;
        hiddenAt.current = undefined;
        if (durationMs >= 1000) void api(`${base}/signals`, { method: 'POST', body: { kind: 'focus_lost', durationMs } }).catch(() => {});
      }
    };
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, [base]);
}
