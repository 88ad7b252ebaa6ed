/**
 * The playback position: a range input (keyboard: ←/→ the previous/next change, Shift+←/→ ten seconds, Page Up/Down a
 * minute, Home/End the start and the end) over a strip of where typing happened, with a marker for every run, paste
 * and hidden tab — each a button that opens it.
 */
import { useMemo, type KeyboardEvent } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import type { PlaybackModel, TimelineEvent } from './model.ts';
import { clock } from './time.ts';

const BINS = 120;

export function eventKey(event: TimelineEvent): string {
  return `${event.kind}:${event.index}`;
}

export function Scrubber({
  model,
  position,
  zero,
  selected,
  onSeek,
  onSelect,
}: {
  model: PlaybackModel;
  position: number;
  /** The moment elapsed time counts from (the actual start). */
  zero: number;
  selected: string | undefined;
  onSeek(position: number): void;
  onSelect(event: TimelineEvent): void;
}) {
  const { t } = useI18n();
  const span = Math.max(1, model.end - model.start);
  const at = (time: number) => `${(Math.min(Math.max(time - model.start, 0), span) / span) * 100}%`;

  // How much was typed in each slice of the session: the quiet stretches show.
  const density = useMemo(() => {
    const bins = new Array<number>(BINS).fill(0);
    model.data.edits.forEach((edit) => {
      if (model.data.authors[edit[1] as number]?.kind === 'system') return;
      const bin = Math.floor((((edit[0] as number) - model.start) / span) * BINS);
      bins[Math.min(BINS - 1, Math.max(0, bin))]!++;
    });
    const most = Math.max(1, ...bins);
    return bins.map((n) => n / most);
  }, [model, span]);

  // ←/→ step one change (an edit, a run or a signal) back or on.
  const neighbour = (direction: 1 | -1) => (direction > 0 ? model.nextMoment(position) : model.previousMoment(position));

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const moves: Record<string, () => number> = {
      ArrowRight: () => (event.shiftKey ? position + 10_000 : neighbour(1)),
      ArrowUp: () => (event.shiftKey ? position + 10_000 : neighbour(1)),
      ArrowLeft: () => (event.shiftKey ? position - 10_000 : neighbour(-1)),
      ArrowDown: () => (event.shiftKey ? position - 10_000 : neighbour(-1)),
      PageUp: () => position + 60_000,
      PageDown: () => position - 60_000,
      Home: () => model.start,
      End: () => model.end,
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    onSeek(Math.min(model.end, Math.max(model.start, move())));
  }

  return (
    <div className="pv-pb-scrubber">
      <div className="pv-pb-track" aria-hidden="true">
        {density.map((height, i) => (
          <span key={i} className="pv-pb-density" style={{ height: `${Math.round(height * 100)}%` }} />
        ))}
      </div>
      <input
        className="pv-pb-range"
        type="range"
        min={0}
        max={span}
        step="any"
        value={Math.min(span, Math.max(0, position - model.start))}
        aria-label={t.playback.scrubber}
        aria-valuetext={clock(position - zero)}
        aria-keyshortcuts="ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight PageUp PageDown Home End"
        onChange={(e) => onSeek(model.start + Number(e.target.value))}
        onKeyDown={onKeyDown}
      />
      <div className="pv-pb-markers">
        {model.events.map((event) => {
          const key = eventKey(event);
          const author = model.data.authors[event.kind === 'run' ? event.run.author : event.signal.author]?.name ?? '';
          const label =
            event.kind === 'run'
              ? t.playback.runMarker(clock(event.t - zero), author, t.playback.runStatus[event.run.exitStatus])
              : event.signal.kind === 'paste'
                ? t.playback.pasteMarker(clock(event.t - zero), author)
                : t.playback.focusMarker(clock(event.t - zero), author);
          const kind = event.kind === 'run' ? `run pv-pb-run-${event.run.exitStatus}` : event.signal.kind;
          const width = event.kind === 'signal' && event.signal.kind === 'focus_lost' && event.signal.durationMs ? (event.signal.durationMs / span) * 100 : 0;
          return (
            <button
              key={key}
              type="button"
              className={`pv-pb-marker pv-pb-marker-${kind}${selected === key ? ' is-selected' : ''}`}
              style={{ left: at(event.t), ...(width ? { width: `max(10px, ${width}%)` } : {}) }}
              aria-label={label}
              title={label}
              onClick={() => onSelect(event)}
            />
          );
        })}
      </div>
    </div>
  );
}
