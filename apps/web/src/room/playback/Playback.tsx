/**
 * Playback of an interview's pad: the code at any moment with who wrote it, a scrubber with the runs, pastes and
 * hidden tabs where they happened, play at 1×–32× with long pauses skipped, and the final text at the end. The
 * playback page shows it, and the room shows it once the interview is over: `<Playback interviewId=… />`.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView } from '../../components/ErrorView.tsx';
import { Alert, Badge, EmptyState, Loading, type Tone } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { PlaybackEditor } from './PlaybackEditor.tsx';
import { Scrubber, eventKey } from './Scrubber.tsx';
import { PlaybackModel, type PlaybackData, type PlaybackRun, type TimelineEvent } from './model.ts';
import { clock } from './time.ts';
import './playback.css';

export const SPEEDS = [1, 2, 4, 8, 16, 32] as const;
/** While playing, a pause longer than this (no edit, run or signal) is skipped… */
export const IDLE_MS = 3000;
/** …to this long before the next thing happens. */
const LEAD_MS = 500;
/** The last author counts as typing for this long after their edit. */
const TYPING_MS = 2000;

export function Playback({ interviewId }: { interviewId: string }) {
  const resource = useResource<PlaybackData>(`/api/interviews/${interviewId}/playback`);
  if (resource.state.status === 'error' && !resource.state.data) return <ErrorView error={resource.state.error} onRetry={resource.reload} />;
  if (!resource.state.data) return <Loading />;
  return <PlaybackView data={resource.state.data} />;
}

