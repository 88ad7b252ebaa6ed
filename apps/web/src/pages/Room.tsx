/**
 * The interview room, for the panel (signed in; "Join" in WeCom lands here): the shared pad with everyone's
 * cursors, the problem statement and the private guidance, running code, who is here, the timer, Start and End,
 * the language and the candidate's run switch, private notes, integrity signals, and the scorecard form. After
 * the end the pad is locked and the playback and the scorecard take over.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { InterviewDetail, MemberRoom, RoomState } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../components/ErrorView.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { ScorecardsSection } from '../components/scorecards.tsx';
import { Alert, Badge, Loading } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { CollabEditor } from '../room/CollabEditor.tsx';
import { useConnectionStatus, usePresence, useReloadOnNewQuestion, useRoomConnection, useRoomState, useSignals, type RoomConnection } from '../room/connection.ts';
import { LANGUAGES } from '../room/languages.ts';
import { ConnectionNotice, Presence, SignalsList, Timer } from '../room/parts.tsx';
import { RunPanel } from '../room/RunPanel.tsx';
import { TestsPanel } from '../room/TestsPanel.tsx';
import { useMe } from '../session.tsx';

export function RoomPage() {
  const { id = '' } = useParams();
  const interview = useResource<InterviewDetail>(`/api/interviews/${id}`);
  const room = useResource<MemberRoom>(`/api/interviews/${id}/room`);
  const me = room.state.data?.me;
  const connection = useRoomConnection(id, me ? { name: me.name, color: me.color, kind: 'member', personId: me.personId } : undefined);
  for (const resource of [interview, room]) {
    if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  }
  if (!interview.state.data || !room.state.data || !connection) return <Loading />;
  return <LiveRoom interview={interview.state.data} room={room.state.data} connection={connection} onInterviewChanged={interview.reload} onRoomChanged={room.reload} />;
}

type Tab = 'notes' | 'signals' | 'guidance' | 'tests' | 'scorecard';

function LiveRoom({
  interview,
  room,
  connection,
  onInterviewChanged,
  onRoomChanged,
}: {
  interview: InterviewDetail;
  room: MemberRoom;
  connection: RoomConnection;
  onInterviewChanged(): void;
  onRoomChanged(): void;
}) {
  const { t } = useI18n();
  const state = useRoomState(connection, room.state);
  useReloadOnNewQuestion(state, room.state, onRoomChanged);
  const people = usePresence(connection);
  const signals = useSignals(connection, room.signals);
  const status = useConnectionStatus(connection);
  const pad = connection.open('code');
  const ended = state.phase === 'ended';
  const [tab, setTab] = useState<Tab>(ended ? 'scorecard' : 'notes');
  const candidateHere = people.some((p) => p.kind === 'candidate');

  const tabs: [Tab, string][] = [
    ['notes', t.pad.notes],
    ['signals', signals.length > 0 ? `${t.pad.signals} (${signals.length})` : t.pad.signals],
    ...(room.question?.guidance ? ([['guidance', t.pad.guidance]] as [Tab, string][]) : []),
    ['tests', t.tests.tab],
    ['scorecard', t.detail.scorecards],
  ];

  return (
    <div className="room-page" data-phase={state.phase}>
      <header className="room-head">
        <div className="room-title">
          <h1>{t.room.title(interview.room?.candidateName ?? interview.candidate.name)}</h1>
          <span className="muted">{interview.position}</span>
          <PhaseLabel state={state} />
          {state.startedAt ? <Timer since={state.startedAt} until={state.endedAt} /> : null}
        </div>
        <Presence people={people} />
        <div className="room-actions">
          <RoomControls interviewId={interview.id} state={state} onEnded={onInterviewChanged} />
          <Link className="button button-quiet" to={`/interviews/${interview.id}`}>
            {t.room.details}
          </Link>
        </div>
      </header>
      <ConnectionNotice status={status} />
      {state.phase === 'waiting' ? (
        <Alert tone={candidateHere ? 'success' : 'neutral'}>
          <span data-testid="lobby-status">{candidateHere ? t.pad.candidateWaiting : t.pad.candidateNotHere}</span>
        </Alert>
      ) : null}
      {ended ? (
        <Alert tone="neutral">
          {t.pad.endedForPanel}{' '}
          <Link to={`/interviews/${interview.id}/playback`} data-testid="playback-link">
            {t.pad.openPlayback}
          </Link>
        </Alert>
      ) : null}

      <div className="room-grid">
        <section className="room-problem" aria-label={t.pad.problem}>
          {room.question ? (
            <>
              <h2>{room.question.title}</h2>
              <Markdown source={room.question.statement} />
            </>
          ) : (
            <p className="muted">{t.pad.noQuestion}</p>
          )}
        </section>

        <section className="room-code" aria-label={t.pad.code}>
          <CollabEditor text={pad.doc.getText('code')} awareness={pad.provider.awareness} language={state.language} readOnly={ended} label={t.pad.code} />
          <RunPanel
            code={pad.doc.getText('code')}
            language={state.language}
            lastRun={state.lastRun}
            recordUrl={`/api/interviews/${interview.id}/room/runs`}
            executeUrl={`/api/interviews/${interview.id}/room/execute`}
            serverLanguages={room.serverLanguages}
            blocked={state.phase === 'live' ? undefined : ended ? t.pad.runEnded : t.pad.runNotStarted}
          />
        </section>

        <aside className="room-side">
          <div className="tabs" role="tablist">
            {tabs.map(([key, label]) => (
              <button key={key} type="button" role="tab" aria-selected={tab === key} className={`tab${tab === key ? ' active' : ''}`} onClick={() => setTab(key)}>
                {label}
              </button>
            ))}
          </div>
          <div className="tab-panel" role="tabpanel">
            {tab === 'notes' ? <NotesPanel connection={connection} interview={interview} /> : null}
            {tab === 'signals' ? <SignalsList signals={signals} /> : null}
            {tab === 'guidance' && room.question ? (
              <div className="guidance">
                <p className="muted">{t.pad.guidanceNote}</p>
                <Markdown source={room.question.guidance} />
              </div>
            ) : null}
            {/* Kept mounted: a test run in progress goes on when another tab is opened. */}
            <div hidden={tab !== 'tests'}>
              <TestsPanel
                interviewId={interview.id}
                cases={room.question?.testCases ?? null}
                questionId={room.question?.id ?? null}
                code={pad.doc.getText('code')}
                language={state.language}
                revision={state.revision}
                lastRun={room.lastTestRun}
                active={tab === 'tests'}
              />
            </div>
            {tab === 'scorecard' ? (
              <div className="scorecard-with-notes">
                <NotesPanel connection={connection} interview={interview} onlyMine />
                <ScorecardsSection interview={interview} onSubmitted={onInterviewChanged} />
              </div>
            ) : null}
          </div>
        </aside>
      </div>
    </div>
  );
}

