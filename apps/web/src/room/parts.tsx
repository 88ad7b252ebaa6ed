/** Small pieces of the room page: the timer, who is here, the connection state, the signals list. */
import { useEffect, useState } from 'react';
import type { SignalView } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import type { PresentUser } from './connection.ts';

/** mm:ss (h:mm:ss past an hour) since `since`, ticking; stops at `until`. */
export function Timer({ since, until }: { since: string; until?: string | null }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [until]);
  const end = until ? new Date(until).getTime() : now;
  return (
    <span className="room-timer" role="timer" aria-label={t.pad.elapsed}>
      {clock(Math.max(0, end - new Date(since).getTime()))}
    </span>
  );
}

export function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function Presence({ people }: { people: PresentUser[] }) {
  const { t } = useI18n();
  return (
    <ul className="presence-list" aria-label={t.pad.presence} data-testid="presence">
      {people.map((p) => (
        <li key={p.kind === 'candidate' ? 'candidate' : p.personId} className="presence-chip" title={p.kind === 'candidate' ? t.room.candidate : t.role.interviewer}>
          <span className="presence-dot" style={{ background: p.color }} aria-hidden="true" />
          {p.name}
          {p.kind === 'candidate' ? <span className="muted"> · {t.room.candidate}</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function ConnectionNotice({ status }: { status: string }) {
  const { t } = useI18n();
  if (status === 'connected') return null;
  return (
    <div className="connection-notice" role="status" data-status={status}>
      {status === 'connecting' ? t.pad.connecting : t.pad.reconnecting}
    </div>
  );
}

export function SignalsList({ signals }: { signals: SignalView[] }) {
  const { t, fmt } = useI18n();
  return (
    <div className="signals" data-testid="signals">
      <p className="muted">{t.pad.signalsNote}</p>
      {signals.length === 0 ? (
        <p className="muted">{t.pad.noSignals}</p>
      ) : (
        <ul className="signal-list">
          {signals.map((s) => (
            <li key={s.id} data-kind={s.kind}>
              <span className="signal-time">{fmt.time(s.at)}</span>
              <span>{s.kind === 'paste' ? t.pad.signalPaste(s.authorName, s.chars ?? 0) : t.pad.signalFocus(s.authorName, Math.round((s.durationMs ?? 0) / 1000))}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