export function PlaybackView({ data }: { data: PlaybackData }) {
  const { t } = useI18n();
  const model = useMemo(() => new PlaybackModel(data), [data]);
  // A playback opens at the end: the final text first, then the way there.
  const [position, setPosition] = useState(model.end);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(4);
  const [skipIdle, setSkipIdle] = useState(true);
  const [skipped, setSkipped] = useState(0);
  const [selected, setSelected] = useState<TimelineEvent | undefined>(undefined);
  const live = useRef({ position, speed, skipIdle });
  live.current = { position, speed, skipIdle };

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    let last = performance.now();
    const tick = (now: number) => {
      const { position: from, speed: rate, skipIdle: skipping } = live.current;
      // A hidden tab pauses animation frames: do not leap when it comes back.
      let next = from + Math.min(now - last, 250) * rate;
      last = now;
      const upcoming = model.nextActivity(from);
      if (skipping && upcoming !== undefined && upcoming - from > IDLE_MS && next < upcoming - LEAD_MS) {
        setSkipped(upcoming - LEAD_MS - from);
        next = upcoming - LEAD_MS;
      }
      if (next >= model.end) {
        next = model.end;
        setPlaying(false);
      } else frame = requestAnimationFrame(tick);
      live.current.position = next;
      setPosition(next);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, model]);

  if (model.empty && model.events.length === 0) {
    return <EmptyState title={t.playback.empty}>{t.playback.emptyText}</EmptyState>;
  }

  const zero = model.startedAt ?? model.start;
  const index = model.editsAt(position);
  const authorNow = model.authorAt(position);
  const atEnd = position >= model.end;
  const typing = !atEnd && authorNow !== undefined && index > 0 && position - model.times[index - 1]! <= TYPING_MS;
  const shownRun = selected?.kind === 'run' ? selected.run : model.events.filter((e): e is Extract<TimelineEvent, { kind: 'run' }> => e.kind === 'run' && e.t <= position).at(-1)?.run;

  function seek(to: number) {
    setSkipped(0);
    setPosition(Math.min(model.end, Math.max(model.start, to)));
  }
  function togglePlay() {
    if (playing) return setPlaying(false);
    if (atEnd) seek(model.start);
    setSkipped(0);
    setPlaying(true);
  }
  function select(event: TimelineEvent) {
    setPlaying(false);
    setSelected(event);
    seek(event.t);
  }

  return (
    <div className="pv-pb-frame">
      <div className="pv-pb">
        <div className="pv-pb-stage">
          <PlaybackEditor model={model} index={index} language={data.language} label={t.playback.editorLabel} />
          <div className="pv-pb-controls">
            <button type="button" className="button button-primary pv-pb-play" onClick={togglePlay}>
              {playing ? t.playback.pause : atEnd ? t.playback.playFromStart : t.playback.play}
            </button>
            <span className="pv-pb-clock" aria-live="off">
              <strong>{clock(position - zero)}</strong>
              <span className="muted"> / {clock(model.end - zero)}</span>
              {position < zero ? <span className="muted"> · {t.playback.beforeStart}</span> : null}
              {atEnd ? <Badge tone="accent">{t.playback.finalText}</Badge> : null}
            </span>
            <div className="pv-pb-speeds" role="group" aria-label={t.playback.speed}>
              {SPEEDS.map((s) => (
                <button key={s} type="button" className={`button button-small${speed === s ? ' is-on' : ''}`} aria-pressed={speed === s} onClick={() => setSpeed(s)}>
                  {s}×
                </button>
              ))}
            </div>
          </div>
          <Scrubber model={model} position={position} zero={zero} selected={selected ? eventKey(selected) : undefined} onSeek={seek} onSelect={select} />
          <div className="pv-pb-notes">
            <label className="check">
              <input type="checkbox" checked={skipIdle} onChange={(e) => setSkipIdle(e.target.checked)} />
              {t.playback.skipIdle(IDLE_MS / 1000)}
            </label>
            {skipped > 0 ? <span className="muted">{t.playback.skipped(clock(skipped))}</span> : null}
            <span className="muted pv-pb-keys">{t.playback.keys}</span>
          </div>
          {model.startedAt === undefined ? <p className="muted">{t.playback.neverStarted}</p> : null}
        </div>

        <div className="pv-pb-side">
          <section className="pv-pb-authors" aria-label={t.playback.authors}>
            <h3>{t.playback.authors}</h3>
            <ul>
              {data.authors.map((author, i) => (
                <li key={i} className={authorNow === i ? 'is-current' : undefined}>
                  <span className={`pv-pb-swatch pv-pb-swatch-${author.kind}`} style={{ backgroundColor: author.color }} aria-hidden="true" />
                  <span className="pv-pb-author-name">{author.name}</span>
                  <span className="muted">{t.playback.authorKind[author.kind]}</span>
                  {authorNow === i && typing ? <Badge tone="accent">{t.playback.typing}</Badge> : null}
                </li>
              ))}
            </ul>
          </section>

          <section className="pv-pb-events" aria-label={t.playback.events}>
            <h3>{t.playback.events}</h3>
            {data.signals.length > 0 ? <Alert tone="warning">{t.playback.signalsNotVerdicts}</Alert> : null}
            {model.events.length === 0 ? (
              <p className="muted">{t.playback.noEvents}</p>
            ) : (
              <ol>
                {model.events.map((event) => (
                  <li key={eventKey(event)}>
                    <button
                      type="button"
                      className={`pv-pb-event${selected && eventKey(selected) === eventKey(event) ? ' is-selected' : ''}${event.t > position ? ' is-later' : ''}`}
                      onClick={() => select(event)}
                    >
                      <span className="pv-pb-event-time mono">{clock(event.t - zero)}</span>
                      <EventText event={event} data={data} />
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </section>

          {shownRun ? (
            <RunDetails run={shownRun} data={data} zero={zero} latest={selected?.kind !== 'run'} />
          ) : selected?.kind === 'signal' ? (
            <section className="pv-pb-detail">
              <h3>{clock(selected.t - zero)}</h3>
              <p>
                <EventText event={selected} data={data} />
              </p>
            </section>
          ) : null}
        </div>
      </div>
    </div>
  );
}

const RUN_TONE: Record<PlaybackRun['exitStatus'], Tone> = { ok: 'success', error: 'danger', timeout: 'warning', output_limit: 'warning', unavailable: 'neutral' };

function EventText({ event, data }: { event: TimelineEvent; data: PlaybackData }) {
  const { t } = useI18n();
  if (event.kind === 'run') {
    const run = event.run;
    return (
      <span className="pv-pb-event-text">
        {t.playback.ran(data.authors[run.author]?.name ?? '')} <Badge tone={RUN_TONE[run.exitStatus]}>{t.playback.runStatus[run.exitStatus]}</Badge>
      </span>
    );
  }
  const signal = event.signal;
  const name = data.authors[signal.author]?.name ?? '';
  return (
    <span className="pv-pb-event-text">
      <Badge tone="warning">{t.playback.signalKind[signal.kind]}</Badge>{' '}
      {signal.kind === 'paste' ? t.playback.pasted(name, signal.chars ?? 0) : t.playback.tabHidden(name, Math.round((signal.durationMs ?? 0) / 1000))}
    </span>
  );
}

function RunDetails({ run, data, zero, latest }: { run: PlaybackRun; data: PlaybackData; zero: number; latest: boolean }) {
  const { t } = useI18n();
  return (
    <section className="pv-pb-detail" aria-label={t.playback.runTitle}>
      <h3>
        {latest ? t.playback.latestRun : t.playback.runTitle} · <span className="mono">{clock(run.t - zero)}</span>
      </h3>
      <p className="pv-pb-run-facts">
        <Badge tone={RUN_TONE[run.exitStatus]}>{t.playback.runStatus[run.exitStatus]}</Badge>
        <span className="muted">{t.playback.runBy(data.authors[run.author]?.name ?? '', run.language, run.durationMs)}</span>
      </p>
      <h4>{t.playback.code}</h4>
      <pre className="code-block">{run.code}</pre>
      {run.stdin ? (
        <>
          <h4>{t.playback.stdin}</h4>
          <pre className="code-block">{run.stdin}</pre>
        </>
      ) : null}
      <h4>{t.playback.output}</h4>
      <pre className="code-block pv-pb-output">{run.output || t.playback.noOutput}</pre>
      {run.outputTruncated ? <p className="muted">{t.playback.truncated}</p> : null}
    </section>
  );
}