function PhaseLabel({ state }: { state: RoomState }) {
  const { t } = useI18n();
  const tone = state.phase === 'live' ? 'success' : state.phase === 'waiting' ? 'warning' : 'neutral';
  return (
    <span data-testid="room-phase" data-phase={state.phase}>
      <Badge tone={tone}>{state.cancelled ? t.phase.cancelled : t.pad.phase[state.phase]}</Badge>
    </span>
  );
}

/** Start, End, the language and the candidate's run switch. */
function RoomControls({ interviewId, state, onEnded }: { interviewId: string; state: RoomState; onEnded(): void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [error, setError] = useState<string>();

  async function act(call: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await call();
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setBusy(false);
    }
  }
  const patch = (body: object) => act(() => api(`/api/interviews/${interviewId}/room`, { method: 'PATCH', body }));
  // The switch moves at once; the room's state (everyone's) follows from the server a moment later.
  const [canRun, setCanRun] = useState(state.candidateCanRun);
  useEffect(() => setCanRun(state.candidateCanRun), [state.candidateCanRun]);

  if (state.phase === 'ended') return null;
  return (
    <div className="room-controls">
      <label className="inline-field">
        <span className="sr-only">{t.pad.language}</span>
        <select className="input" value={state.language} disabled={busy} onChange={(e) => void patch({ language: e.target.value })} data-testid="language" aria-label={t.pad.language}>
          {LANGUAGES.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-check">
        <input
          type="checkbox"
          checked={canRun}
          disabled={busy}
          onChange={(e) => {
            setCanRun(e.target.checked);
            void patch({ candidateCanRun: e.target.checked });
          }}
          data-testid="candidate-can-run"
        />
        {t.pad.candidateCanRun}
      </label>
      {state.phase === 'waiting' ? (
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void act(() => api(`/api/interviews/${interviewId}/room/start`, { method: 'POST' }))}>
          {t.pad.start}
        </button>
      ) : confirmEnd ? (
        <span className="confirm-end">
          <span>{t.pad.endConfirm}</span>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await api(`/api/interviews/${interviewId}/end`, { method: 'POST' });
                onEnded();
              })
            }
          >
            {t.pad.endNow}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setConfirmEnd(false)}>
            {t.common.cancel}
          </button>
        </span>
      ) : (
        <button type="button" className="button button-danger" disabled={busy} onClick={() => setConfirmEnd(true)}>
          {t.pad.end}
        </button>
      )}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

/** My notes (I write), then the rest of the panel's (I read). None of this ever reaches the candidate. */
function NotesPanel({ connection, interview, onlyMine = false }: { connection: RoomConnection; interview: InterviewDetail; onlyMine?: boolean }) {
  const { t } = useI18n();
  const me = useMe();
  const mine = connection.open('notes', me.id);
  const others = onlyMine ? [] : interview.interviewers.filter((p) => p.id !== me.id && p.response !== 'declined');
  return (
    <div className="notes">
      <p className="notes-private">{t.pad.notesPrivate}</p>
      <h3>{t.pad.myNotes}</h3>
      <CollabEditor text={mine.doc.getText('notes')} awareness={null} readOnly={false} label={t.pad.myNotes} placeholderText={t.pad.notesPlaceholder} lineNumbers={false} prose className="notes-editor" />
      {others.map((person) => (
        <OthersNotes key={person.id} connection={connection} personId={person.id} name={person.name} />
      ))}
    </div>
  );
}

function OthersNotes({ connection, personId, name }: { connection: RoomConnection; personId: string; name: string }) {
  const { t } = useI18n();
  const notes = connection.open('notes', personId);
  return (
    <>
      <h3>{t.pad.notesOf(name)}</h3>
      <CollabEditor text={notes.doc.getText('notes')} awareness={null} readOnly label={t.pad.notesOf(name)} placeholderText={t.pad.notesEmpty} lineNumbers={false} prose className="notes-editor" />
    </>
  );
}
